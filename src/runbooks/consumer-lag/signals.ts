/** Pure: probe results -> the signals the consumer-lag diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import type { PodUsage } from "../../ports/kubernetes.ts";
import { flinkWatermarkLag, flinkWatermarksProbe, missingWatermarks } from "../flink-watermarks.ts";
import { podUsageProbe } from "../taskmanager-probes.ts";
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
