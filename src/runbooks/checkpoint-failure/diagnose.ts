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
export type FailureSource =
  | "checkpoint"
  | "failure-log"
  | "history"
  | "exception"
  | "jobmanager-log"
  | "taskmanager-log";

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
  /** failedInWindow is a lower bound: Flink's history keeps only its newest entries. */
  readonly failedInWindowAtLeast?: boolean;
  /** How the job restarts (numRestarts and the exception history); undefined when not read. */
  readonly restarts?: RestartSignals;
  /** The newest job failure's root cause (its last `Caused by:`). */
  readonly lastFailure?: string;
  /** The latest failed checkpoint's message when it names no cause (e.g. "Asynchronous task checkpoint failed."). */
  readonly bareMessage?: string;
  /** What the log sources gave when none named the cause, one phrase each. */
  readonly logsTried?: readonly string[];
  /** Status of the newest checkpoint that finished; undefined when none finished or not read. */
  readonly newestFinished?: "COMPLETED" | "FAILED";
  /** Failed checkpoints since the job (re)started, as Flink counts them. */
  readonly failedTotal?: number;
  /** Highest used fraction of a taskmanager's state volume; undefined when not read. */
  readonly maxVolumeUsed?: number;
  /** Used fraction from which a volume counts as full (the seed: "90%+ full"). */
  readonly diskFullFraction: number;
}

export interface RestartSignals {
  /** numRestarts now. */
  readonly total: number;
  /** How much numRestarts grew while this run read it, and over how long (ms). */
  readonly grewBy?: number;
  readonly overMs?: number;
  /** Job failures (exception history, newest 5 at most) in the alert's window. */
  readonly failuresInWindow?: number;
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
  "failure-log": "the jobmanager log's CheckpointFailureManager warning (its last Caused by)",
  history: "an earlier failed checkpoint's failure message",
  exception: "the job's exception history",
  "jobmanager-log": "the jobmanager log",
  "taskmanager-log": "a taskmanager log",
};

const KINDS: readonly KnownKind[] = ["s3-access-denied", "kms-denied", "disk-full", "timeout"];

/**
 * A restart delay shorter than the sampling shows a crash-looping job as RUNNING: numRestarts
 * growing while the bot reads, or two or more job failures (exception history) in the alert's
 * window, tell.
 */
export function isRestarting(s: CheckpointFailureSignals): boolean {
  const r = s.restarts;
  if (r === undefined) return false;
  // numRestarts can lag (a real Flink 1.20 answered 0 after three restarts): the exception
  // history's timestamps count too.
  // history's timestamps count too; the history can also trail numRestarts (Flink 2.1 archives a
  // failure after its restart): two restarts with one of them in the window is a loop as well.
  const inWindow = r.failuresInWindow ?? 0;
  return (r.grewBy ?? 0) > 0 || inWindow >= 2 || (r.total >= 2 && inWindow >= 1);
}

export function restartText(r: RestartSignals): string {
  const parts = r.total > 0 || r.failuresInWindow === undefined ? [`numRestarts ${r.total}`] : [];
  if (r.grewBy !== undefined && r.overMs !== undefined && r.grewBy > 0) {
    parts.push(`up ${r.grewBy} in the ${Math.max(1, Math.round(r.overMs / 1000))} s this run read it`);
  }
  if (r.failuresInWindow !== undefined && r.failuresInWindow > 0) {
    parts.push(
      `${r.failuresInWindow >= 5 ? "at least " : ""}${r.failuresInWindow} job failure(s) in the last 5 minutes`,
    );
  }
  return parts.join(", ");
}

export function isJobDown(s: CheckpointFailureSignals): boolean {
  const notRunning = s.jobState === null || (s.jobState !== undefined && s.jobState !== "RUNNING");
  return notRunning || (s.brokenPods?.length ?? 0) > 0 || isRestarting(s);
}

function downText(s: CheckpointFailureSignals): string {
  const parts: string[] = [];
  if (s.jobState === null) parts.push("Flink lists no job");
  else if (s.jobState !== undefined && s.jobState !== "RUNNING") parts.push(`the job is ${s.jobState}`);
  if (isRestarting(s) && s.restarts) {
    parts.push(
      `${s.jobState === "RUNNING" ? "the job shows RUNNING but keeps restarting" : "the job kept restarting"} (${restartText(s.restarts)})`,
    );
  }
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
      c.source === "checkpoint" ||
      c.source === "failure-log" ||
      c.source === "history" ||
      c.source === "exception"
        ? "high"
        : "medium";
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
        `intermittent: the newest checkpoint completed but ${failedText(s)} failed in the last 5 minutes`,
      );
    }
    return {
      cause: c.kind,
      confidence,
      because: `${SOURCE_TEXT[c.source]} says "${clipEvidence(c.source === "failure-log" ? lastMessage(c.evidence) : c.evidence)}"`,
      notes,
      openBranches: confidence === "high" ? [] : KINDS.filter((k) => k !== c.kind),
    };
  }

  if (down) {
    if (s.oomKilled) notes.push("a container was OOMKilled: see `/runbook memory`");
    return {
      cause: "job-down",
      confidence: s.lastFailure === undefined ? "medium" : "high",
      because:
        s.lastFailure === undefined
          ? `${downText(s)}, and no checkpoint message names a cause`
          : `${downText(s)}; the last failure: ${clipEvidence(s.lastFailure).replace(/\.$/, "")}`,
      notes,
      openBranches: KINDS,
    };
  }

  const read = s.failedInWindow !== undefined;
  const firstLine = s.bareMessage?.replace(/\s+/g, " ").trim();
  const bare =
    firstLine === undefined
      ? ""
      : /^(\S+: )?Asynchronous task checkpoint failed\.?$/.test(firstLine)
        ? `; Flink REST says only "${firstLine}"`
        : `; Flink's failure message ("${clipEvidence(firstLine, 120)}") names no known cause`;
  const logs =
    s.logsTried === undefined || s.logsTried.length === 0
      ? "no jobmanager log source is configured (Kubernetes, Flink's /jobmanager/log, CloudWatch Logs)"
      : `the jobmanager log did not name it (${s.logsTried.join("; ")})`;
  return {
    cause: "unknown",
    confidence: "low",
    because: read
      ? `${failedText(s)} failed in the last 5 minutes${bare}, and ${logs}: the cause is under the CheckpointFailureManager warning in the jobmanager log (its last "Caused by:")`
      : `the checkpoint history could not be read, and ${logs}`,
    notes,
    openBranches: KINDS,
  };
}

/** "13 checkpoint(s)", or "at least 10 checkpoint(s)" when the count comes from Flink's capped history. */
export function failedText(s: CheckpointFailureSignals): string {
  return `${s.failedInWindowAtLeast ? "at least " : ""}${s.failedInWindow ?? 0} checkpoint(s)`;
}

/** A root cause line's own message: what follows its last "...Exception: " (S3's "Access Denied (...)"). */
function lastMessage(line: string): string {
  const at = line.lastIndexOf("Exception: ");
  return at > 0 && at + 11 < line.length ? line.slice(at + 11) : line;
}

/** The deciding line, cut for a sentence (the full line is shown as evidence). */
export function clipEvidence(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
