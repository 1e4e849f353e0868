/**
 * FlinkPort over the JobManager REST API (plain fetch, no SDK). Endpoints (Flink 1.17-2.x):
 *   GET  /overview, /jobs/overview, /jobs/:id, /jobs/:id/checkpoints, /jobs/:id/checkpoints/config,
 *        /jobs/:id/exceptions?maxExceptions=N, /jobs/:id/vertices/:vid/backpressure,
 *        /jobs/:id/vertices/:vid/watermarks, /jobs/:id/metrics?get=..., /taskmanagers,
 *        /taskmanagers/:tm/metrics?get=..., /jobs/:id/checkpoints/details/:cpid[/subtasks/:vid],
 *        /jobmanager/log (text)
 *   POST /jobs/:id/checkpoints {"checkpointType":"CONFIGURED"} -> 202 {"request-id"}, then
 *   GET  /jobs/:id/checkpoints/:triggerId until status.id is COMPLETED (Flink 1.17+).
 */
import { type Clock, systemClock } from "../../ports/clock.ts";
import {
  type CheckpointBreakdown,
  type CheckpointConfig,
  type CheckpointStats,
  type CheckpointTriggerType,
  type FlinkClusterOverview,
  FlinkError,
  type FlinkJobDetails,
  type FlinkJobSummary,
  type FlinkMetricValues,
  type FlinkPort,
  type JobException,
  type JobManagerLog,
  type TaskManagerMemory,
  type TaskManagerSummary,
  type TriggeredCheckpoint,
  type VertexBackpressure,
  type VertexWatermarks,
} from "../../ports/flink.ts";
import { FlinkHttp, type FlinkHttpOptions } from "./flink-http.ts";
import {
  checkpointBreakdown,
  parseBackpressure,
  parseCheckpointConfig,
  parseCheckpointDetails,
  parseCheckpoints,
  parseExceptions,
  parseJobDetails,
  parseJobsOverview,
  parseMetrics,
  parseOverview,
  parseTaskmanagers,
  parseTriggerStatus,
  parseVertexCheckpoint,
  parseWatermarks,
  record,
} from "./flink-parse.ts";
import { pickJob } from "./pick-job.ts";

export interface FlinkRestOptions extends FlinkHttpOptions {
  /** Time between polls of a triggered checkpoint. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** How long triggerCheckpoint waits for the checkpoint by default. Default 120 s. */
  readonly triggerDeadlineMs?: number;
  /** Wait before asking again when Flink has not sampled back pressure yet. Default 1 s. */
  readonly backpressureRetryMs?: number;
  /** Stack traces in exceptions() are cut to this many characters. Default 4000. */
  readonly stacktraceChars?: number;
  readonly clock?: Clock;
}

/** Memory metrics of a taskmanager (names as in Flink's metrics reference). */
export const TASKMANAGER_MEMORY_METRICS = [
  "Status.JVM.Memory.Heap.Used",
  "Status.JVM.Memory.Heap.Max",
  "Status.Flink.Memory.Managed.Used",
  "Status.Flink.Memory.Managed.Total",
  "Status.JVM.Memory.Direct.MemoryUsed",
  "Status.JVM.GarbageCollector.All.Time",
  "Status.JVM.GarbageCollector.G1_Young_Generation.Time",
  "Status.JVM.GarbageCollector.G1_Old_Generation.Time",
] as const;

const seg = encodeURIComponent;

function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export class FlinkRest implements FlinkPort {
  readonly describeTarget: string;
  private readonly http: FlinkHttp;
  private readonly pollIntervalMs: number;
  private readonly triggerDeadlineMs: number;
  private readonly backpressureRetryMs: number;
  private readonly stacktraceChars: number;
  private readonly clock: Clock;

  constructor(options: FlinkRestOptions) {
    this.http = new FlinkHttp(options);
    this.describeTarget = `Flink REST ${this.http.target}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.triggerDeadlineMs = options.triggerDeadlineMs ?? 120_000;
    this.backpressureRetryMs = options.backpressureRetryMs ?? 1_000;
    this.stacktraceChars = options.stacktraceChars ?? 4_000;
    this.clock = options.clock ?? systemClock;
  }

  async overview(): Promise<FlinkClusterOverview> {
    return parseOverview(await this.http.get("/overview"));
  }

  async jobs(): Promise<FlinkJobSummary[]> {
    return parseJobsOverview(await this.http.get("/jobs/overview"));
  }

  async findJob(name?: string): Promise<FlinkJobSummary> {
    const jobs = await this.jobs();
    return pickJob(jobs, name, this.describeTarget);
  }

  async jobDetails(jobId: string): Promise<FlinkJobDetails> {
    return parseJobDetails(await this.http.get(`/jobs/${seg(jobId)}`, `job ${jobId}`));
  }

  async checkpoints(jobId: string): Promise<CheckpointStats> {
    return parseCheckpoints(await this.http.get(`/jobs/${seg(jobId)}/checkpoints`, `job ${jobId}`));
  }

  async checkpointConfig(jobId: string): Promise<CheckpointConfig> {
    return parseCheckpointConfig(
      await this.http.get(
        `/jobs/${seg(jobId)}/checkpoints/config`,
        `checkpoint configuration of job ${jobId}`,
      ),
    );
  }

  async exceptions(jobId: string, max = 10): Promise<JobException[]> {
    const json = await this.http.get(`/jobs/${seg(jobId)}/exceptions?maxExceptions=${max}`, `job ${jobId}`);
    return parseExceptions(json, max, this.stacktraceChars);
  }

  async vertexBackpressure(jobId: string, vertexId: string): Promise<VertexBackpressure> {
    const path = `/jobs/${seg(jobId)}/vertices/${seg(vertexId)}/backpressure`;
    const what = `vertex ${vertexId} of job ${jobId}`;
    // The first request only starts the metric fetch ("deprecated"); ask again once it had time.
    let result = parseBackpressure(vertexId, await this.http.get(path, what));
    // Flink answers "deprecated" for a vertex (or job) it does not have, too: check it exists.
    if (result.status === "unavailable") await this.requireVertex(jobId, vertexId);
    for (let retry = 0; retry < 2 && result.status === "unavailable"; retry++) {
      await this.clock.sleep(this.backpressureRetryMs);
      result = parseBackpressure(vertexId, await this.http.get(path, what));
    }
    return result;
  }

  /** Throws FlinkError "not-found" unless the job lists the vertex (GET /jobs/:id 404s for an unknown job). */
  private async requireVertex(jobId: string, vertexId: string): Promise<void> {
    const details = await this.jobDetails(jobId);
    if (!details.vertices.some((v) => v.id === vertexId)) {
      throw new FlinkError(
        "not-found",
        `vertex ${vertexId} of job ${jobId} not found on Flink REST at ${this.http.target} (the job has ${details.vertices.length} vertices)`,
        404,
      );
    }
  }

  async vertexWatermarks(jobId: string, vertexId: string): Promise<VertexWatermarks> {
    const json = await this.http.get(
      `/jobs/${seg(jobId)}/vertices/${seg(vertexId)}/watermarks`,
      `vertex ${vertexId} of job ${jobId}`,
    );
    return parseWatermarks(vertexId, json);
  }

  async jobMetrics(jobId: string, names: readonly string[]): Promise<FlinkMetricValues> {
    if (names.length === 0) return {};
    const get = names.map(seg).join(",");
    return parseMetrics(await this.http.get(`/jobs/${seg(jobId)}/metrics?get=${get}`, `job ${jobId}`));
  }

  async taskmanagers(): Promise<TaskManagerSummary[]> {
    return parseTaskmanagers(await this.http.get("/taskmanagers"), this.clock.now().getTime());
  }

  async taskmanagerMetrics(taskmanagerId: string, names: readonly string[]): Promise<FlinkMetricValues> {
    if (names.length === 0) return {};
    const get = names.map(seg).join(",");
    const metrics = parseMetrics(
      await this.http.get(
        `/taskmanagers/${seg(taskmanagerId)}/metrics?get=${get}`,
        `taskmanager ${taskmanagerId}`,
      ),
    );
    // Flink answers 200 [] for a taskmanager it does not know: tell that apart from "no such metric".
    if (
      Object.keys(metrics).length === 0 &&
      !(await this.taskmanagers()).some((tm) => tm.id === taskmanagerId)
    ) {
      throw new FlinkError(
        "not-found",
        `taskmanager ${taskmanagerId} not found on Flink REST at ${this.http.target} (not in /taskmanagers)`,
        404,
      );
    }
    return metrics;
  }

  async checkpointDetails(jobId: string, checkpointId: number): Promise<CheckpointBreakdown> {
    const base = `/jobs/${seg(jobId)}/checkpoints/details/${checkpointId}`;
    const what = `checkpoint ${checkpointId} of job ${jobId}`;
    const details = parseCheckpointDetails(await this.http.get(base, what));
    const vertices = await Promise.all(
      details.vertexIds.map(async (vid) =>
        parseVertexCheckpoint(vid, await this.http.get(`${base}/subtasks/${seg(vid)}`, what)),
      ),
    );
    return checkpointBreakdown(details, vertices);
  }

  async jobManagerLog(options: { readonly maxBytes?: number } = {}): Promise<JobManagerLog> {
    const { text, truncated } = await this.http.getTextTail(
      "/jobmanager/log",
      options.maxBytes ?? 1024 * 1024,
      "the JobManager log",
    );
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    return { lines, truncated };
  }

  async taskmanagerMemory(): Promise<TaskManagerMemory[]> {
    const tms = await this.taskmanagers();
    return Promise.all(
      tms.map(async (tm) =>
        memoryOf(tm.id, await this.taskmanagerMetrics(tm.id, TASKMANAGER_MEMORY_METRICS)),
      ),
    );
  }

  async triggerCheckpoint(
    jobId: string,
    options: { readonly type?: CheckpointTriggerType; readonly deadlineMs?: number } = {},
  ): Promise<TriggeredCheckpoint> {
    const deadlineMs = options.deadlineMs ?? this.triggerDeadlineMs;
    const started = this.clock.now().getTime();
    // Flink accepts a trigger for a job it does not have (202) and fails it later with a
    // FlinkJobNotFoundException; a later POST can then answer 500. Ask for the job first.
    await this.jobDetails(jobId);
    let requestId: string;
    try {
      const response = await this.http.call({
        method: "POST",
        path: `/jobs/${seg(jobId)}/checkpoints`,
        body: { checkpointType: options.type ?? "CONFIGURED" },
        what: `job ${jobId}`,
      });
      const id = record(response.json, "checkpoint trigger response")["request-id"];
      if (typeof id !== "string" || id === "") {
        throw new FlinkError(
          "invalid-response",
          "Flink REST accepted the checkpoint trigger but sent no request-id",
        );
      }
      requestId = id;
    } catch (error) {
      throw unsupportedOr(error, this.describeTarget);
    }
    for (;;) {
      const status = parseTriggerStatus(
        await this.http.get(
          `/jobs/${seg(jobId)}/checkpoints/${seg(requestId)}`,
          `checkpoint trigger ${requestId}`,
        ),
      );
      const waitedMs = this.clock.now().getTime() - started;
      if (status.state === "completed") return { requestId, checkpointId: status.checkpointId, waitedMs };
      if (status.state === "failed" && /FlinkJobNotFoundException/.test(status.reason)) {
        throw new FlinkError(
          "not-found",
          `job ${jobId} not found on Flink REST at ${this.http.target} (${status.reason})`,
          404,
        );
      }
      if (status.state === "failed") {
        throw new FlinkError(
          "checkpoint-failed",
          `the checkpoint triggered on job ${short(jobId)} failed: ${status.reason}`,
        );
      }
      if (waitedMs + this.pollIntervalMs > deadlineMs) {
        throw new FlinkError(
          "deadline",
          `the checkpoint triggered on job ${short(jobId)} (request ${short(requestId)}) is still in progress after ${Number((waitedMs / 1000).toFixed(1))} s; Flink keeps working on it`,
        );
      }
      await this.clock.sleep(this.pollIntervalMs);
    }
  }
}

/**
 * Before Flink 1.17 there is no POST handler on /jobs/:id/checkpoints: the router answers 404
 * "Not found: /jobs/.../checkpoints" (some proxies: 405).
 */
function unsupportedOr(error: unknown, target: string): unknown {
  if (
    error instanceof FlinkError &&
    (error.status === 405 || (error.status === 404 && /Not found: \//.test(error.message)))
  ) {
    return new FlinkError(
      "unsupported",
      `this Flink version cannot trigger checkpoints over REST (1.17+ needed); ${target} answered ${error.status}`,
      error.status,
    );
  }
  return error;
}

function memoryOf(id: string, m: FlinkMetricValues): TaskManagerMemory {
  const g1 = [
    m["Status.JVM.GarbageCollector.G1_Young_Generation.Time"],
    m["Status.JVM.GarbageCollector.G1_Old_Generation.Time"],
  ].filter((v): v is number => v !== undefined);
  return {
    id,
    heapUsedBytes: m["Status.JVM.Memory.Heap.Used"] ?? null,
    heapMaxBytes: m["Status.JVM.Memory.Heap.Max"] ?? null,
    managedUsedBytes: m["Status.Flink.Memory.Managed.Used"] ?? null,
    managedTotalBytes: m["Status.Flink.Memory.Managed.Total"] ?? null,
    directUsedBytes: m["Status.JVM.Memory.Direct.MemoryUsed"] ?? null,
    gcTimeMs:
      m["Status.JVM.GarbageCollector.All.Time"] ?? (g1.length > 0 ? g1.reduce((a, b) => a + b, 0) : null),
  };
}

export function createFlinkRest(options: FlinkRestOptions): FlinkPort {
  return new FlinkRest(options);
}
