/** Step 1 (Assess): the brokers, partitions and a produce/consume round trip. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, resultOf, type StepAssessment } from "../../core/runbook.ts";
import type {
  ClusterDescription,
  ClusterPartitionHealth,
  PartitionHealth,
  RoundTripResult,
} from "../../ports/kafka.ts";
import { bootstrapOf, capitalize, MAX_ROWS, mskOf, statusOf } from "./cluster-names.ts";
import {
  kafkaClusterProbe,
  type MskView,
  mskClusterProbe,
  partitionHealthProbe,
  ROUND_TRIP_TIMEOUT_MS,
  roundTripProbe,
  testTopicOf,
} from "./probes.ts";
import { brokerDiagnosisOf } from "./signals.ts";

export function brokerTable(cluster: ClusterDescription, msk: MskView | undefined): EvidenceBlock {
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

export function brokersFinding(
  cluster: ClusterDescription,
  config: AppConfig,
  msk: MskView | undefined,
): Finding {
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

export function mskFinding(msk: MskView, config: AppConfig): Finding {
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

export function partitionRows(parts: readonly PartitionHealth[]): string[][] {
  return parts.map((p) => [
    p.topic,
    String(p.partition),
    p.leader === null ? "none" : String(p.leader),
    p.replicas.join(","),
    p.isr.join(",") || "-",
    p.offline ? "OFFLINE" : "under-replicated",
  ]);
}

export function partitionsFinding(health: ClusterPartitionHealth): Finding {
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

export function roundTripFinding(trip: RoundTripResult, config: AppConfig): Finding {
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
