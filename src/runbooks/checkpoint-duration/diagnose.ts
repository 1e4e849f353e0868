/**
 * The deciding logic of the checkpoint-duration runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 2 branches (A checkpoint size growing = state leak, B network
 * slow = S3 upload slow, C RocksDB compaction pause) plus "below-threshold" (the duration is back
 * under the alert and not rising) and "unknown".
 */
import type { TrendDirection } from "../../core/metric-math.ts";
import type { Confidence } from "../../core/runbook.ts";

export type DurationCause = "below-threshold" | "state-leak" | "network-slow" | "compaction" | "unknown";

export interface DurationSignals {
  /** The alert threshold, ms (seed: 30 s). */
  readonly thresholdMs: number;
  /** The newest checkpoint duration: checkpoint_duration_ms, else Flink's latest completed checkpoint. */
  readonly latestDurationMs?: number;
  /** checkpoint_duration_ms over the hour. */
  readonly durationTrend?: TrendDirection;
  /** StateBackendUsedBytes over the hour. */
  readonly stateTrend?: TrendDirection;
  /** Full state size of Flink's retained checkpoints (corroboration of stateTrend). */
  readonly checkpointSizeTrend?: TrendDirection;
  /** Implied upload throughput, bytes per second (checkpoint size / duration). */
  readonly throughputBytesPerSecond?: number;
  /** Below this the upload counts as slow (seed: 500 MB in over 30 s = slow). */
  readonly throughputFloorBytesPerSecond: number;
  /** Most compaction log lines of one taskmanager in the recent window. */
  readonly maxCompactionLines?: number;
  /** From this many lines a taskmanager counts as busy compacting. */
  readonly compactionBusyLines: number;
}

export interface DurationDiagnosis {
  readonly cause: DurationCause;
  readonly confidence: Confidence;
  readonly because: string;
  readonly notes: readonly string[];
  readonly openBranches: readonly DurationCause[];
}

const MB = 2 ** 20;

export function mbPerSecond(bytesPerSecond: number): string {
  return `${(bytesPerSecond / MB).toFixed(1)} MB/s`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Whether the state grows: StateBackendUsedBytes first, Flink's checkpoint sizes when the metric is missing. */
export function stateGrowing(s: DurationSignals): boolean | undefined {
  if (s.stateTrend !== undefined) return s.stateTrend === "rising";
  if (s.checkpointSizeTrend !== undefined) return s.checkpointSizeTrend === "rising";
  return undefined;
}

export function diagnoseDuration(s: DurationSignals): DurationDiagnosis {
  const notes: string[] = [];
  const growing = stateGrowing(s);
  const slow =
    s.throughputBytesPerSecond !== undefined && s.throughputBytesPerSecond < s.throughputFloorBytesPerSecond;
  const compacting = s.maxCompactionLines !== undefined && s.maxCompactionLines >= s.compactionBusyLines;

  if (
    s.latestDurationMs !== undefined &&
    s.latestDurationMs <= s.thresholdMs &&
    s.durationTrend !== "rising"
  ) {
    return {
      cause: "below-threshold",
      confidence: s.durationTrend === undefined ? "medium" : "high",
      because: `the latest checkpoint took ${seconds(s.latestDurationMs)}, at or under the ${seconds(s.thresholdMs)} threshold, and the hour's trend is ${s.durationTrend ?? "unknown"}`,
      notes,
      openBranches: [],
    };
  }

  if (growing === true) {
    const both = s.stateTrend === "rising" && s.checkpointSizeTrend === "rising";
    if (s.stateTrend === "rising" && s.checkpointSizeTrend === "flat") {
      notes.push("conflict: StateBackendUsedBytes rises but Flink's retained checkpoints are flat in size");
    }
    return {
      cause: "state-leak",
      confidence: both || (s.stateTrend === "rising" && s.durationTrend === "rising") ? "high" : "medium",
      because: `${s.stateTrend === "rising" ? "StateBackendUsedBytes" : "the checkpoint state size"} trended up over the hour: state is not clearing, so every checkpoint has more to write`,
      notes,
      openBranches: both ? [] : ["network-slow", "compaction"],
    };
  }

  if (compacting) {
    if (slow)
      notes.push(
        `uploads look slow too (${mbPerSecond(s.throughputBytesPerSecond!)}), as they do while compaction stalls the snapshot`,
      );
    return {
      cause: "compaction",
      confidence: growing === false ? "medium" : "low",
      because: `a taskmanager logged ${s.maxCompactionLines} RocksDB compaction lines in the last 15 minutes (busy from ${s.compactionBusyLines}) while the state is ${growing === false ? "flat" : "of unknown trend"}: compaction competes with the checkpoint`,
      notes,
      openBranches: ["network-slow"],
    };
  }

  if (slow) {
    const sure = growing === false && s.maxCompactionLines !== undefined;
    return {
      cause: "network-slow",
      confidence: sure ? "medium" : "low",
      because: `the state is ${growing === false ? "flat" : "of unknown trend"} but checkpoints upload at only ${mbPerSecond(s.throughputBytesPerSecond!)} (under ${mbPerSecond(s.throughputFloorBytesPerSecond)}, the seed's 500 MB in 30 s): the upload to S3 is slow`,
      notes,
      openBranches: sure
        ? []
        : [
            ...(growing === undefined ? (["state-leak"] as const) : []),
            ...(s.maxCompactionLines === undefined ? (["compaction"] as const) : []),
          ],
    };
  }

  const missing: string[] = [];
  if (s.latestDurationMs === undefined) missing.push("the checkpoint duration");
  if (growing === undefined) missing.push("the state trend");
  if (s.throughputBytesPerSecond === undefined) missing.push("the upload throughput");
  if (s.maxCompactionLines === undefined) missing.push("the compaction logs");
  return {
    cause: "unknown",
    confidence: "low",
    because:
      missing.length > 0
        ? `${missing.join(", ")} could not be read, and what was read does not single out a branch`
        : `checkpoints take ${seconds(s.latestDurationMs!)} with flat state, ${mbPerSecond(s.throughputBytesPerSecond!)} uploads and quiet compaction: none of the seed's branches fits (barrier alignment under backpressure is the usual suspect: see \`/runbook lag\`)`,
    notes,
    openBranches: ["state-leak", "network-slow", "compaction"],
  };
}
