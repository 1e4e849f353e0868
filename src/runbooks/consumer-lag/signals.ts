/** Pure: probe results -> the signals the consumer-lag diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, probeValue } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import type { DeploymentScale, PodUsage } from "../../ports/kubernetes.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { type FlinkWatermarks, flinkWatermarkLag, missingWatermarks } from "../flink-watermarks.ts";
import type { LagSignals } from "./diagnose.ts";
import type { EnrichmentLatency, LagSamples } from "./probes.ts";

function logEndSum(lag: GroupLag): number {
  return lag.partitions.reduce((acc, p) => acc + p.logEndOffset, 0);
}

export function podPressure(pod: PodUsage): number | undefined {
  const parts: number[] = [];
  if (pod.cpuLimitMillicores) parts.push(pod.cpuMillicores / pod.cpuLimitMillicores);
  if (pod.memoryLimitBytes) parts.push(pod.memoryBytes / pod.memoryLimitBytes);
  return parts.length === 0 ? undefined : Math.max(...parts);
}

export function lagSignals(results: ProbeResults, config: AppConfig): LagSignals {
  const lag = probeValue<LagSamples>(results, "lag");
  const latest = lag?.second ?? lag?.first;
  const growth =
    lag?.second === undefined ? undefined : (lag.second.totalLag - lag.first.totalLag) / lag.intervalSeconds;
  const recordsIn = probeValue<MetricPoint[]>(results, "records-in");
  const recordsOut = probeValue<MetricPoint[]>(results, "records-out");
  const pods = probeValue<PodUsage[]>(results, "pod-usage");
  const pressures = (pods ?? []).map(podPressure).filter((p): p is number => p !== undefined);
  const watermark = probeValue<MetricPoint[]>(results, "watermark-lag");
  const flink = probeValue<FlinkWatermarks>(results, "flink-watermarks");
  const flinkLag = flink === undefined ? undefined : flinkWatermarkLag(flink);
  const missing = flink === undefined ? undefined : missingWatermarks(flink);
  const firehose = probeValue<MetricPoint[]>(results, "firehose-delivered");
  const enrichment = probeValue<EnrichmentLatency>(results, "enrichment-latency");
  const recent = enrichment?.rows.slice(-3) ?? [];
  const t = config.runbooks;
  return {
    threshold: config.thresholds.consumerLagRecords,
    growthThreshold: t.lagGrowthPerSecond,
    throughputFloor: t.throughputRatioFloor,
    pressureThreshold: t.resourcePressurePercent / 100,
    watermarkStuckMs: t.watermarkStuckMs,
    ...(latest === undefined ? {} : { totalLag: latest.totalLag }),
    ...(lag?.second === undefined ? {} : { logEndGrowth: logEndSum(lag.second) - logEndSum(lag.first) }),
    ...(recordsIn === undefined || recordsIn.length === 0
      ? {}
      : { latestRecordsIn: latestOf(recordsIn)!.value }),
    ...(growth === undefined ? {} : { growthPerSecond: growth }),
    ...(recordsIn === undefined || recordsIn.length === 0 ? {} : { recordsIn: sumOf(recordsIn) }),
    ...(recordsOut === undefined || recordsOut.length === 0 ? {} : { recordsOut: sumOf(recordsOut) }),
    ...(pressures.length === 0 ? {} : { maxPodPressure: Math.max(...pressures) }),
    ...(watermark === undefined || watermark.length === 0
      ? {}
      : { watermarkLagMs: latestOf(watermark)!.value }),
    ...(flinkLag === undefined ? {} : { flinkWatermarkLagMs: flinkLag }),
    ...(missing === undefined ? {} : { missingWatermarks: missing }),
    ...(firehose === undefined || firehose.length === 0
      ? {}
      : { recentFirehoseDeliveries: firehose.map((p) => p.value) }),
    ...(recent.length === 0
      ? {}
      : { enrichmentLatencyMs: recent.reduce((a, r) => a + r.apiLatencyMs, 0) / recent.length }),
  };
}

/** Current taskmanager replicas: the scale subresource, else the number of pods seen. */
export function currentReplicas(results: ProbeResults): number | undefined {
  const scale = probeValue<DeploymentScale>(results, "taskmanager-scale");
  if (scale !== undefined) return scale.replicas;
  return probeValue<PodUsage[]>(results, "pod-usage")?.length;
}

/** The seed doubles taskmanagers (4 -> 8), bounded by the configured maximum. */
export function proposedReplicas(current: number, config: AppConfig): number | undefined {
  const { maxReplicas, minReplicas } = config.actions.scaleTaskmanagers;
  const target = Math.min(maxReplicas, Math.max(current * 2, current + 1, minReplicas));
  return target > current ? target : undefined;
}
