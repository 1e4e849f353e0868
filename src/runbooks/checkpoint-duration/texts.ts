/** Static text of the checkpoint-duration runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { DominantPhase, DurationCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<DurationCause, string> = {
  "below-threshold": "checkpoint duration is back under the threshold",
  "state-leak": "A. checkpoint size growing (state leak)",
  "sync-phase": "slow synchronous snapshot (snapshotState / RocksDB flush)",
  "network-slow": "B. network slow (S3 upload slow)",
  compaction: "C. RocksDB compaction pause",
  unknown: "not determined",
};

export const PHASE_TEXT: Record<DominantPhase, string> = {
  sync: "the synchronous snapshot",
  async: "the upload (async)",
  alignment: "barrier alignment",
};

export const FIX_LINE: Record<DurationCause, string> = {
  "below-threshold": "no fix needed now.",
  "state-leak": "clear old state (evictor), reduce TTL, or emit windows more often (code change).",
  "sync-phase":
    "make the operator's snapshot cheap: no blocking I/O or big copies in snapshotState; with RocksDB, incremental checkpoints and smaller write buffers (code or configuration change).",
  "network-slow": "increase upload parallelism or accept slower checkpoints (configuration change).",
  compaction: "tune the compaction style or accept slower checkpoints (configuration change).",
  unknown: "work the three branches by hand.",
};

/** Titles and prose of the findings the step shows, by cause (static; the step adds names, numbers and proposals). */
export const FIX_TEXT = {
  "state-leak": {
    title: "If state growing: clear old state (human step, code change)",
    detail:
      "Clear old state with an evictor, reduce state TTL, or emit windows more often. The seed's evictor, for the windowed operator (the class is TumblingEventTimeWindows). Note that an evictor makes Flink keep every element of the window instead of a running aggregate: for keyed state outside windows (ValueState/MapState in process functions), a TTL is the cleanup that stops a leak.",
  },
  compaction: {
    title: "If RocksDB compacting: tune compaction or accept slower checkpoints (human step)",
    detail:
      "The seed's snippet sets two styles at once; pick one. LEVEL (the default) with dynamic level sizes keeps compactions small; UNIVERSAL writes less but compacts in big bursts. More background threads let compaction keep up between checkpoints.",
  },
  "below-threshold": {
    title: "No fix needed now",
    detail: "The duration is back under the threshold and not rising. Keep watching (Step 4).",
  },
} as const;
