/** Pure: probe results -> the signals the checkpoint-failure diagnosis decides on. */
import { classifyCheckpointFailureText } from "../../core/checkpoint-failure.ts";
import { failureChainText } from "../../core/flink-log.ts";
import { type ProbeResults, probeValue } from "../../core/runbook.ts";
import type { CheckpointRecord, CheckpointStats, JobException } from "../../ports/flink.ts";
import type { PodInfo, PodLog, VolumeUsage } from "../../ports/kubernetes.ts";
import type {
  CheckpointFailureSignals,
  FailureClassification,
  FailureSource,
  RestartSignals,
} from "./diagnose.ts";
import type { CheckpointsRead, JobmanagerLogRead, JobState } from "./probes.ts";

/** The seed: "If /data is 90%+ full". */
export const DISK_FULL_FRACTION = 0.9;
/** The alert's window: ">0 failures in 5 min window". */
export const ALERT_WINDOW_MS = 5 * 60_000;

const CHECKPOINT_RELATED = /checkpoint|snapshot|\bchk-\d+/i;

export interface TaggedText {
  readonly source: FailureSource;
  readonly text: string;
}

/** Every text that can say why checkpoints fail, newest and most authoritative first. */
export function failureTexts(results: ProbeResults): TaggedText[] {
  const out: TaggedText[] = [];
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const latestFailed = read?.stats.latest.failed;
  if (latestFailed?.failureMessage) out.push({ source: "checkpoint", text: latestFailed.failureMessage });
  // The jobmanager log's CheckpointFailureManager warnings, newest first: the cause Flink REST leaves out.
  const logged = probeValue<JobmanagerLogRead>(results, "jobmanager-log")?.failures ?? [];
  for (const f of [...logged].reverse()) out.push({ source: "failure-log", text: failureChainText(f) });
  for (const c of read?.stats.history ?? []) {
    if (c.status === "FAILED" && c.failureMessage && c.id !== latestFailed?.id) {
      out.push({ source: "history", text: c.failureMessage });
    }
  }
  // Only exceptions about checkpoints: a heartbeat "timed out" is not an S3 upload timeout.
  for (const e of probeValue<JobException[]>(results, "job-exceptions") ?? []) {
    const text = [e.rootCause ?? "", e.stacktrace || e.message].filter(Boolean).join("\n");
    if (CHECKPOINT_RELATED.test(text)) out.push({ source: "exception", text });
  }
  for (const [id, source] of [
    ["jobmanager-checkpoint-logs", "jobmanager-log"],
    ["taskmanager-checkpoint-logs", "taskmanager-log"],
  ] as const) {
    for (const log of probeValue<PodLog[]>(results, id) ?? []) {
      for (const line of [...log.lines].reverse()) out.push({ source, text: line });
    }
  }
  return out;
}

export function classifyTexts(texts: readonly TaggedText[]): FailureClassification | undefined {
  for (const t of texts) {
    const c = classifyCheckpointFailureText(t.text);
    if (c.kind !== "unknown" && c.evidence !== null) {
      return { kind: c.kind, evidence: c.evidence, source: t.source };
    }
  }
  return undefined;
}

/** A pod that is not running and ready, with the reason ("CrashLoopBackOff"), else undefined. */
export function podTrouble(pod: PodInfo): string | undefined {
  const waiting = pod.containers.find((c) => c.state === "waiting" || c.state === "terminated");
  if (pod.phase === "Running" && pod.ready && waiting === undefined) return undefined;
  const reason = waiting?.reason ?? pod.problem ?? (pod.ready ? pod.phase : `${pod.phase}, not ready`);
  const last = waiting?.lastTerminationReason;
  return last && last !== reason ? `${reason} (last run: ${last})` : reason;
}

export function isOomKilled(pod: PodInfo): boolean {
  return (
    pod.problem === "OOMKilled" ||
    pod.containers.some((c) => c.reason === "OOMKilled" || c.lastTerminationReason === "OOMKilled")
  );
}

export function allPods(results: ProbeResults): PodInfo[] | undefined {
  const tm = probeValue<PodInfo[]>(results, "taskmanager-pods");
  const jm = probeValue<PodInfo[]>(results, "jobmanager-pods");
  if (tm === undefined && jm === undefined) return undefined;
  return [...(jm ?? []), ...(tm ?? [])];
}

/**
 * Failed checkpoints in the alert window: Flink's history keeps only its newest entries (10 by
 * default), so it undercounts a fast failure rate. When the job started inside the window every
 * failure Flink counts (counts.failed) is in it; otherwise a history whose oldest entry is still
 * inside the window gives a lower bound.
 */
export function failedCountInWindow(
  stats: CheckpointStats,
  readAt: Date,
  jobStart: Date | null,
): { count: number; atLeast: boolean } {
  const inHistory = failedInWindow(stats.history, readAt).length;
  const from = readAt.getTime() - ALERT_WINDOW_MS;
  if (jobStart !== null && jobStart.getTime() >= from) {
    return { count: Math.max(inHistory, stats.counts.failed), atLeast: false };
  }
  const oldest = Math.min(...stats.history.map((c) => c.triggerTime.getTime()));
  const cut = stats.history.length > 0 && oldest >= from && stats.counts.total > stats.history.length;
  return { count: inHistory, atLeast: cut && inHistory > 0 };
}

/** Checkpoints that failed within the alert window before `readAt`. */
export function failedInWindow(history: readonly CheckpointRecord[], readAt: Date): CheckpointRecord[] {
  const from = readAt.getTime() - ALERT_WINDOW_MS;
  return history.filter((c) => c.status === "FAILED" && (c.failureTime ?? c.triggerTime).getTime() >= from);
}

/** The volumes backing the RocksDB state claim (by name, or per-pod claims named after it), else every claim. */
export function stateVolumes(usage: readonly VolumeUsage[], statePvc: string): VolumeUsage[] {
  const state = usage.filter((v) => v.claim === statePvc || v.claim?.startsWith(`${statePvc}-`));
  return state.length > 0 ? state : usage.filter((v) => v.claim !== null);
}

export function usedFraction(v: VolumeUsage): number {
  return v.capacityBytes > 0 ? v.usedBytes / v.capacityBytes : 0;
}

export function checkpointFailureSignals(results: ProbeResults, statePvc: string): CheckpointFailureSignals {
  const job = probeValue<JobState>(results, "job");
  const pods = allPods(results);
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const usage = probeValue<VolumeUsage[]>(results, "state-volume-usage");
  const volumes = usage === undefined ? undefined : stateVolumes(usage, statePvc);
  const classification = classifyTexts(failureTexts(results));
  const newest = read?.stats.history.find((c) => c.status !== "IN_PROGRESS");
  const window =
    read === undefined
      ? undefined
      : failedCountInWindow(read.stats, read.readAt, job?.job?.startTime ?? null);
  const restarts = restartSignals(results);
  const exceptions = probeValue<JobException[]>(results, "job-exceptions");
  const lastFailure = exceptions?.[0] ? (exceptions[0].rootCause ?? exceptions[0].message) : undefined;
  const latestMessage = read?.stats.latest.failed?.failureMessage ?? undefined;
  const jmLog = probeValue<JobmanagerLogRead>(results, "jobmanager-log");
  return {
    diskFullFraction: DISK_FULL_FRACTION,
    ...(job === undefined ? {} : { jobState: job.job?.state ?? null }),
    ...(pods === undefined
      ? {}
      : {
          brokenPods: pods.flatMap((p) => {
            const trouble = podTrouble(p);
            return trouble === undefined ? [] : [`${p.name}: ${trouble}`];
          }),
          oomKilled: pods.some(isOomKilled),
        }),
    ...(classification === undefined ? {} : { classification }),
    ...(read === undefined
      ? {}
      : {
          failedInWindow: window?.count ?? 0,
          ...(window?.atLeast ? { failedInWindowAtLeast: true } : {}),
          failedTotal: read.stats.counts.failed,
          ...(newest === undefined ? {} : { newestFinished: newest.status as "COMPLETED" | "FAILED" }),
        }),
    ...(volumes === undefined || volumes.length === 0
      ? {}
      : { maxVolumeUsed: Math.max(...volumes.map(usedFraction)) }),
    ...(restarts === undefined ? {} : { restarts }),
    ...(lastFailure === undefined ? {} : { lastFailure }),
    ...(latestMessage === undefined || classifyCheckpointFailureText(latestMessage).kind !== "unknown"
      ? {}
      : { bareMessage: latestMessage }),
    ...(jmLog === undefined
      ? {}
      : { logsTried: jmLog.tried.map((t) => `${SOURCE_NAME[t.source]}: ${t.outcome}`) }),
  };
}

const SOURCE_NAME: Record<JobmanagerLogRead["tried"][number]["source"], string> = {
  kubernetes: "jobmanager pods",
  "flink-rest": "Flink's /jobmanager/log",
  "cloudwatch-logs": "CloudWatch Logs",
};

/** numRestarts as read in Step 1 and again in Step 2, and the job failures in the alert window. */
export function restartSignals(results: ProbeResults): RestartSignals | undefined {
  const job = probeValue<JobState>(results, "job");
  const first = job?.restarts;
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const second = read?.restarts;
  const latest = second ?? first;
  const exceptions = probeValue<JobException[]>(results, "job-exceptions");
  const times = exceptions?.flatMap((e) => (e.time === null ? [] : [e.time])) ?? job?.failureTimes;
  if (latest === undefined && times === undefined) return undefined;
  const at = read?.readAt ?? latest?.at;
  const inWindow =
    at === undefined ? undefined : times?.filter((t) => t.getTime() >= at.getTime() - ALERT_WINDOW_MS).length;
  return {
    total: latest?.count ?? 0,
    ...(first !== undefined && second !== undefined
      ? { grewBy: second.count - first.count, overMs: second.at.getTime() - first.at.getTime() }
      : {}),
    ...(inWindow === undefined ? {} : { failuresInWindow: inWindow }),
  };
}

const KMS_KEY = /arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+/;
const PRINCIPAL =
  /arn:aws[\w-]*:(?:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)|iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+))/;

export interface AccessDetails {
  /** The key ARN when a failure text names it. */
  readonly keyArn?: string;
  /** The account of the role (from the denied principal), else of the key. */
  readonly account?: string;
  /** The role the message says was denied, when it names one. */
  readonly deniedRole?: string;
}

/** The KMS key and the denied principal (IAM or KMS denials), as far as the failure texts name them. */
export function accessDetails(texts: readonly TaggedText[]): AccessDetails {
  let keyArn: string | undefined;
  let account: string | undefined;
  let deniedRole: string | undefined;
  for (const { text } of texts) {
    keyArn ??= KMS_KEY.exec(text)?.[0];
    const p = PRINCIPAL.exec(text);
    if (p && deniedRole === undefined) {
      account = p[1] ?? p[3];
      deniedRole = p[2] ?? p[4];
    }
  }
  account ??= keyArn?.split(":")[4];
  return {
    ...(keyArn === undefined ? {} : { keyArn }),
    ...(account === undefined ? {} : { account }),
    ...(deniedRole === undefined ? {} : { deniedRole }),
  };
}
