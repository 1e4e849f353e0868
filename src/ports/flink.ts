/**
 * Flink (the JobManager's REST API), in our words: what the checkpoint, latency, completeness and
 * memory runbooks read, and the one write they make (a manual checkpoint).
 *
 * Times are Dates (null when Flink reports none), durations are milliseconds, sizes are bytes.
 */

/** A Flink job state as Flink spells it (RUNNING, FAILING, RESTARTING, FAILED, ...). */
export type FlinkJobState = string;

export interface FlinkClusterOverview {
  readonly taskmanagers: number;
  readonly slotsTotal: number;
  readonly slotsAvailable: number;
  readonly jobsRunning: number;
  readonly jobsFinished: number;
  readonly jobsCancelled: number;
  readonly jobsFailed: number;
  /** e.g. "1.18.1"; null when the server does not say. */
  readonly flinkVersion: string | null;
}

export interface FlinkJobSummary {
  readonly id: string;
  readonly name: string;
  readonly state: FlinkJobState;
  readonly startTime: Date | null;
  /** How long the job has run (or ran), in ms. */
  readonly durationMs: number;
}

/** Throughput and time counters of one vertex, summed over its subtasks since it started. */
export interface FlinkVertexMetrics {
  readonly readRecords: number;
  readonly writeRecords: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  /** Accumulated ms the subtasks were back-pressured / busy / idle; null before Flink 1.13. */
  readonly accumulatedBackpressuredMs: number | null;
  readonly accumulatedBusyMs: number | null;
  readonly accumulatedIdleMs: number | null;
}

export interface FlinkVertex {
  readonly id: string;
  /** e.g. "Source: Kafka orders.raw". */
  readonly name: string;
  readonly parallelism: number;
  /** The vertex's execution state: RUNNING, FAILED, ... */
  readonly status: string;
  readonly metrics: FlinkVertexMetrics;
}

export interface FlinkJobDetails extends FlinkJobSummary {
  readonly maxParallelism: number | null;
  readonly vertices: readonly FlinkVertex[];
}

/** min/max/avg and percentiles of one checkpoint statistic over the retained history. */
export interface StatsSummary {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** Percentiles; null on versions that only report min/max/avg. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export type CheckpointStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED";

export interface CheckpointRecord {
  readonly id: number;
  readonly status: CheckpointStatus;
  readonly isSavepoint: boolean;
  readonly triggerTime: Date;
  readonly latestAckTime: Date | null;
  /** Bytes this checkpoint wrote (incremental size since Flink 1.15; full size before). */
  readonly checkpointedSizeBytes: number;
  /** Full size of the state this checkpoint references. */
  readonly stateSizeBytes: number;
  readonly endToEndDurationMs: number;
  readonly acknowledgedSubtasks: number;
  readonly totalSubtasks: number;
  /** Where a completed checkpoint lives (e.g. s3://checkpoint-bucket/.../chk-41). */
  readonly externalPath: string | null;
  /** Why a failed checkpoint failed, as Flink put it. */
  readonly failureMessage: string | null;
  readonly failureTime: Date | null;
}

export interface RestoredCheckpoint {
  readonly id: number;
  readonly restoreTime: Date;
  readonly isSavepoint: boolean;
  readonly externalPath: string | null;
}

export interface CheckpointStats {
  readonly counts: {
    readonly restored: number;
    readonly total: number;
    readonly inProgress: number;
    readonly completed: number;
    readonly failed: number;
  };
  /** Over the completed checkpoints Flink retains; a field is null when Flink has no data yet. */
  readonly summary: {
    readonly checkpointedSizeBytes: StatsSummary | null;
    readonly stateSizeBytes: StatsSummary | null;
    readonly endToEndDurationMs: StatsSummary | null;
  };
  readonly latest: {
    readonly completed: CheckpointRecord | null;
    readonly savepoint: CheckpointRecord | null;
    readonly failed: CheckpointRecord | null;
    readonly restored: RestoredCheckpoint | null;
  };
  /** Recent checkpoints, newest first (Flink keeps web.checkpoints.history of them, 10 by default). */
  readonly history: readonly CheckpointRecord[];
}

export interface CheckpointConfig {
  /** "exactly_once" or "at_least_once". */
  readonly mode: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrent: number;
  readonly externalization: { readonly enabled: boolean; readonly deleteOnCancellation: boolean };
  readonly stateBackend: string | null;
  readonly checkpointStorage: string | null;
  readonly unalignedCheckpoints: boolean | null;
  readonly tolerableFailedCheckpoints: number | null;
}

export interface JobException {
  /** The exception class, e.g. java.io.IOException. */
  readonly name: string;
  /** The first line of the stack trace: class and message. */
  readonly message: string;
  /** The stack trace, cut to a length that fits a thread (see `truncated`). */
  readonly stacktrace: string;
  readonly truncated: boolean;
  readonly time: Date | null;
  /**
   * The last `Caused by:` of the whole stack trace (read before it was cut), e.g.
   * "java.lang.IllegalStateException: order 42 has no customer"; null when the trace has none.
   * For "JobException: Recovery is suppressed by ..." this is the failure that made the job give up.
   */
  readonly rootCause: string | null;
  /** The failing task, e.g. "Window(...) (2/4)#0"; null for global failures. */
  readonly taskName: string | null;
  /** host:port of the taskmanager the task ran on; null for global failures. */
  readonly location: string | null;
}

export type BackpressureLevel = "ok" | "low" | "high";

export interface VertexBackpressure {
  readonly vertexId: string;
  /** "unavailable" when Flink had not sampled the vertex yet, even after asking again. */
  readonly status: "ok" | "unavailable";
  readonly level: BackpressureLevel | null;
  readonly measuredAt: Date | null;
  readonly subtasks: readonly {
    readonly subtask: number;
    readonly level: BackpressureLevel;
    /** Share of time back-pressured, 0..1. */
    readonly ratio: number;
    readonly busyRatio: number | null;
    readonly idleRatio: number | null;
  }[];
}

export interface VertexWatermarks {
  readonly vertexId: string;
  /** Current input watermark per subtask; null when the subtask has none yet. */
  readonly subtasks: readonly { readonly subtask: number; readonly watermark: Date | null }[];
  /** The lowest subtask watermark (what holds windows back); null when any subtask has none. */
  readonly min: Date | null;
}

/** Metric name -> numeric value. Requested metrics Flink does not have, or not as numbers, are absent. */
export type FlinkMetricValues = Readonly<Record<string, number>>;

export interface TaskManagerSummary {
  readonly id: string;
  /** Akka/Pekko address, e.g. pekko.tcp://flink@10.0.1.12:6122/user/rpc/taskmanager_0. */
  readonly path: string;
  readonly slotsTotal: number;
  readonly slotsFree: number;
  readonly lastHeartbeatMsAgo: number | null;
}

export interface TaskManagerMemory {
  readonly id: string;
  readonly heapUsedBytes: number | null;
  readonly heapMaxBytes: number | null;
  readonly managedUsedBytes: number | null;
  readonly managedTotalBytes: number | null;
  readonly directUsedBytes: number | null;
  /** Cumulative GC ms of all collectors, when reported. */
  readonly gcTimeMs: number | null;
}

/** One vertex's share of one checkpoint, from its subtasks (the slowest subtask of each phase). */
export interface VertexCheckpointBreakdown {
  readonly vertexId: string;
  readonly status: string;
  readonly checkpointedSizeBytes: number;
  readonly endToEndDurationMs: number;
  readonly subtasks: number;
  readonly acknowledgedSubtasks: number;
  /** Longest synchronous part of a subtask (snapshotState, RocksDB memtable flush), ms; null when none acknowledged. */
  readonly maxSyncMs: number | null;
  /** Longest asynchronous part of a subtask (writing the state to the checkpoint storage), ms. */
  readonly maxAsyncMs: number | null;
  /** Longest barrier alignment of a subtask, ms. */
  readonly maxAlignmentMs: number | null;
  /** Longest wait from the trigger until the barrier reached a subtask, ms. */
  readonly maxStartDelayMs: number | null;
}

/** Where one checkpoint's time went, per vertex (/jobs/:jid/checkpoints/details/:cpid[/subtasks/:vid]). */
export interface CheckpointBreakdown {
  readonly checkpointId: number;
  readonly status: CheckpointStatus;
  readonly endToEndDurationMs: number;
  readonly checkpointedSizeBytes: number;
  readonly vertices: readonly VertexCheckpointBreakdown[];
}

/** The tail of the JobManager's log as Flink serves it (GET /jobmanager/log). */
export interface JobManagerLog {
  /** Lines, oldest first. */
  readonly lines: readonly string[];
  /** true when the start of the file was left out (only the tail was kept). */
  readonly truncated: boolean;
}

export type CheckpointTriggerType = "CONFIGURED" | "FULL";

export interface TriggeredCheckpoint {
  readonly requestId: string;
  readonly checkpointId: number;
  /** How long it took from the trigger until Flink reported it complete. */
  readonly waitedMs: number;
}

export interface FlinkPort {
  /** "Flink REST http://flink-jobmanager:8081", for messages. */
  readonly describeTarget: string;
  overview(): Promise<FlinkClusterOverview>;
  jobs(): Promise<FlinkJobSummary[]>;
  /**
   * "The" job the runbooks work on: the one named `name` when given (the newest if it ran
   * several times: a RUNNING one first), else the single RUNNING job. Throws FlinkError
   * "no-job" when there is none and "ambiguous-job" when several RUNNING jobs match.
   */
  findJob(name?: string): Promise<FlinkJobSummary>;
  jobDetails(jobId: string): Promise<FlinkJobDetails>;
  checkpoints(jobId: string): Promise<CheckpointStats>;
  checkpointConfig(jobId: string): Promise<CheckpointConfig>;
  /** Recent job failures, newest first (at most `max`, default 10). */
  exceptions(jobId: string, max?: number): Promise<JobException[]>;
  vertexBackpressure(jobId: string, vertexId: string): Promise<VertexBackpressure>;
  vertexWatermarks(jobId: string, vertexId: string): Promise<VertexWatermarks>;
  jobMetrics(jobId: string, names: readonly string[]): Promise<FlinkMetricValues>;
  taskmanagers(): Promise<TaskManagerSummary[]>;
  taskmanagerMetrics(taskmanagerId: string, names: readonly string[]): Promise<FlinkMetricValues>;
  /** Where one checkpoint's time went: per vertex, the slowest subtask's sync / async / alignment phases. */
  checkpointDetails(jobId: string, checkpointId: number): Promise<CheckpointBreakdown>;
  /**
   * The tail (at most `maxBytes`, default 1 MiB) of the JobManager's log file, where Flink serves
   * it. FlinkError "not-found" when the JobManager has no log file to serve (e.g. it logs to stdout).
   */
  jobManagerLog(options?: { readonly maxBytes?: number }): Promise<JobManagerLog>;
  /** Heap/managed/direct memory of every taskmanager (one metrics call each, in parallel). */
  taskmanagerMemory(): Promise<TaskManagerMemory[]>;
  /**
   * Triggers a checkpoint (Flink 1.17+) and waits until Flink reports it complete, failed, or the
   * deadline passes. FlinkError kinds: "unsupported" (older Flink), "checkpoint-failed",
   * "deadline" ("still in progress after N s").
   */
  triggerCheckpoint(
    jobId: string,
    options?: { readonly type?: CheckpointTriggerType; readonly deadlineMs?: number },
  ): Promise<TriggeredCheckpoint>;
}

export type FlinkErrorKind =
  /** Connection refused / reset / DNS: nothing answered. */
  | "unreachable"
  /** The server accepted the connection but did not answer in time. */
  | "timeout"
  /** The job, vertex or taskmanager does not exist. */
  | "not-found"
  /** The server answered with an error status (5xx, 4xx other than 404). */
  | "http"
  /** The answer was not the JSON Flink sends. */
  | "invalid-response"
  /** This Flink version cannot do it (e.g. trigger checkpoints over REST before 1.17). */
  | "unsupported"
  /** A triggered checkpoint failed; the message carries Flink's reason. */
  | "checkpoint-failed"
  /** A triggered checkpoint was still in progress at the deadline. */
  | "deadline"
  /** findJob: no job matched. */
  | "no-job"
  /** findJob: several RUNNING jobs matched. */
  | "ambiguous-job";

/** A Flink call that failed, with a stable kind and a message fit for a thread (no credentials). */
export class FlinkError extends Error {
  override readonly name = "FlinkError";
  constructor(
    readonly kind: FlinkErrorKind,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isFlinkError(error: unknown): error is FlinkError {
  return error instanceof FlinkError;
}
