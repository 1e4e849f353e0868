/** Pure: probe results -> the signals the checkpoint-duration diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { CheckpointRecord } from "../../ports/flink.ts";
import type { PodLog } from "../../ports/kubernetes.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import type { DurationSignals, PhaseSignals } from "./diagnose.ts";
import {
  checkpointPhasesProbe,
  checkpointSizesProbe,
  compactionLogsProbe,
  durationProbe,
  flinkCheckpointsProbe,
  stateBytesProbe,
} from "./probes.ts";

/** The seed: "If > 30 seconds for 500 MB = network slow". */
export const THROUGHPUT_FLOOR_BYTES_PER_SECOND = (500 * 2 ** 20) / 30;
/**
 * Below this many bytes per checkpoint an upload "rate" measures request latency, not the network:
 * a healthy 50 KB checkpoint written in 60 ms is "0.8 MB/s". The network is judged by its rate only
 * from here (the seed's yardstick is 500 MB).
 */
export const RATE_MIN_BYTES = 16 * 2 ** 20;
/** A phase "dominates" a checkpoint when it takes at least this share of its end-to-end duration. */
export const DOMINANT_SHARE = 0.5;
/** Compaction log lines of one taskmanager in 15 minutes from which it counts as busy compacting. */
export const COMPACTION_BUSY_LINES = 5;

export function completedCheckpoints(results: ProbeResults): CheckpointRecord[] {
  const flink = read(results, flinkCheckpointsProbe);
  return (flink?.stats.history ?? [])
    .filter((c) => c.status === "COMPLETED")
    .sort((a, b) => a.triggerTime.getTime() - b.triggerTime.getTime());
}

export interface Throughput {
  readonly bytesPerSecond: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Where size and duration came from. */
  readonly source: "flink" | "logs";
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** avg_bytes / max_bytes of the seed's checkpoint sizes query, when it answered. */
export function logSizes(results: ProbeResults): { avg: number; max: number } | undefined {
  const row = read(results, checkpointSizesProbe)?.result.rows[0];
  const avg = numberOf(row?.avg_bytes);
  const max = numberOf(row?.max_bytes);
  return avg === undefined || max === undefined ? undefined : { avg, max };
}

/**
 * Implied upload throughput: bytes the retained completed checkpoints wrote over the time they
 * took (Flink); without Flink, the logged average checkpoint size over the latest duration.
 */
export function impliedThroughput(results: ProbeResults): Throughput | undefined {
  const done = completedCheckpoints(results).filter((c) => c.endToEndDurationMs > 0);
  if (done.length > 0) {
    const recent = done.slice(-5);
    const bytes = recent.reduce((a, c) => a + c.checkpointedSizeBytes, 0);
    const durationMs = recent.reduce((a, c) => a + c.endToEndDurationMs, 0);
    return {
      bytesPerSecond: bytes / (durationMs / 1000),
      bytes: bytes / recent.length,
      durationMs: durationMs / recent.length,
      source: "flink",
    };
  }
  const sizes = logSizes(results);
  const latest = latestOf(read(results, durationProbe) ?? []);
  if (sizes && latest && latest.value > 0) {
    return {
      bytesPerSecond: sizes.avg / (latest.value / 1000),
      bytes: sizes.avg,
      durationMs: latest.value,
      source: "logs",
    };
  }
  return undefined;
}

export function maxCompactionLines(logs: readonly PodLog[]): number | undefined {
  const answered = logs.filter((l) => l.error === null);
  return answered.length === 0 ? undefined : Math.max(...answered.map((l) => l.matched));
}

/** The slowest subtask of each phase over the newest completed checkpoint's vertices. */
export function phaseSignals(results: ProbeResults): PhaseSignals | undefined {
  const phases = read(results, checkpointPhasesProbe);
  if (!phases) return undefined;
  const { breakdown, names } = phases;
  const slowest = (pick: (v: (typeof breakdown.vertices)[number]) => number | null) => {
    let best: { ms: number; vertex: string } | undefined;
    for (const v of breakdown.vertices) {
      const ms = pick(v);
      if (ms !== null && (best === undefined || ms > best.ms))
        best = { ms, vertex: names[v.vertexId] ?? v.vertexId };
    }
    return best;
  };
  const sync = slowest((v) => v.maxSyncMs);
  const async = slowest((v) => v.maxAsyncMs);
  const alignment = slowest((v) => v.maxAlignmentMs);
  if (sync === undefined && async === undefined) return undefined;
  return {
    checkpointId: breakdown.checkpointId,
    endToEndMs: breakdown.endToEndDurationMs,
    bytes: breakdown.checkpointedSizeBytes,
    syncMs: sync?.ms ?? 0,
    syncVertex: sync?.vertex ?? "-",
    asyncMs: async?.ms ?? 0,
    asyncVertex: async?.vertex ?? "-",
    alignmentMs: alignment?.ms ?? 0,
    alignmentVertex: alignment?.vertex ?? "-",
  };
}

export function durationSignals(results: ProbeResults, config: AppConfig): DurationSignals {
  const durations = read(results, durationProbe) ?? [];
  const state = read(results, stateBytesProbe) ?? [];
  const done = completedCheckpoints(results);
  const latestMetric = latestOf(durations)?.value;
  const latestFlink = done.at(-1)?.endToEndDurationMs;
  const latestDurationMs = latestMetric ?? latestFlink;
  const durationTrend = trendOf(durations)?.direction;
  const stateTrend = trendOf(state)?.direction;
  const sizeTrend = trendOf(done.map((c) => ({ at: c.triggerTime, value: c.stateSizeBytes })))?.direction;
  const throughput = impliedThroughput(results);
  const logs = read(results, compactionLogsProbe);
  const compaction = logs === undefined ? undefined : maxCompactionLines(logs);
  const phases = phaseSignals(results);
  return {
    rateMinBytes: RATE_MIN_BYTES,
    dominantShare: DOMINANT_SHARE,
    ...(phases === undefined ? {} : { phases }),
    ...(throughput === undefined ? {} : { checkpointBytes: throughput.bytes }),
    thresholdMs: config.thresholds.checkpointDurationSeconds * 1000,
    throughputFloorBytesPerSecond: THROUGHPUT_FLOOR_BYTES_PER_SECOND,
    compactionBusyLines: COMPACTION_BUSY_LINES,
    ...(latestDurationMs === undefined ? {} : { latestDurationMs }),
    ...(durationTrend === undefined ? {} : { durationTrend }),
    ...(stateTrend === undefined ? {} : { stateTrend }),
    ...(sizeTrend === undefined ? {} : { checkpointSizeTrend: sizeTrend }),
    ...(throughput === undefined ? {} : { throughputBytesPerSecond: throughput.bytesPerSecond }),
    ...(compaction === undefined ? {} : { maxCompactionLines: compaction }),
  };
}

/** Pearson correlation of two series over their common timestamps; undefined under 3 pairs or no spread. */
export function correlation(a: readonly MetricPoint[], b: readonly MetricPoint[]): number | undefined {
  const byTime = new Map(b.map((p) => [p.at.getTime(), p.value]));
  const pairs = a.flatMap((p) => {
    const other = byTime.get(p.at.getTime());
    return other === undefined ? [] : [[p.value, other] as const];
  });
  if (pairs.length < 3) return undefined;
  const n = pairs.length;
  const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
  const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}
