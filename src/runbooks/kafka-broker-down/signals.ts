/** Pure: probe results -> the signals the kafka-broker-down diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import { type BrokerDiagnosis, type BrokerSignals, diagnoseBrokers } from "./diagnose.ts";
import { kafkaClusterProbe, mskClusterProbe, partitionHealthProbe, roundTripProbe } from "./probes.ts";

export function brokerSignals(results: ProbeResults, config: AppConfig): BrokerSignals {
  const cluster = read(results, kafkaClusterProbe);
  const health = read(results, partitionHealthProbe);
  const trip = read(results, roundTripProbe);
  const msk = read(results, mskClusterProbe) ?? undefined;
  const opRunning =
    msk === undefined
      ? undefined
      : msk.cluster.activeOperationArn !== undefined &&
        (msk.operation === undefined ||
          msk.operation.phase === "pending" ||
          msk.operation.phase === "in-progress" ||
          msk.operation.phase === "unknown");
  return {
    expectedBrokers: config.thresholds.minBrokersAlive,
    mskKnown: msk !== undefined,
    ...(cluster === undefined
      ? {}
      : { aliveBrokerIds: cluster.brokers.map((b) => b.id), missingBrokerIds: cluster.missingBrokerIds }),
    ...(health === undefined
      ? {}
      : {
          underReplicatedPartitions: health.totals.underReplicated,
          offlinePartitions: health.totals.offline,
        }),
    ...(trip === undefined
      ? {}
      : {
          roundTripOk: trip.ok,
          ...(trip.ok
            ? {}
            : {
                roundTripFailedAt: trip.failedAt,
                ...(trip.accessRefused ? { roundTripAccessRefused: true } : {}),
              }),
        }),
    ...(msk === undefined ? {} : { mskState: msk.cluster.state }),
    ...(opRunning === undefined ? {} : { mskOperationInProgress: opRunning }),
  };
}

export function brokerDiagnosisOf(results: ProbeResults, config: AppConfig): BrokerDiagnosis {
  return diagnoseBrokers(brokerSignals(results, config));
}
