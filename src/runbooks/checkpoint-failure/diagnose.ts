/**
 * The deciding logic of the checkpoint-failure runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 3 branches (A S3 permission denied, B KMS key denied, C RocksDB
 * disk full, D S3 upload timeout) plus what Step 1 can find instead (the job is down or
 * crash-looping without a recognisable checkpoint error; checkpoints complete again) and
 * "unknown" when no text says why.
 */
import type { CheckpointFailureKind } from "../../core/checkpoint-failure.ts";
import type { Confidence } from "../../core/runbook.ts";

export type CheckpointFailureCause =
  | "s3-access-denied"
  | "kms-denied"
  | "disk-full"
  | "timeout"
  | "job-down"
  | "recovered"
  | "unknown";

export type KnownKind = Exclude<CheckpointFailureKind, "unknown">;

/** Where the deciding text came from, strongest first. */
export type FailureSource = "checkpoint" | "history" | "exception" | "jobmanager-log" | "taskmanager-log";

export interface FailureClassification {
  readonly kind: KnownKind;
  /** The line that decided it. */
  readonly evidence: string;
  readonly source: FailureSource;
}

export interface CheckpointFailureSignals {
  /** Flink's job state (RUNNING, FAILED, RESTARTING...); null when Flink lists no job; undefined when not read. */
  readonly jobState?: string | null;
  /** Taskmanager/jobmanager pods not running and ready, as "pod: reason"; undefined when not read. */
  readonly brokenPods?: readonly string[];
  /** A pod's container was OOMKilled (now or its last run). */
  readonly oomKilled?: boolean;
  /** What the failure texts say, the newest that says anything; undefined when none does. */
  readonly classification?: FailureClassification;
  /** Failed checkpoints in the alert's 5-minute window; undefined when the history was not read. */
  readonly failedInWindow?: number;
  /** Status of the newest checkpoint that finished; undefined when none finished or not read. */
  readonly newestFinished?: "COMPLETED" | "FAILED";
  /** Failed checkpoints since the job (re)started, as Flink counts them. */
  readonly failedTotal?: number;
  /** Highest used fraction of a taskmanager's state volume; undefined when not read. */
  readonly maxVolumeUsed?: number;
  /** Used fraction from which a volume counts as full (the seed: "90%+ full"). */
  readonly diskFullFraction: number;
}

export interface CheckpointFailureDiagnosis {
  readonly cause: CheckpointFailureCause;
  readonly confidence: Confidence;
  /** Why, in one sentence with the values. */
  readonly because: string;
  /** Further evidence lines (conflicts, corroboration). */
  readonly notes: readonly string[];
  /** Branches still possible when the bot is not sure. */
  readonly openBranches: readonly CheckpointFailureCause[];
}

export const KIND_TITLE: Record<KnownKind, string> = {
  "s3-access-denied": "A. S3 permission denied",
  "kms-denied": "B. KMS key denied",
  "disk-full": "C. RocksDB disk full",
  timeout: "D. S3 upload timeout",
};

const SOURCE_TEXT: Record<FailureSource, string> = {
  checkpoint: "the latest failed checkpoint's failure message",
  history: "an earlier failed checkpoint's failure message",
  exception: "the job's exception history",
  "jobmanager-log": "the jobmanager log",
  "taskmanager-log": "a taskmanager log",
};

const KINDS: readonly KnownKind[] = ["s3-access-denied", "kms-denied", "disk-full", "timeout"];

export function isJobDown(s: CheckpointFailureSignals): boolean {
  const notRunning = s.jobState === null || (s.jobState !== undefined && s.jobState !== "RUNNING");
  return notRunning || (s.brokenPods?.length ?? 0) > 0;
}

function downText(s: CheckpointFailureSignals): string {
  const parts: string[] = [];
  if (s.jobState === null) parts.push("Flink lists no job");
  else if (s.jobState !== undefined && s.jobState !== "RUNNING") parts.push(`the job is ${s.jobState}`);
  if (s.brokenPods && s.brokenPods.length > 0) {
    parts.push(`${s.brokenPods.length} pod(s) not running: ${s.brokenPods.slice(0, 3).join(", ")}`);
  }
  return parts.join("; ");
}

export function diagnoseCheckpointFailure(s: CheckpointFailureSignals): CheckpointFailureDiagnosis {
  const down = isJobDown(s);
  const notes: string[] = [];
  const c = s.classification;

  if (!down && s.newestFinished === "COMPLETED" && s.failedInWindow === 0) {
    return {
      cause: "recovered",
      confidence: "high",
      because:
        s.failedTotal === 0
          ? "Flink counts no failed checkpoint for this job and the newest checkpoint completed"
          : "no checkpoint failed in the last 5 minutes and the newest one completed: checkpoints succeed again",
      notes: c ? [`earlier failures read as ${KIND_TITLE[c.kind]}: ${c.evidence}`] : [],
      openBranches: [],
    };
  }

  if (c) {
    let confidence: Confidence =
      c.source === "checkpoint" || c.source === "history" || c.source === "exception" ? "high" : "medium";
    if (c.kind === "disk-full" && s.maxVolumeUsed !== undefined) {
      if (s.maxVolumeUsed >= s.diskFullFraction) {
        confidence = "high";
        notes.push(
          `the fullest state volume is ${Math.round(s.maxVolumeUsed * 100)}% used (full from ${Math.round(s.diskFullFraction * 100)}%)`,
        );
      } else {
        confidence = "medium";
        notes.push(
          `conflict: the message says the disk is full but the fullest state volume is ${Math.round(s.maxVolumeUsed * 100)}% used now (a restart may have cleared it, or another volume filled up)`,
        );
      }
    }
    if (down) notes.push(`the job is down too: ${downText(s)}`);
    if (s.newestFinished === "COMPLETED" && (s.failedInWindow ?? 0) > 0) {
      notes.push(
        `intermittent: the newest checkpoint completed but ${s.failedInWindow} failed in the last 5 minutes`,
      );
    }
    return {
      cause: c.kind,
      confidence,
      because: `${SOURCE_TEXT[c.source]} says "${clipEvidence(c.evidence)}"`,
      notes,
      openBranches: confidence === "high" ? [] : KINDS.filter((k) => k !== c.kind),
    };
  }

  if (down) {
    if (s.oomKilled) notes.push("a container was OOMKilled: see `/runbook memory`");
    return {
      cause: "job-down",
      confidence: "medium",
      because: `${downText(s)}, and no checkpoint message names a cause`,
      notes,
      openBranches: KINDS,
    };
  }

  const read = s.failedInWindow !== undefined;
  return {
    cause: "unknown",
    confidence: "low",
    because: read
      ? `${s.failedInWindow} checkpoint(s) failed in the last 5 minutes, but no message, exception or log line names the cause`
      : "the checkpoint history could not be read and no log line names a cause",
    notes,
    openBranches: KINDS,
  };
}

/** The deciding line, cut for a sentence (the full line is shown as evidence). */
export function clipEvidence(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
