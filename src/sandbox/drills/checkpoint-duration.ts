/**
 * Drill scenarios of the checkpoint-duration runbook: one per branch of the seed's Step 2 (A state
 * leak, B network slow, C RocksDB compaction) plus the duration back under the threshold and a
 * slow checkpoint that none of the branches explains. Each world is the healthy simulated platform
 * with the hour of checkpoint_duration_ms (and what the story changes) scripted.
 */
import type { CheckpointRecord, CheckpointStats, FlinkPort, StatsSummary } from "../../ports/flink.ts";
import type { Ports } from "../../ports/index.ts";
import type { KubernetesPort } from "../../ports/kubernetes.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import { overridePorts, type SeriesScript, scriptedMetrics } from "./override-ports.ts";

type Build = DrillScenario["build"];

const MB = 2 ** 20;

function summarize(values: readonly number[]): StatsSummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return {
    min: sorted[0] ?? 0,
    max: sorted.at(-1) ?? 0,
    avg: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
  };
}

export interface CheckpointShape {
  /** Duration of the k-th newest completed checkpoint (0 = newest). */
  readonly durationMs: (k: number) => number;
  /** Bytes it wrote; default: what the healthy world wrote. */
  readonly checkpointedBytes?: (k: number, base: number) => number;
  /** Full state size; default: the healthy world's. */
  readonly stateBytes?: (k: number, base: number) => number;
}

/** Flink's checkpoint statistics with completed checkpoints reshaped, summaries recomputed. */
export function reshapeCheckpoints(stats: CheckpointStats, shape: CheckpointShape): CheckpointStats {
  let k = 0;
  const history: CheckpointRecord[] = stats.history.map((c) => {
    if (c.status !== "COMPLETED") return c;
    const i = k++;
    const durationMs = shape.durationMs(i);
    return {
      ...c,
      endToEndDurationMs: durationMs,
      latestAckTime: new Date(c.triggerTime.getTime() + durationMs),
      checkpointedSizeBytes: shape.checkpointedBytes?.(i, c.checkpointedSizeBytes) ?? c.checkpointedSizeBytes,
      stateSizeBytes: shape.stateBytes?.(i, c.stateSizeBytes) ?? c.stateSizeBytes,
    };
  });
  const done = history.filter((c) => c.status === "COMPLETED");
  return {
    ...stats,
    summary: {
      checkpointedSizeBytes: summarize(done.map((c) => c.checkpointedSizeBytes)),
      stateSizeBytes: summarize(done.map((c) => c.stateSizeBytes)),
      endToEndDurationMs: summarize(done.map((c) => c.endToEndDurationMs)),
    },
    latest: { ...stats.latest, completed: done[0] ?? null },
    history,
  };
}

/**
 * Flink's checkpoint statistics reshaped, and each checkpoint's phases (sync / async / alignment
 * per vertex) scaled to match: the same split of time and bytes as the healthy world's, where the
 * upload (async) takes most of a checkpoint.
 */
function reshaped(ports: Ports, shape: CheckpointShape): Partial<FlinkPort> {
  const flink = ports.flink!;
  const checkpoints = async (jobId: string) => reshapeCheckpoints(await flink.checkpoints(jobId), shape);
  return {
    checkpoints,
    checkpointDetails: async (jobId, checkpointId) => {
      const base = await flink.checkpointDetails(jobId, checkpointId);
      const entry = (await checkpoints(jobId)).history.find((c) => c.id === checkpointId);
      if (!entry) return base;
      const t = base.endToEndDurationMs > 0 ? entry.endToEndDurationMs / base.endToEndDurationMs : 1;
      const b = base.checkpointedSizeBytes > 0 ? entry.checkpointedSizeBytes / base.checkpointedSizeBytes : 1;
      const ms = (v: number | null) => (v === null ? null : Math.round(v * t));
      return {
        ...base,
        endToEndDurationMs: entry.endToEndDurationMs,
        checkpointedSizeBytes: entry.checkpointedSizeBytes,
        vertices: base.vertices.map((v) => ({
          ...v,
          checkpointedSizeBytes: Math.round(v.checkpointedSizeBytes * b),
          endToEndDurationMs: Math.round(v.endToEndDurationMs * t),
          maxSyncMs: ms(v.maxSyncMs),
          maxAsyncMs: ms(v.maxAsyncMs),
          maxAlignmentMs: ms(v.maxAlignmentMs),
          maxStartDelayMs: ms(v.maxStartDelayMs),
        })),
      };
    },
  };
}

/** `perPod` more compaction lines in every taskmanager's log (seen by a grep for "compaction"). */
function compacting(k8s: KubernetesPort, perPod: number): Partial<KubernetesPort> {
  return {
    podLogs: async (namespace, selector, query) => {
      const logs = await k8s.podLogs(namespace, selector, query);
      if (query?.grep?.toLowerCase() !== "compaction") return logs;
      return logs.map((l, p) => {
        const extra = Array.from(
          { length: perPod },
          (_, i) =>
            `2026-01-13 10:${String(16 + i).padStart(2, "0")}:0${p % 10},412 INFO  org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend [] - RocksDB compaction running: level 0 -> 1, ${10 + i} input files (${(1.1 + i / 10).toFixed(1)} GiB) in column family window-contents`,
        );
        return {
          ...l,
          lines: [...l.lines, ...extra].slice(-10),
          matched: l.matched + extra.length,
          truncated: true,
        };
      });
    },
  };
}

/** Rising from about 6 s an hour ago to `latestMs` now (index 0 = the newest minute). */
function risingTo(latestMs: number): SeriesScript {
  return (i) => Math.round(latestMs - ((latestMs - 6_000) * i) / 59);
}

/** LatencyP99 that spikes with the checkpoint duration. */
function latencyWith(duration: SeriesScript): SeriesScript {
  return (i, q) => 3_300 + Math.round((duration(i, q) ?? 0) / 8);
}

function scenario(
  branch: string,
  title: string,
  story: string,
  build: Build,
  expect: DrillScenario["expect"],
): DrillScenario {
  return { id: `checkpoint-duration/${branch}`, runbook: "checkpoint-duration", title, story, build, expect };
}

export const checkpointDurationDrills: readonly DrillScenario[] = [
  scenario(
    "state-leak",
    "State grows without bound",
    "A keyed state without TTL keeps every customer it has seen: StateBackendUsedBytes went from 1.3 GB to 6 GB in an hour and checkpoints from 6 s to 42 s.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const duration = risingTo(42_000);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          checkpoint_duration_ms: duration,
          StateBackendUsedBytes: (i) => 6_000_000_000 - i * 80_000_000,
          LatencyP99: latencyWith(duration),
        }),
        flink: reshaped(ports, {
          durationMs: (k) => 42_000 - k * 600,
          checkpointedBytes: (k) => 1_300 * MB - k * 12 * MB,
          stateBytes: (k) => 6_000_000_000 - k * 80_000_000,
        }),
      });
    },
    { cause: "state-leak", severity: "warning", proposes: [] },
  ),
  scenario(
    "network-slow",
    "S3 uploads slowed down",
    "State and checkpoint sizes are flat, but the same 120 MB now take 40 s to reach S3 (3 MB/s): the NAT gateway is saturated.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const duration = risingTo(40_000);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          checkpoint_duration_ms: duration,
          LatencyP99: latencyWith(duration),
        }),
        flink: reshaped(ports, { durationMs: (k) => 40_000 - k * 500 }),
      });
    },
    { cause: "network-slow", severity: "warning", proposes: [] },
  ),
  scenario(
    "compaction",
    "RocksDB compaction stalls checkpoints",
    "State is flat, but every taskmanager compacts level 0 continuously (a dozen compaction runs in 15 minutes): snapshots wait and take 38 s.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const duration = risingTo(38_000);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, { checkpoint_duration_ms: duration }),
        flink: reshaped(ports, { durationMs: (k) => 38_000 - k * 400 }),
        kubernetes: compacting(ports.kubernetes!, 12),
      });
    },
    { cause: "compaction", severity: "warning", proposes: [] },
  ),
  scenario(
    "below-threshold",
    "Checkpoint duration back to normal",
    "Checkpoints take 6-7 s, as they have all hour: the alert was a single slow checkpoint.",
    (clock) => healthyPlatform(clock).ports,
    { cause: "below-threshold", severity: "ok", proposes: [] },
  ),
  scenario(
    "unknown",
    "Slow checkpoints no branch explains",
    "Checkpoints have taken 40 s all hour with flat state, 30 MB/s uploads and quiet compaction: none of the seed's branches fits.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, { checkpoint_duration_ms: (i) => 40_000 + (i % 3) * 200 }),
        flink: reshaped(ports, { durationMs: () => 40_000, checkpointedBytes: () => 1_200 * MB }),
      });
    },
    { cause: "unknown", severity: "warning", proposes: [] },
  ),
];
