/** The kafka-broker-down runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, type Proposal } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, resultOf, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import type {
  ClusterDescription,
  ClusterPartitionHealth,
  PartitionHealth,
  RoundTripResult,
} from "../../ports/kafka.ts";
import type { BrokerDiagnosis, BrokerDownCause } from "./diagnose.ts";
import {
  groupLagProbe,
  kafkaClusterProbe,
  type MskView,
  mskClusterProbe,
  partitionHealthProbe,
  ROUND_TRIP_TIMEOUT_MS,
  roundTripProbe,
  testTopicOf,
} from "./probes.ts";
import { brokerDiagnosisOf } from "./signals.ts";

export const CAUSE_TITLE: Record<BrokerDownCause, string> = {
  "all-brokers-up": "all brokers are back (the alert is clearing)",
  "broker-rebooting": "a broker is already rebooting / MSK is recovering",
  "one-broker-down": "one broker down (degraded, AWS auto-recovery likely)",
  "cluster-unusable": "cluster unusable (more than one broker down or partitions offline)",
  unknown: "not determined",
};

const MAX_ROWS = 12;

function arnOrPlaceholder(config: AppConfig): string {
  return config.msk?.clusterArn ?? "<cluster ARN: set msk.clusterArn in the config>";
}

function bootstrapOf(config: AppConfig): string {
  return config.kafka?.brokers.join(",") ?? "<bootstrap servers: set kafka.brokers in the config>";
}

function mskOf(results: ProbeResults): MskView | undefined {
  return read(results, mskClusterProbe) ?? undefined;
}

/** The button for a manual reboot: only with a cluster ARN, a broker to name and MSK idle (ACTIVE). */
export function rebootProposal(
  diagnosis: BrokerDiagnosis,
  results: ProbeResults,
  config: AppConfig,
): Proposal | undefined {
  const arn = config.msk?.clusterArn;
  const brokerId = diagnosis.rebootCandidate;
  if (arn === undefined || brokerId === undefined || diagnosis.recoveryRunning) return undefined;
  const msk = mskOf(results);
  if (msk !== undefined && msk.cluster.state !== "ACTIVE") return undefined;
  return {
    action: "reboot-broker",
    label: `Reboot broker ${brokerId}${msk ? ` of ${msk.cluster.name}` : ""}`,
    params: { clusterArn: arn, brokerId },
  };
}

function rebootCommand(config: AppConfig, brokerId: number | string): string {
  return [
    "aws kafka reboot-broker \\",
    `  --cluster-arn ${arnOrPlaceholder(config)} \\`,
    `  --broker-ids ${brokerId}`,
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

function brokerTable(cluster: ClusterDescription, msk: MskView | undefined): EvidenceBlock {
  const alive = new Map(cluster.brokers.map((b) => [b.id, b]));
  const missing = new Set(cluster.missingBrokerIds);
  const status = (id: number) => (alive.has(id) ? "answers" : missing.has(id) ? "DOWN  <-" : "not seen");
  if (msk !== undefined && msk.brokers.length > 0) {
    return {
      kind: "table",
      columns: ["BROKER", "ENDPOINT", "SUBNET", "KAFKA"],
      rows: msk.brokers.map((b) => [
        String(b.brokerId),
        b.endpoints[0] ?? "-",
        b.clientSubnet ?? "-",
        status(b.brokerId),
      ]),
    };
  }
  const ids = [...new Set([...alive.keys(), ...missing])].sort((a, b) => a - b);
  return {
    kind: "table",
    columns: ["BROKER", "ENDPOINT", "KAFKA"],
    rows: ids.map((id) => {
      const b = alive.get(id);
      return [String(id), b ? `${b.host}:${b.port}` : "-", status(id)];
    }),
  };
}

function brokersFinding(cluster: ClusterDescription, config: AppConfig, msk: MskView | undefined): Finding {
  const expected = config.thresholds.minBrokersAlive;
  const alive = cluster.brokers.length;
  const down = Math.max(0, expected - alive, cluster.missingBrokerIds.length);
  const missing = cluster.missingBrokerIds;
  const title =
    down === 0
      ? `All ${alive} brokers answer`
      : `${alive} of ${expected} brokers answer${missing.length > 0 ? `: ${missing.length === 1 ? "broker" : "brokers"} ${missing.join(", ")} down` : ""}`;
  const mskNote =
    msk !== undefined && msk.cluster.brokerCount !== expected
      ? ` MSK lists ${msk.cluster.brokerCount} broker nodes; the alert expects ${expected}.`
      : "";
  return finding(down === 0 ? "ok" : down >= 2 ? "critical" : "warning", title, {
    detail: `Cluster ${cluster.clusterId}, controller ${cluster.controllerId ?? "unknown"}.${
      missing.length === 0 && down > 0
        ? " No partition is assigned to the missing broker, so its id is not known from the metadata."
        : ""
    }${mskNote}`,
    evidence: [brokerTable(cluster, msk)],
  });
}

function mskFinding(msk: MskView, config: AppConfig): Finding {
  const c = msk.cluster;
  const op = msk.operation;
  const busy = c.state !== "ACTIVE" || c.activeOperationArn !== undefined;
  const fields = [
    { label: "Cluster", value: c.name },
    { label: "State", value: c.state },
    { label: "Broker nodes", value: String(c.brokerCount) },
    ...(c.instanceType ? [{ label: "Instance type", value: c.instanceType }] : []),
    ...(c.kafkaVersion ? [{ label: "Kafka version", value: c.kafkaVersion }] : []),
    ...(c.stateInfo?.message ? [{ label: "State info", value: c.stateInfo.message }] : []),
    ...(c.activeOperationArn ? [{ label: "Operation", value: c.activeOperationArn }] : []),
    ...(op
      ? [
          {
            label: "Operation state",
            value: `${op.type} ${op.state}${op.startedAt ? ` since ${op.startedAt.toISOString()}` : ""}`,
          },
        ]
      : []),
    ...(msk.operationError
      ? [{ label: "Operation", value: `could not be read: ${msk.operationError}` }]
      : []),
  ];
  return finding(
    busy ? "warning" : "info",
    busy
      ? `MSK ${c.name} is ${c.state}${op ? ` (${op.type} ${op.phase})` : ""}`
      : `MSK ${c.name} is ACTIVE with ${c.brokerCount} broker nodes`,
    {
      detail: busy
        ? "MSK is already working on the cluster: a reboot or a broker replacement is under way."
        : "MSK's control plane reports no operation: a hung broker is exactly the case MSK's state does not show, so Kafka's own metadata says which broker answers.",
      evidence: [
        { kind: "fields", fields },
        { kind: "code", text: `aws kafka describe-cluster --cluster-arn ${config.msk?.clusterArn ?? c.arn}` },
      ],
    },
  );
}

function partitionRows(parts: readonly PartitionHealth[]): string[][] {
  return parts.map((p) => [
    p.topic,
    String(p.partition),
    p.leader === null ? "none" : String(p.leader),
    p.replicas.join(","),
    p.isr.join(",") || "-",
    p.offline ? "OFFLINE" : "under-replicated",
  ]);
}

function partitionsFinding(health: ClusterPartitionHealth): Finding {
  const { offline, underReplicated, partitions, topics } = health.totals;
  const bad = health.partitions.filter((p) => p.offline || p.underReplicated);
  const shown = [...bad].sort((a, b) => Number(b.offline) - Number(a.offline)).slice(0, MAX_ROWS);
  return finding(
    offline > 0 ? "critical" : underReplicated > 0 ? "warning" : "ok",
    offline > 0
      ? `${offline} offline partition(s), ${underReplicated} under-replicated`
      : underReplicated > 0
        ? `${underReplicated} under-replicated partition(s), none offline`
        : "No under-replicated or offline partitions",
    {
      detail: `${partitions} partitions in ${topics} topics.${
        offline > 0
          ? " Offline partitions have no leader: nothing can be written to or read from them."
          : underReplicated > 0
            ? " Under-replicated partitions still serve reads and writes, but one more broker failure can take them offline."
            : ""
      }`,
      evidence:
        bad.length === 0
          ? []
          : [
              {
                kind: "table",
                columns: ["TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "STATE"],
                rows: partitionRows(shown),
                ...(bad.length > shown.length ? { omittedRows: bad.length - shown.length } : {}),
              },
            ],
    },
  );
}

function roundTripFinding(trip: RoundTripResult, config: AppConfig): Finding {
  if (trip.ok) {
    return finding(
      "ok",
      `Produce/consume works: a test record went through ${trip.topic} in ${formatCount(trip.produceMs + trip.consumeMs)} ms`,
      {
        detail: `Written to partition ${trip.partition} at offset ${trip.offset} in ${formatCount(trip.produceMs)} ms, read back in ${formatCount(trip.consumeMs)} ms.`,
      },
    );
  }
  return finding("critical", `Produce/consume failed at ${trip.failedAt}: ${trip.reason}`, {
    detail: `${trip.timedOut ? "Timeout = brokers not responding. " : ""}Test topic ${trip.topic}, gave up after ${formatCount(trip.elapsedMs)} ms. Try by hand:`,
    evidence: [
      {
        kind: "code",
        text: `echo test | kafka-console-producer --bootstrap-server ${bootstrapOf(config)} \\\n  --topic ${testTopicOf(config)} --timeout ${ROUND_TRIP_TIMEOUT_MS}`,
      },
    ],
  });
}

function statusOf(cause: BrokerDownCause): StepAssessment["status"] {
  switch (cause) {
    case "all-brokers-up":
      return "ok";
    case "cluster-unusable":
      return "critical";
    case "unknown":
      return "info";
    default:
      return "warning";
  }
}

export function assessBrokers(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const diagnosis = brokerDiagnosisOf(results, config);
  const msk = mskOf(results);
  const cluster = read(results, kafkaClusterProbe);
  if (cluster !== undefined) findings.push(brokersFinding(cluster, config, msk));
  if (msk !== undefined) findings.push(mskFinding(msk, config));
  else if (resultOf(results, mskClusterProbe)?.status === "ok") {
    findings.push(
      finding("info", "MSK not checked: no cluster ARN configured", {
        detail:
          "Add `msk.clusterArn` to the config to let the bot read the cluster state and offer a broker reboot. Working from Kafka's own metadata alone. By hand:",
        evidence: [
          {
            kind: "code",
            text: "aws kafka list-clusters --query 'ClusterInfoList[].{Name:ClusterName,Arn:ClusterArn,State:State}'",
          },
        ],
      }),
    );
  }
  const health = read(results, partitionHealthProbe);
  if (health !== undefined) findings.push(partitionsFinding(health));
  const trip = read(results, roundTripProbe);
  if (trip !== undefined) findings.push(roundTripFinding(trip, config));
  return {
    status: statusOf(diagnosis.cause),
    summary: `${capitalize(diagnosis.because)}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Action

export function assessAction(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = brokerDiagnosisOf(results, config);
  const proposal = rebootProposal(diagnosis, results, config);
  const msk = mskOf(results);
  const candidate = diagnosis.rebootCandidate;
  const noButton =
    proposal === undefined && candidate !== undefined && !diagnosis.recoveryRunning
      ? config.msk === undefined
        ? " No button: the bot does not know the cluster ARN (set `msk.clusterArn`)."
        : msk !== undefined && msk.cluster.state !== "ACTIVE"
          ? ` No button: MSK only reboots a broker while the cluster is ACTIVE (it is ${msk.cluster.state}).`
          : ""
      : "";
  const findings: Finding[] = [];
  switch (diagnosis.cause) {
    case "one-broker-down": {
      const who = candidate === undefined ? "The broker" : `Broker ${candidate}`;
      findings.push(
        finding("warning", `${who} is down: AWS auto-recovery will most likely fix it (5-15 min)`, {
          detail: `The cluster still works, degraded. Check the MSK console for broker failure notifications; AWS usually restarts or replaces a failed broker by itself. Wait 5-15 minutes and re-run \`/runbook broker\`. If ${candidate === undefined ? "it" : `broker ${candidate}`} is still down after 15 minutes, reboot it manually.${noButton}`,
          evidence: [{ kind: "code", text: rebootCommand(config, candidate ?? "<broker id>") }],
          ...(proposal ? { proposals: [proposal] } : {}),
        }),
      );
      break;
    }
    case "broker-rebooting": {
      const op = msk?.operation;
      findings.push(
        finding("warning", "Recovery already under way: do not start a second reboot", {
          detail: `MSK reports ${msk?.cluster.state ?? "an operation in progress"}${
            op
              ? ` (${op.type}, ${op.state}${op.startedAt ? `, started ${op.startedAt.toISOString()}` : ""})`
              : ""
          }. MSK runs one operation at a time and refuses a reboot until the cluster is ACTIVE again. Follow it and re-run \`/runbook broker\` when it completes:`,
          evidence: [
            {
              kind: "code",
              text: msk?.cluster.activeOperationArn
                ? `aws kafka describe-cluster-operation --cluster-operation-arn ${msk.cluster.activeOperationArn}`
                : `aws kafka describe-cluster --cluster-arn ${arnOrPlaceholder(config)} --query 'ClusterInfo.State'`,
            },
          ],
        }),
      );
      break;
    }
    case "cluster-unusable": {
      findings.push(
        finding("critical", "Outage: the cluster cannot serve all partitions", {
          detail: `${capitalize(diagnosis.because)}. Producers and the Flink job fail on the affected partitions, and waiting for auto-recovery means an outage of 5-15 minutes or more. Open an AWS support case now (production system down) and check the MSK console for broker failure notifications. ${
            diagnosis.recoveryRunning
              ? "MSK is already working on a broker: do not start another reboot."
              : candidate !== undefined
                ? `Reboot the down brokers one at a time (MSK runs one reboot at a time), starting with broker ${candidate}.`
                : "The metadata does not say which broker is down: find it in the MSK console."
          }${noButton}`,
          evidence: [{ kind: "code", text: rebootCommand(config, candidate ?? "<broker id>") }],
          ...(proposal ? { proposals: [proposal] } : {}),
        }),
      );
      break;
    }
    case "all-brokers-up":
      findings.push(
        finding("ok", "All brokers are back: no action needed", {
          detail:
            "The alert should clear within a few minutes. Step 3 checks that replicas and consumers caught up.",
        }),
      );
      break;
    case "unknown":
      findings.push(
        finding("info", "Could not tell which brokers are down", {
          detail: `${capitalize(diagnosis.because)}. Check by hand:`,
          evidence: [
            {
              kind: "code",
              text: `aws kafka list-nodes --cluster-arn ${arnOrPlaceholder(config)} \\\n  --query 'NodeInfoList[].BrokerNodeInfo.{BrokerId:BrokerId,Endpoints:Endpoints}'\nkafka-broker-api-versions --bootstrap-server ${bootstrapOf(config)}`,
            },
          ],
        }),
      );
      break;
  }
  return {
    status: statusOf(diagnosis.cause),
    summary: proposal
      ? `${capitalize(CAUSE_TITLE[diagnosis.cause])}. If it does not recover: ${proposal.label}.`
      : `${capitalize(CAUSE_TITLE[diagnosis.cause])}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: Verify Cluster Health

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

// ---------------------------------------------------------------------------------------------
// Step 4: Post-Incident

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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const kafkaBrokerDownSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [mskClusterProbe, kafkaClusterProbe, partitionHealthProbe, roundTripProbe],
    assess: assessBrokers,
  },
  { id: "action", title: "Step 2: Action", probes: [], assess: assessAction },
  {
    id: "verify",
    title: "Step 3: Verify Cluster Health",
    probes: [groupLagProbe],
    assess: assessVerify,
  },
  { id: "post-incident", title: "Step 4: Post-Incident", probes: [], assess: assessPostIncident },
];
