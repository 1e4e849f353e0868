/** Pure: probe results -> the signals the consumer-lag diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import type { PodUsage } from "../../ports/kubernetes.ts";
import { flinkWatermarkLag, flinkWatermarksProbe, missingWatermarks } from "../flink-watermarks.ts";
import { podUsageProbe, scaleProbe } from "../taskmanager-probes.ts";
import type { LagSignals } from "./diagnose.ts";
import {
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  lagProbe,
  recordsInProbe,
  recordsOutProbe,
  watermarkProbe,
} from "./probes.ts";

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
  const lag = read(results, lagProbe);
  const latest = lag?.second ?? lag?.first;
  const growth =
    lag?.second === undefined ? undefined : (lag.second.totalLag - lag.first.totalLag) / lag.intervalSeconds;
  const recordsIn = read(results, recordsInProbe);
  const recordsOut = read(results, recordsOutProbe);
  const pods = read(results, podUsageProbe);
  const pressures = (pods ?? []).map(podPressure).filter((p): p is number => p !== undefined);
  const watermark = read(results, watermarkProbe);
  const flink = read(results, flinkWatermarksProbe);
  const flinkLag = flink === undefined ? undefined : flinkWatermarkLag(flink);
  const missing = flink === undefined ? undefined : missingWatermarks(flink);
  const firehose = read(results, firehoseDeliveryProbe);
  const enrichment = read(results, enrichmentLatencyProbe);
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
  const scale = read(results, scaleProbe);
  if (scale !== undefined) return scale.replicas;
  return read(results, podUsageProbe)?.length;
}

/** The seed doubles taskmanagers (4 -> 8), bounded by the configured maximum. */
export function proposedReplicas(current: number, config: AppConfig): number | undefined {
  const { maxReplicas, minReplicas } = config.actions.scaleTaskmanagers;
  const target = Math.min(maxReplicas, Math.max(current * 2, current + 1, minReplicas));
  return target > current ? target : undefined;
}
