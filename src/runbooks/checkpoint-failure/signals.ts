/** Pure: probe results -> the signals the checkpoint-failure diagnosis decides on. */
import { classifyCheckpointFailureText } from "../../core/checkpoint-failure.ts";
import { failureChainText } from "../../core/flink-log.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { CheckpointRecord, CheckpointStats } from "../../ports/flink.ts";
import type { PodInfo, VolumeUsage } from "../../ports/kubernetes.ts";
import type {
  CheckpointFailureSignals,
  FailureClassification,
  FailureSource,
  RestartSignals,
} from "./diagnose.ts";
import {
  checkpointsProbe,
  exceptionsProbe,
  type JobmanagerLogRead,
  jobmanagerLogProbe,
  jobmanagerLogsProbe,
  jobmanagerPodsProbe,
  jobProbe,
  taskmanagerLogsProbe,
  taskmanagerPodsProbe,
  volumeUsageProbe,
} from "./probes.ts";

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
  const checkpoints = read(results, checkpointsProbe);
  const latestFailed = checkpoints?.stats.latest.failed;
  if (latestFailed?.failureMessage) out.push({ source: "checkpoint", text: latestFailed.failureMessage });
  // The jobmanager log's CheckpointFailureManager warnings, newest first: the cause Flink REST leaves out.
  const logged = read(results, jobmanagerLogProbe)?.failures ?? [];
  for (const f of [...logged].reverse()) out.push({ source: "failure-log", text: failureChainText(f) });
  for (const c of checkpoints?.stats.history ?? []) {
    if (c.status === "FAILED" && c.failureMessage && c.id !== latestFailed?.id) {
      out.push({ source: "history", text: c.failureMessage });
    }
  }
  // Only exceptions about checkpoints: a heartbeat "timed out" is not an S3 upload timeout.
  for (const e of read(results, exceptionsProbe) ?? []) {
    const text = [e.rootCause ?? "", e.stacktrace || e.message].filter(Boolean).join("\n");
    if (CHECKPOINT_RELATED.test(text)) out.push({ source: "exception", text });
  }
  for (const [logProbe, source] of [
    [jobmanagerLogsProbe, "jobmanager-log"],
    [taskmanagerLogsProbe, "taskmanager-log"],
  ] as const) {
    for (const log of read(results, logProbe) ?? []) {
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
  const tm = read(results, taskmanagerPodsProbe);
  const jm = read(results, jobmanagerPodsProbe);
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
  const job = read(results, jobProbe);
  const pods = allPods(results);
  const checkpoints = read(results, checkpointsProbe);
  const usage = read(results, volumeUsageProbe);
  const volumes = usage === undefined ? undefined : stateVolumes(usage, statePvc);
  const classification = classifyTexts(failureTexts(results));
  const newest = checkpoints?.stats.history.find((c) => c.status !== "IN_PROGRESS");
  const window =
    checkpoints === undefined
      ? undefined
      : failedCountInWindow(checkpoints.stats, checkpoints.readAt, job?.job?.startTime ?? null);
  const restarts = restartSignals(results);
  const exceptions = read(results, exceptionsProbe);
  const lastFailure = exceptions?.[0] ? (exceptions[0].rootCause ?? exceptions[0].message) : undefined;
  const latestMessage = checkpoints?.stats.latest.failed?.failureMessage ?? undefined;
  const jmLog = read(results, jobmanagerLogProbe);
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
    ...(checkpoints === undefined
      ? {}
      : {
          failedInWindow: window?.count ?? 0,
          ...(window?.atLeast ? { failedInWindowAtLeast: true } : {}),
          failedTotal: checkpoints.stats.counts.failed,
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
  const job = read(results, jobProbe);
  const first = job?.restarts;
  const checkpoints = read(results, checkpointsProbe);
  const second = checkpoints?.restarts;
  const latest = second ?? first;
  const exceptions = read(results, exceptionsProbe);
  const times = exceptions?.flatMap((e) => (e.time === null ? [] : [e.time])) ?? job?.failureTimes;
  if (latest === undefined && times === undefined) return undefined;
  const at = checkpoints?.readAt ?? latest?.at;
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
