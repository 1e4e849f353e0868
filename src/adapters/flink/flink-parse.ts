/**
 * Flink REST JSON -> our types. Pure and tolerant: fields Flink added or renamed between versions
 * are read under both names (checked against the REST API reference of Flink 1.15-2.x):
 * - checkpoint sizes: `checkpointed_size` (1.15+, incremental) and `state_size` (full; the only one before 1.15);
 * - summary percentiles p50/p90/p95/p99/p999 (absent on old versions; "NaN" strings while empty);
 * - back pressure level: `backpressure-level` and `backpressureLevel` (newer versions send both);
 * - exception location: `location` (<= 1.18) and `endpoint` (1.19+);
 * - exceptions: `exceptionHistory.entries` (1.13+) with `root-exception` as fallback (removed in 2.0);
 * - checkpoint trigger status: `failureCause` (CheckpointInfo) and `failure-cause` (other async operations).
 */
import { lastCausedBy } from "../../core/flink-log.ts";
import {
  type BackpressureLevel,
  type CheckpointBreakdown,
  type CheckpointConfig,
  type CheckpointRecord,
  type CheckpointStats,
  type CheckpointStatus,
  type FlinkClusterOverview,
  FlinkError,
  type FlinkJobDetails,
  type FlinkJobSummary,
  type FlinkMetricValues,
  type FlinkVertex,
  type JobException,
  type RestoredCheckpoint,
  type StatsSummary,
  type TaskManagerSummary,
  type VertexBackpressure,
  type VertexCheckpointBreakdown,
  type VertexWatermarks,
} from "../../ports/flink.ts";

type Json = Record<string, unknown>;

function invalid(what: string): FlinkError {
  return new FlinkError("invalid-response", `Flink REST sent an unexpected ${what}`);
}

export function record(value: unknown, what: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(what);
  return value as Json;
}

function optionalRecord(value: unknown): Json | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(what);
  return value;
}

/** A number, also from a numeric string (Flink metrics are strings); null for absent/NaN. */
export function num(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function first(json: Json, ...keys: string[]): unknown {
  for (const key of keys) if (json[key] !== undefined && json[key] !== null) return json[key];
  return undefined;
}

function numOr(json: Json, fallback: number, ...keys: string[]): number {
  return num(first(json, ...keys)) ?? fallback;
}

function str(json: Json, ...keys: string[]): string | null {
  const value = first(json, ...keys);
  return typeof value === "string" ? value : null;
}

function bool(json: Json, ...keys: string[]): boolean | null {
  const value = first(json, ...keys);
  return typeof value === "boolean" ? value : null;
}

/** Epoch ms -> Date; Flink uses -1 (or 0) for "never". */
function time(value: unknown): Date | null {
  const ms = num(value);
  return ms !== null && ms > 0 ? new Date(ms) : null;
}

export function parseOverview(value: unknown): FlinkClusterOverview {
  const json = record(value, "cluster overview");
  return {
    taskmanagers: numOr(json, 0, "taskmanagers"),
    slotsTotal: numOr(json, 0, "slots-total"),
    slotsAvailable: numOr(json, 0, "slots-available"),
    jobsRunning: numOr(json, 0, "jobs-running"),
    jobsFinished: numOr(json, 0, "jobs-finished"),
    jobsCancelled: numOr(json, 0, "jobs-cancelled"),
    jobsFailed: numOr(json, 0, "jobs-failed"),
    flinkVersion: str(json, "flink-version"),
  };
}

function jobSummary(json: Json, what: string): FlinkJobSummary {
  const id = str(json, "jid", "id");
  if (id === null) throw invalid(what);
  return {
    id,
    name: str(json, "name") ?? "",
    state: str(json, "state", "status") ?? "UNKNOWN",
    startTime: time(json["start-time"]),
    durationMs: Math.max(0, numOr(json, 0, "duration")),
  };
}

export function parseJobsOverview(value: unknown): FlinkJobSummary[] {
  const json = record(value, "jobs overview");
  return array(json.jobs, "jobs overview").map((job) => jobSummary(record(job, "job"), "job"));
}

function vertex(value: unknown): FlinkVertex {
  const json = record(value, "job vertex");
  const metrics = optionalRecord(json.metrics) ?? {};
  const id = str(json, "id");
  if (id === null) throw invalid("job vertex");
  return {
    id,
    name: str(json, "name") ?? "",
    parallelism: numOr(json, 0, "parallelism"),
    status: str(json, "status") ?? "UNKNOWN",
    metrics: {
      readRecords: numOr(metrics, 0, "read-records"),
      writeRecords: numOr(metrics, 0, "write-records"),
      readBytes: numOr(metrics, 0, "read-bytes"),
      writeBytes: numOr(metrics, 0, "write-bytes"),
      accumulatedBackpressuredMs: num(metrics["accumulated-backpressured-time"]),
      accumulatedBusyMs: num(metrics["accumulated-busy-time"]),
      accumulatedIdleMs: num(metrics["accumulated-idle-time"]),
    },
  };
}

export function parseJobDetails(value: unknown): FlinkJobDetails {
  const json = record(value, "job details");
  return {
    ...jobSummary(json, "job details"),
    maxParallelism: num(json.maxParallelism),
    vertices: array(json.vertices ?? [], "job vertices").map(vertex),
  };
}

function statsSummary(value: unknown): StatsSummary | null {
  const json = optionalRecord(value);
  if (json === null) return null;
  const min = num(json.min);
  const max = num(json.max);
  const avg = num(json.avg);
  if (min === null || max === null || avg === null) return null;
  return { min, max, avg, p50: num(json.p50), p90: num(json.p90), p99: num(json.p99) };
}

const STATUSES: readonly CheckpointStatus[] = ["IN_PROGRESS", "COMPLETED", "FAILED"];

function checkpointRecord(value: unknown): CheckpointRecord | null {
  const json = optionalRecord(value);
  if (json === null) return null;
  const id = num(json.id);
  const trigger = time(json.trigger_timestamp);
  if (id === null || trigger === null) throw invalid("checkpoint entry");
  const status = str(json, "status");
  const stateSize = numOr(json, 0, "state_size");
  return {
    id,
    status:
      STATUSES.find((s) => s === status) ?? (json.failure_message !== undefined ? "FAILED" : "COMPLETED"),
    isSavepoint: bool(json, "is_savepoint") ?? false,
    triggerTime: trigger,
    latestAckTime: time(json.latest_ack_timestamp),
    checkpointedSizeBytes: numOr(json, stateSize, "checkpointed_size"),
    stateSizeBytes: stateSize,
    endToEndDurationMs: numOr(json, 0, "end_to_end_duration", "duration"),
    acknowledgedSubtasks: numOr(json, 0, "num_acknowledged_subtasks"),
    totalSubtasks: numOr(json, 0, "num_subtasks"),
    externalPath: str(json, "external_path"),
    failureMessage: str(json, "failure_message"),
    failureTime: time(json.failure_timestamp),
  };
}

function restored(value: unknown): RestoredCheckpoint | null {
  const json = optionalRecord(value);
  if (json === null) return null;
  const id = num(json.id);
  if (id === null) return null;
  return {
    id,
    restoreTime: time(json.restore_timestamp) ?? new Date(0),
    isSavepoint: bool(json, "is_savepoint") ?? false,
    externalPath: str(json, "external_path"),
  };
}

export function parseCheckpoints(value: unknown): CheckpointStats {
  const json = record(value, "checkpoint statistics");
  const counts = optionalRecord(json.counts) ?? {};
  const summary = optionalRecord(json.summary) ?? {};
  const latest = optionalRecord(json.latest) ?? {};
  const completed = numOr(counts, 0, "completed");
  const stat = (...keys: string[]) => (completed > 0 ? statsSummary(first(summary, ...keys)) : null);
  const history = array(json.history ?? [], "checkpoint history")
    .map(checkpointRecord)
    .filter((entry): entry is CheckpointRecord => entry !== null)
    .sort((a, b) => b.id - a.id);
  return {
    counts: {
      restored: numOr(counts, 0, "restored"),
      total: numOr(counts, 0, "total"),
      inProgress: numOr(counts, 0, "in_progress"),
      completed,
      failed: numOr(counts, 0, "failed"),
    },
    summary: {
      checkpointedSizeBytes: stat("checkpointed_size", "state_size"),
      stateSizeBytes: stat("state_size"),
      endToEndDurationMs: stat("end_to_end_duration", "duration"),
    },
    latest: {
      completed: checkpointRecord(latest.completed),
      savepoint: checkpointRecord(latest.savepoint),
      failed: checkpointRecord(latest.failed),
      restored: restored(latest.restored),
    },
    history,
  };
}

export function parseCheckpointConfig(value: unknown): CheckpointConfig {
  const json = record(value, "checkpoint configuration");
  const externalization = optionalRecord(json.externalization) ?? {};
  const mode = first(json, "mode", "processingMode");
  return {
    mode: typeof mode === "string" ? mode.toLowerCase() : "unknown",
    intervalMs: numOr(json, 0, "interval"),
    timeoutMs: numOr(json, 0, "timeout"),
    minPauseMs: numOr(json, 0, "min_pause"),
    maxConcurrent: numOr(json, 1, "max_concurrent"),
    externalization: {
      enabled: bool(externalization, "enabled") ?? false,
      deleteOnCancellation: bool(externalization, "delete_on_cancellation") ?? false,
    },
    stateBackend: str(json, "state_backend"),
    checkpointStorage: str(json, "checkpoint_storage"),
    unalignedCheckpoints: bool(json, "unaligned_checkpoints"),
    tolerableFailedCheckpoints: num(json.tolerable_failed_checkpoints),
  };
}

/** Cuts a stack trace to `limit` characters on a line boundary. */
export function truncateStacktrace(text: string, limit: number): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  const cut = text.lastIndexOf("\n", limit);
  const kept = text.slice(0, cut > limit / 2 ? cut : limit);
  return { text: `${kept}\n… (${text.length - kept.length} more characters)`, truncated: true };
}

function exception(
  stacktrace: string,
  name: string | null,
  json: Json,
  limit: number,
  timeKey: string,
): JobException {
  const firstLine = (stacktrace.split("\n")[0] ?? "").trim();
  const cut = truncateStacktrace(stacktrace, limit);
  return {
    name: name ?? firstLine.split(":")[0]?.trim() ?? "unknown",
    message: firstLine,
    rootCause: lastCausedBy(stacktrace),
    stacktrace: cut.text,
    truncated: cut.truncated,
    time: time(json[timeKey]),
    taskName: str(json, "taskName", "task"),
    location: str(json, "location", "endpoint"),
  };
}

export function parseExceptions(value: unknown, max: number, stacktraceLimit: number): JobException[] {
  const json = record(value, "job exceptions");
  const history = optionalRecord(json.exceptionHistory);
  if (history !== null && Array.isArray(history.entries)) {
    const entries = history.entries
      .map((entry) => record(entry, "exception history entry"))
      .map((entry) =>
        exception(
          str(entry, "stacktrace") ?? "",
          str(entry, "exceptionName"),
          entry,
          stacktraceLimit,
          "timestamp",
        ),
      );
    if (entries.length > 0 || typeof json["root-exception"] !== "string") {
      return entries.sort((a, b) => (b.time?.getTime() ?? 0) - (a.time?.getTime() ?? 0)).slice(0, max);
    }
  }
  // Before the exception history (and as a fallback): all-exceptions (task failures, with their
  // task and location) and the root exception, which is listed first when it is not one of them.
  const all: JobException[] = [];
  for (const entry of Array.isArray(json["all-exceptions"]) ? json["all-exceptions"] : []) {
    const e = optionalRecord(entry);
    const text = e === null ? null : str(e, "exception");
    if (e !== null && text !== null) all.push(exception(text, null, e, stacktraceLimit, "timestamp"));
  }
  const root = str(json, "root-exception");
  const rootListed = root !== null && all.some((e) => root.startsWith(e.message));
  const result =
    root === null || rootListed ? all : [exception(root, null, json, stacktraceLimit, "timestamp"), ...all];
  return result.slice(0, max);
}

function level(value: unknown): BackpressureLevel | null {
  return value === "ok" || value === "low" || value === "high" ? value : null;
}

export function parseBackpressure(vertexId: string, value: unknown): VertexBackpressure {
  const json = record(value, "back pressure information");
  if (json.status !== "ok") {
    return { vertexId, status: "unavailable", level: null, measuredAt: null, subtasks: [] };
  }
  const subtasks = array(json.subtasks ?? [], "back pressure subtasks").map((entry) => {
    const s = record(entry, "back pressure subtask");
    const ratio = numOr(s, 0, "ratio", "backPressuredRatio");
    return {
      subtask: numOr(s, 0, "subtask"),
      level: level(first(s, "backpressure-level", "backpressureLevel")) ?? levelOf(ratio),
      ratio,
      busyRatio: num(s.busyRatio),
      idleRatio: num(s.idleRatio),
    };
  });
  return {
    vertexId,
    status: "ok",
    level: level(first(json, "backpressure-level", "backpressureLevel")),
    measuredAt: time(json["end-timestamp"]),
    subtasks: subtasks.sort((a, b) => a.subtask - b.subtask),
  };
}

/** Flink's thresholds (JobVertexBackPressureHandler): <= 0.10 ok, <= 0.5 low, above high. */
export function levelOf(ratio: number): BackpressureLevel {
  return ratio <= 0.1 ? "ok" : ratio <= 0.5 ? "low" : "high";
}

/** [{id, value}] of a metrics endpoint. */
function metricEntries(value: unknown): { id: string; value: unknown }[] {
  return array(value, "metrics list").map((entry) => {
    const json = record(entry, "metric");
    const id = str(json, "id");
    if (id === null) throw invalid("metric");
    return { id, value: json.value };
  });
}

/** Watermarks below this are Long.MIN_VALUE ("no watermark yet") or otherwise not a time. */
const NO_WATERMARK_BELOW = 1;

export function parseWatermarks(vertexId: string, value: unknown): VertexWatermarks {
  const subtasks = metricEntries(value)
    .map(({ id, value: v }) => {
      const match = /^(\d+)\.currentInputWatermark$/.exec(id);
      if (!match) return null;
      const ms = num(v);
      return {
        subtask: Number(match[1]),
        watermark: ms !== null && ms >= NO_WATERMARK_BELOW && ms < 8.64e15 ? new Date(ms) : null,
      };
    })
    .filter((entry): entry is { subtask: number; watermark: Date | null } => entry !== null)
    .sort((a, b) => a.subtask - b.subtask);
  const times = subtasks.map((s) => s.watermark);
  const min =
    times.length === 0 || times.some((t) => t === null)
      ? null
      : new Date(Math.min(...times.map((t) => (t as Date).getTime())));
  return { vertexId, subtasks, min };
}

export function parseMetrics(value: unknown): FlinkMetricValues {
  const result: Record<string, number> = {};
  for (const { id, value: v } of metricEntries(value)) {
    const n = num(v);
    if (n !== null) result[id] = n;
  }
  return result;
}

export function parseTaskmanagers(value: unknown, now: number): TaskManagerSummary[] {
  const json = record(value, "taskmanager list");
  return array(json.taskmanagers, "taskmanager list").map((entry) => {
    const tm = record(entry, "taskmanager");
    const id = str(tm, "id");
    if (id === null) throw invalid("taskmanager");
    // Despite its name, timeSinceLastHeartbeat is the epoch ms of the last heartbeat.
    const heartbeat = num(tm.timeSinceLastHeartbeat);
    return {
      id,
      path: str(tm, "path") ?? "",
      slotsTotal: numOr(tm, 0, "slotsNumber"),
      slotsFree: numOr(tm, 0, "freeSlots"),
      lastHeartbeatMsAgo:
        heartbeat === null ? null : heartbeat > 1e12 ? Math.max(0, now - heartbeat) : heartbeat,
    };
  });
}

/** The outcome of GET /jobs/:id/checkpoints/:triggerId. */
export type TriggerStatus =
  | { readonly state: "in-progress" }
  | { readonly state: "completed"; readonly checkpointId: number }
  | { readonly state: "failed"; readonly reason: string };

export function parseTriggerStatus(value: unknown): TriggerStatus {
  const json = record(value, "checkpoint trigger status");
  const status = optionalRecord(json.status);
  if (status?.id !== "COMPLETED") return { state: "in-progress" };
  const operation = optionalRecord(json.operation) ?? {};
  const cause = first(operation, "failureCause", "failure-cause");
  if (cause !== undefined) return { state: "failed", reason: failureReason(cause) };
  const checkpointId = num(operation.checkpointId);
  if (checkpointId === null) throw invalid("checkpoint trigger status (no checkpointId)");
  return { state: "completed", checkpointId };
}

/** A SerializedThrowable as Flink writes it: {class, stack-trace, serialized-throwable[, message]}. */
function failureReason(cause: unknown): string {
  if (typeof cause === "string") return cause.split("\n")[0] ?? cause;
  const json = optionalRecord(cause);
  if (json === null) return "unknown failure";
  const trace = str(json, "stack-trace");
  if (trace !== null) {
    // The root cause says the most: the last "Caused by:" line, else the first line.
    const lines = trace.split("\n").map((l) => l.trim());
    const causedBy = lines.filter((l) => l.startsWith("Caused by:")).pop();
    const head = lines[0] ?? "";
    return causedBy ? `${head} (${causedBy})` : head;
  }
  const cls = str(json, "class");
  const message = str(json, "message");
  return [cls, message].filter((p) => p !== null).join(": ") || "unknown failure";
}

/** GET /jobs/:jid/checkpoints/details/:cpid: the checkpoint and the ids of its vertices ("tasks"). */
export function parseCheckpointDetails(value: unknown): {
  checkpointId: number;
  status: CheckpointRecord["status"];
  endToEndDurationMs: number;
  checkpointedSizeBytes: number;
  vertexIds: string[];
} {
  const json = record(value, "checkpoint details");
  const entry = checkpointRecord(json);
  if (entry === null) throw invalid("checkpoint details");
  return {
    checkpointId: entry.id,
    status: entry.status,
    endToEndDurationMs: entry.endToEndDurationMs,
    checkpointedSizeBytes: entry.checkpointedSizeBytes,
    vertexIds: Object.keys(optionalRecord(json.tasks) ?? {}),
  };
}

/** The max of a {min, max, avg} statistic, or of the per-subtask values when the summary lacks it. */
function maxOfPhase(summary: unknown, values: readonly (number | null)[]): number | null {
  const fromSummary = num(optionalRecord(summary)?.max);
  if (fromSummary !== null) return fromSummary;
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

/**
 * GET /jobs/:jid/checkpoints/details/:cpid/subtasks/:vid (TaskCheckpointStatisticsWithSubtaskDetails):
 * per subtask `checkpoint: {sync, async}`, `alignment: {duration, ...}`, `start_delay`; acknowledged
 * subtasks only ("pending_or_failed" ones carry no numbers).
 */
export function parseVertexCheckpoint(vertexId: string, value: unknown): VertexCheckpointBreakdown {
  const json = record(value, "checkpoint subtask details");
  const summary = optionalRecord(json.summary) ?? {};
  const phases = optionalRecord(summary.checkpoint_duration) ?? {};
  const alignment = optionalRecord(summary.alignment) ?? {};
  const subtasks = (Array.isArray(json.subtasks) ? json.subtasks : [])
    .map((s) => optionalRecord(s))
    .filter((s): s is Json => s !== null && s.status === "completed");
  const per = (pick: (s: Json) => unknown) => subtasks.map((s) => num(pick(s)));
  return {
    vertexId,
    status: str(json, "status") ?? "UNKNOWN",
    checkpointedSizeBytes: numOr(json, numOr(json, 0, "state_size"), "checkpointed_size"),
    endToEndDurationMs: numOr(json, 0, "end_to_end_duration"),
    subtasks: numOr(json, 0, "num_subtasks"),
    acknowledgedSubtasks: numOr(json, 0, "num_acknowledged_subtasks"),
    maxSyncMs: maxOfPhase(
      phases.sync,
      per((s) => optionalRecord(s.checkpoint)?.sync),
    ),
    maxAsyncMs: maxOfPhase(
      phases.async,
      per((s) => optionalRecord(s.checkpoint)?.async),
    ),
    maxAlignmentMs: maxOfPhase(
      alignment.duration,
      per((s) => optionalRecord(s.alignment)?.duration),
    ),
    maxStartDelayMs: maxOfPhase(
      summary.start_delay,
      per((s) => s.start_delay),
    ),
  };
}

export function checkpointBreakdown(
  details: ReturnType<typeof parseCheckpointDetails>,
  vertices: readonly VertexCheckpointBreakdown[],
): CheckpointBreakdown {
  return {
    checkpointId: details.checkpointId,
    status: details.status,
    endToEndDurationMs: details.endToEndDurationMs,
    checkpointedSizeBytes: details.checkpointedSizeBytes,
    vertices,
  };
}
