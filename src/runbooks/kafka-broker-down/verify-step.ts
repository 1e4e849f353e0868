/** Step 3 (Verify) and Step 4 (Post-Incident). */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { bootstrapOf, mskOf } from "./cluster-names.ts";
import { groupLagProbe, kafkaClusterProbe, partitionHealthProbe } from "./probes.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const cluster = read(results, kafkaClusterProbe);
  const health = read(results, partitionHealthProbe);
  const lag = read(results, groupLagProbe);
  const expected = config.thresholds.minBrokersAlive;
  const lagThreshold = config.thresholds.consumerLagRecords;
  const checks: { name: string; now: string; target: string; pass: boolean | undefined }[] = [
    {
      name: "Brokers answering",
      now: cluster === undefined ? "unknown" : `${cluster.brokers.length} of ${expected}`,
      target: `${expected} of ${expected}`,
      pass:
        cluster === undefined
          ? undefined
          : cluster.brokers.length >= expected && cluster.missingBrokerIds.length === 0,
    },
    {
      name: "Under-replicated partitions",
      now: health === undefined ? "unknown" : String(health.totals.underReplicated),
      target: "0",
      pass: health === undefined ? undefined : health.totals.underReplicated === 0,
    },
    {
      name: "Offline partitions",
      now: health === undefined ? "unknown" : String(health.totals.offline),
      target: "0",
      pass: health === undefined ? undefined : health.totals.offline === 0,
    },
    {
      name: `Consumer lag (${config.pipeline.consumerGroup})`,
      now: lag === undefined ? "unknown" : formatCount(lag.totalLag),
      target: `<= ${formatCount(lagThreshold)}`,
      pass: lag === undefined ? undefined : lag.totalLag <= lagThreshold,
    },
  ];
  const failing = checks.filter((c) => c.pass === false);
  const unknown = checks.filter((c) => c.pass === undefined);
  const healthy = failing.length === 0 && unknown.length === 0;
  const f = finding(
    healthy ? "ok" : failing.length > 0 ? "warning" : "info",
    healthy
      ? "Cluster healthy: all brokers answer, replicas in sync, consumer lag normal"
      : failing.length > 0
        ? `Not recovered yet: ${failing.map((c) => c.name.toLowerCase()).join(", ")}`
        : `Could not verify: ${unknown.map((c) => c.name.toLowerCase()).join(", ")}`,
    {
      detail: healthy
        ? "Nothing left to do but the post-incident notes."
        : "Re-run `/runbook broker` once the broker is back (after the reboot or AWS's recovery) to verify. By hand:",
      evidence: [
        {
          kind: "table",
          columns: ["CHECK", "NOW", "TARGET", ""],
          rows: checks.map((c) => [
            c.name,
            c.now,
            c.target,
            c.pass === undefined ? "?" : c.pass ? "ok" : "NO",
          ]),
        },
        ...(healthy
          ? []
          : [
              {
                kind: "code" as const,
                text: [
                  `kafka-broker-api-versions --bootstrap-server ${bootstrapOf(config)} | grep -c 'id:'`,
                  `kafka-topics --bootstrap-server ${bootstrapOf(config)} --describe --under-replicated-partitions`,
                  `kafka-consumer-groups --bootstrap-server ${bootstrapOf(config)} --group ${config.pipeline.consumerGroup} --describe | tail -20`,
                ].join("\n"),
              },
            ]),
      ],
    },
  );
  return {
    status: healthy ? "ok" : failing.length > 0 ? "warning" : "info",
    summary: healthy
      ? "All brokers answer, 0 under-replicated partitions, consumer lag normal."
      : `${failing.length} of ${checks.length} checks not passing yet${unknown.length > 0 ? `, ${unknown.length} unknown` : ""}.`,
    findings: [f],
  };
}

export function capacityNote(brokers: number): string {
  if (brokers <= 1) return `With ${brokers} broker there is no redundancy: any failure is an outage.`;
  if (brokers === 2)
    return "With 2 brokers, losing one leaves replication-factor-2 topics without redundancy.";
  if (brokers === 3) {
    return "3 brokers is the minimum for HA. With 3 brokers you can lose 1 and still operate (degraded), but not 2 without a total outage: while one is down, one more failure is an outage. Consider 4+ brokers for higher availability.";
  }
  return `With ${brokers} brokers one failure leaves ${brokers - 1} to carry the load; a second failure still stops writes to the partitions that had two of their replicas on the failed brokers.`;
}

export function assessPostIncident(results: ProbeResults, config: AppConfig): StepAssessment {
  const msk = mskOf(results);
  const brokers = msk?.cluster.brokerCount ?? config.thresholds.minBrokersAlive;
  const region = config.aws?.region ?? config.msk?.clusterArn.split(":")[3] ?? "us-east-1";
  return {
    status: "info",
    summary:
      `Capacity: ${brokers} brokers. ${brokers <= 3 ? "One more failure while a broker is down is an outage; consider 4+." : ""}`.trim(),
    findings: [
      finding("info", `Plan capacity: ${brokers} brokers`, { detail: capacityNote(brokers) }),
      finding("info", "Investigate why the broker failed", {
        detail:
          "Check the AWS Health Dashboard for infrastructure issues in the cluster's region, and make sure a failed broker is replaced automatically next time; if it was not, add a PagerDuty escalation.",
        evidence: [
          {
            kind: "code",
            text: `aws health describe-events --region us-east-1 \\\n  --filter 'services=KAFKA,regions=${region},eventStatusCodes=open,closed'`,
          },
        ],
      }),
    ],
  };
}
