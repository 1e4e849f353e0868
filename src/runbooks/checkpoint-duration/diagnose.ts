/**
 * The deciding logic of the checkpoint-duration runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 2 branches (A checkpoint size growing = state leak, B network
 * slow = S3 upload slow, C RocksDB compaction pause) plus "below-threshold" (the duration is back
 * under the alert and not rising) and "unknown".
 */
import type { TrendDirection } from "../../core/metric-math.ts";
import type { Confidence } from "../../core/runbook.ts";

export type DurationCause =
  | "below-threshold"
  | "state-leak"
  | "sync-phase"
  | "network-slow"
  | "compaction"
  | "unknown";

/** Where the newest completed checkpoint's time went (the slowest subtask of each phase). */
export interface PhaseSignals {
  readonly checkpointId: number;
  readonly endToEndMs: number;
  /** Bytes the checkpoint wrote. */
  readonly bytes: number;
  readonly syncMs: number;
  readonly syncVertex: string;
  readonly asyncMs: number;
  readonly asyncVertex: string;
  readonly alignmentMs: number;
  readonly alignmentVertex: string;
}

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
  /** Bytes per checkpoint behind that throughput. */
  readonly checkpointBytes?: number;
  /** Below this many bytes a rate says nothing about the network. */
  readonly rateMinBytes: number;
  /** Share of the end-to-end duration from which a phase dominates. */
  readonly dominantShare: number;
  /** Flink's sync / async / alignment durations of the newest completed checkpoint. */
  readonly phases?: PhaseSignals;
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

function kib(bytes: number): string {
  return bytes < 2 ** 20 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
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

export type DominantPhase = "sync" | "async" | "alignment";

/** The phase that took most of the checkpoint, when one took at least `dominantShare` of it. */
export function dominantPhase(s: DurationSignals): DominantPhase | undefined {
  const p = s.phases;
  if (p === undefined || p.endToEndMs <= 0) return undefined;
  const ranked = (
    [
      ["sync", p.syncMs],
      ["async", p.asyncMs],
      ["alignment", p.alignmentMs],
    ] as const
  ).reduce((a, b) => (b[1] > a[1] ? b : a));
  return ranked[1] >= s.dominantShare * p.endToEndMs ? ranked[0] : undefined;
}

/** The rate means something: the checkpoint wrote enough bytes. */
export function rateMeaningful(s: DurationSignals): boolean {
  const bytes = s.phases?.bytes ?? s.checkpointBytes;
  return bytes !== undefined && bytes >= s.rateMinBytes;
}

/**
 * Whether the upload to S3 is slow. With Flink's phases: only when the async phase dominates,
 * judged by its rate when the checkpoint is big enough, else (a small upload taking most of a
 * checkpoint over the threshold) by S3's latency. Without phases: by the rate, for big checkpoints only.
 */
export function uploadSlow(s: DurationSignals): boolean {
  const rateSlow =
    s.throughputBytesPerSecond !== undefined && s.throughputBytesPerSecond < s.throughputFloorBytesPerSecond;
  if (s.phases !== undefined) {
    if (dominantPhase(s) !== "async") return false;
    // A small upload: slow only when it alone takes half the alert threshold (S3's latency).
    return rateMeaningful(s)
      ? s.phases.bytes / (s.phases.asyncMs / 1000) < s.throughputFloorBytesPerSecond
      : s.phases.asyncMs >= s.thresholdMs / 2;
  }
  return rateSlow && rateMeaningful(s);
}

export function diagnoseDuration(s: DurationSignals): DurationDiagnosis {
  const notes: string[] = [];
  const growing = stateGrowing(s);
  const slow = uploadSlow(s);
  const phase = dominantPhase(s);
  const p = s.phases;
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

  if (phase === "sync" && p !== undefined) {
    return {
      cause: "sync-phase",
      confidence: "high",
      because: `the synchronous phase took ${seconds(p.syncMs)} of checkpoint ${p.checkpointId}'s ${seconds(p.endToEndMs)} (${p.syncVertex}), the upload only ${seconds(p.asyncMs)}: a slow snapshotState or RocksDB memtable flush holds the task, not the network`,
      notes:
        growing === true
          ? [
              ...notes,
              "the state grows too, but the time is spent in the synchronous snapshot, not in writing more bytes",
            ]
          : notes,
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
        `uploads look slow too${s.throughputBytesPerSecond === undefined ? "" : ` (${mbPerSecond(s.throughputBytesPerSecond)})`}, as they do while compaction stalls the snapshot`,
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
    const sure = (growing === false && s.maxCompactionLines !== undefined) || phase === "async";
    const how =
      p !== undefined
        ? rateMeaningful(s)
          ? `the asynchronous phase (the upload) took ${seconds(p.asyncMs)} of checkpoint ${p.checkpointId}'s ${seconds(p.endToEndMs)}, at ${mbPerSecond(p.bytes / (p.asyncMs / 1000))} (under ${mbPerSecond(s.throughputFloorBytesPerSecond)}, the seed's 500 MB in 30 s)`
          : `the asynchronous phase (the upload) took ${seconds(p.asyncMs)} of checkpoint ${p.checkpointId}'s ${seconds(p.endToEndMs)} for only ${kib(p.bytes)}: S3 answers slowly (latency, not bandwidth)`
        : `checkpoints upload at only ${mbPerSecond(s.throughputBytesPerSecond!)} (under ${mbPerSecond(s.throughputFloorBytesPerSecond)}, the seed's 500 MB in 30 s)`;
    return {
      cause: "network-slow",
      confidence: sure ? "medium" : "low",
      because: `the state is ${growing === false ? "flat" : "of unknown trend"} but ${how}: the upload to S3 is slow`,
      notes,
      openBranches: sure
        ? []
        : [
            ...(growing === undefined ? (["state-leak"] as const) : []),
            ...(s.maxCompactionLines === undefined ? (["compaction"] as const) : []),
          ],
    };
  }

  if (phase === "alignment" && p !== undefined) {
    return {
      cause: "unknown",
      confidence: "medium",
      because: `checkpoint ${p.checkpointId} spent ${seconds(p.alignmentMs)} of ${seconds(p.endToEndMs)} aligning barriers (${p.alignmentVertex}): back pressure holds the barriers, not S3 or RocksDB (see \`/runbook lag\`)`,
      notes,
      openBranches: ["state-leak", "network-slow", "compaction"],
    };
  }

  const missing: string[] = [];
  if (s.latestDurationMs === undefined) missing.push("the checkpoint duration");
  if (growing === undefined) missing.push("the state trend");
  if (s.throughputBytesPerSecond === undefined && p === undefined) missing.push("the upload throughput");
  if (s.maxCompactionLines === undefined) missing.push("the compaction logs");
  return {
    cause: "unknown",
    confidence: "low",
    because:
      missing.length > 0
        ? `${missing.join(", ")} could not be read, and what was read does not single out a branch`
        : `checkpoints take ${seconds(s.latestDurationMs!)} with flat state, ${s.throughputBytesPerSecond === undefined ? "an unmeasured upload" : `${mbPerSecond(s.throughputBytesPerSecond)} uploads`} and quiet compaction: none of the seed's branches fits (barrier alignment under backpressure is the usual suspect: see \`/runbook lag\`)`,
    notes,
    openBranches: ["state-leak", "network-slow", "compaction"],
  };
}
