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
