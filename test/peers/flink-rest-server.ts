/**
 * A local Flink JobManager REST server for tests (node:http on 127.0.0.1, random port), answering
 * with the JSON shapes of Flink's REST API reference (docs/ops/rest_api, generated from the
 * MessageHeaders/ResponseBody classes; shapes of Flink 1.18 by default, cross-checked with the
 * 1.15 OpenAPI spec and the 2.x reference), seeded with the sandbox's pipeline.
 *
 * Serves:
 *   GET  /overview, /config, /jobs/overview, /jobs/:jid, /jobs/:jid/checkpoints,
 *        /jobs/:jid/checkpoints/config, /jobs/:jid/checkpoints/:triggerid (1.17+),
 *        /jobs/:jid/exceptions[?maxExceptions=N], /jobs/:jid/vertices/:vid/backpressure,
 *        /jobs/:jid/vertices/:vid/watermarks, /jobs/:jid/metrics[?get=a,b],
 *        /taskmanagers, /taskmanagers/:tmid/metrics[?get=a,b]
 *   POST /jobs/:jid/checkpoints  {"checkpointType": "CONFIGURED"|"FULL"|"INCREMENTAL"} -> 202 {"request-id"} (1.17+)
 *
 * Like the real server: unknown routes (including POST /jobs/:jid/checkpoints before 1.17) answer
 * 404 {"errors":["Not found: <uri>"]} (Flink's RouterHandler); an unknown job answers 404 with
 * the NotFoundException; a body that does not parse answers 400 "Request did not match expected
 * format ..."; metric values are strings; an absent watermark is Long.MIN_VALUE; the first
 * back-pressure request of a vertex answers {"status":"deprecated"} (the metric fetcher has not
 * fetched yet), later ones the sampled levels; a triggered checkpoint stays IN_PROGRESS for
 * `triggerPolls` status requests and then completes (or fails, per `triggerOutcome`).
 * Shapes by `version`: "1.14" (no checkpointed_size, no percentiles, root-exception only,
 * no checkpoint trigger), "1.16" (no checkpoint trigger), "1.18" (default; root-exception and
 * exceptionHistory, `location`), "2.0" (exceptionHistory only, `endpoint`).
 *
 * Every request is recorded (method, path, query, content type, parsed body) in `requests`.
 * `fail()` makes matching requests answer an error status or hang; `state.basicAuth` makes it
 * demand HTTP basic credentials, as a proxy in front of the JobManager would (Flink has no auth).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FlinkVersion = "1.14" | "1.16" | "1.18" | "2.0";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | null;
  /** Parsed JSON body; the raw text when it does not parse; undefined when empty. */
  readonly body: unknown;
}

export interface SeedVertex {
  id: string;
  name: string;
  parallelism: number;
  /** Back-pressure ratio per subtask (0..1) and busy ratio. */
  backpressureRatio: number;
  busyRatio: number;
  /** null: no watermark (sources). Else how far behind `now` the watermark is, ms. */
  watermarkLagMs: number | null;
  readRecords: number;
  writeRecords: number;
}

export interface SeedCheckpoint {
  id: number;
  status: "COMPLETED" | "FAILED" | "IN_PROGRESS";
  triggerTimestamp: number;
  durationMs: number;
  stateSize: number;
  checkpointedSize: number;
  failureMessage?: string;
  externalPath?: string;
}

export interface SeedJob {
  jid: string;
  name: string;
  state: string;
  startTime: number;
  endTime: number;
  vertices: SeedVertex[];
  checkpoints: SeedCheckpoint[];
  /** Exception history, newest first. */
  exceptions: {
    exceptionName: string;
    stacktrace: string;
    timestamp: number;
    taskName: string | null;
    location: string | null;
  }[];
  metrics: Record<string, string>;
}

export interface SeedTaskManager {
  id: string;
  ip: string;
  slots: number;
  freeSlots: number;
  metrics: Record<string, string>;
}

export interface FlinkRestState {
  version: FlinkVersion;
  jobs: SeedJob[];
  taskmanagers: SeedTaskManager[];
  /** Status requests a triggered checkpoint stays IN_PROGRESS for. */
  triggerPolls: number;
  triggerOutcome: "complete" | "fail" | "never";
  /** Back-pressure answers "deprecated" for the first request of each vertex. */
  backpressureWarmup: boolean;
  /** "user:password" a proxy in front of the JobManager demands (HTTP basic); 401 without it. */
  basicAuth?: string;
}

export interface Failure {
  readonly method?: string;
  /** Matches the path (no query). */
  readonly path?: string | RegExp;
  /** Status to answer (500, 503, ...); ignored with hang. */
  readonly status?: number;
  /** Raw body to send; default Flink's {"errors": [...]}. */
  readonly body?: string;
  /** Accept the request and never answer. */
  readonly hang?: boolean;
  /** Only the first N matching requests fail; default all. */
  readonly times?: number;
}

export interface FlinkRestServer {
  readonly url: string;
  readonly state: FlinkRestState;
  readonly requests: RecordedRequest[];
  /** The job id of "order-processing". */
  readonly jobId: string;
  fail(failure: Failure): void;
  clearFailures(): void;
  /** Triggers made over POST, by request id. */
  readonly triggers: ReadonlyMap<string, { jid: string; type: string; polls: number; checkpointId: number }>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Seed

const MB = 2 ** 20;
const GB = 2 ** 30;
export const ORDER_PROCESSING = "order-processing";

export const S3_ACCESS_DENIED_FAILURE =
  "org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed. " +
  "Caused by: java.nio.file.AccessDeniedException: s3a://checkpoint-bucket/state/order-processing/" +
  "chk-1041/_metadata: initiate MultiPartUpload on state/order-processing/chk-1041/_metadata: " +
  "com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; " +
  "Error Code: AccessDenied; Request ID: 7KX4M2Q9T1B8C3D5; S3 Extended Request ID: " +
  "pQ9bX2h+YbV0aU3k1L0mNnR8sT6uV5wX4yZ3a2B1c0D=; Proxy: null), S3 Extended Request ID: " +
  "pQ9bX2h+YbV0aU3k1L0mNnR8sT6uV5wX4yZ3a2B1c0D=:AccessDenied";

const ACCESS_DENIED_TRACE = `java.nio.file.AccessDeniedException: s3a://checkpoint-bucket/state/order-processing/chk-1041/_metadata: initiate MultiPartUpload on state/order-processing/chk-1041/_metadata: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 7KX4M2Q9T1B8C3D5; Proxy: null)
\tat org.apache.hadoop.fs.s3a.S3AUtils.translateException(S3AUtils.java:255)
\tat org.apache.hadoop.fs.s3a.Invoker.once(Invoker.java:119)
\tat org.apache.hadoop.fs.s3a.WriteOperationHelper.initiateMultiPartUpload(WriteOperationHelper.java:283)
\tat org.apache.flink.fs.s3.common.writer.S3RecoverableMultipartUploadFactory.getNewRecoverableUpload(S3RecoverableMultipartUploadFactory.java:68)
\tat org.apache.flink.runtime.state.filesystem.FsCheckpointStreamFactory$FsCheckpointStateOutputStream.closeAndGetHandle(FsCheckpointStreamFactory.java:354)
\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator.completePendingCheckpoint(CheckpointCoordinator.java:1270)
\tat java.base/java.lang.Thread.run(Unknown Source)`;

export function hexId(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 32; round++) {
    for (const c of `${seed}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 32);
}

/** The sandbox's pipeline: order-processing RUNNING at parallelism 4 on 4 taskmanagers. */
export function seedState(now = Date.now()): FlinkRestState {
  const start = now - 3 * 24 * 3600_000;
  const parallelism = 4;
  const vertex = (name: string, extra: Partial<SeedVertex>): SeedVertex => ({
    id: hexId(`vertex:${name}`),
    name,
    parallelism,
    backpressureRatio: 0.02,
    busyRatio: 0.35,
    watermarkLagMs: 4_000,
    readRecords: 0,
    writeRecords: 0,
    ...extra,
  });
  const checkpoints: SeedCheckpoint[] = [];
  for (let i = 0; i < 10; i++) {
    const id = 1042 - i;
    const trigger = now - (i + 1) * 60_000;
    const failed = id === 1041;
    checkpoints.push({
      id,
      status: failed ? "FAILED" : "COMPLETED",
      triggerTimestamp: trigger,
      durationMs: failed ? 1_234 : 5_000 + ((id * 7919) % 3_000),
      stateSize: 2.1 * GB + (id % 5) * 40 * MB,
      checkpointedSize: 180 * MB + (id % 7) * 9 * MB,
      ...(failed
        ? { failureMessage: S3_ACCESS_DENIED_FAILURE }
        : {
            externalPath: `s3://checkpoint-bucket/state/order-processing/${hexId("job:order-processing")}/chk-${id}`,
          }),
    });
  }
  const job: SeedJob = {
    jid: hexId("job:order-processing"),
    name: ORDER_PROCESSING,
    state: "RUNNING",
    startTime: start,
    endTime: -1,
    vertices: [
      vertex("Source: Kafka orders.raw", { watermarkLagMs: null, readRecords: 0, writeRecords: 912_400_000 }),
      vertex("enrichment -> Timestamps/Watermarks", { readRecords: 912_400_000, writeRecords: 911_800_000 }),
      vertex("Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator)", {
        readRecords: 911_800_000,
        writeRecords: 14_200_000,
        watermarkLagMs: 4_500,
      }),
      vertex("Sink: Firehose order-firehose", {
        readRecords: 14_200_000,
        writeRecords: 0,
        watermarkLagMs: 4_500,
      }),
    ],
    checkpoints,
    exceptions: [
      {
        exceptionName: "java.nio.file.AccessDeniedException",
        stacktrace: ACCESS_DENIED_TRACE,
        timestamp: now - 2 * 60_000 + 1_234,
        taskName: "Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator) (2/4)#0",
        location: "10.0.1.13:37651",
      },
    ],
    metrics: {
      uptime: String(now - start),
      downtime: "0",
      numRestarts: "0",
      lastCheckpointDuration: "6100",
      lastCheckpointSize: String(189 * MB),
      lastCheckpointFullSize: String(Math.round(2.2 * GB)),
      numberOfCompletedCheckpoints: "4310",
      numberOfFailedCheckpoints: "1",
      numberOfInProgressCheckpoints: "0",
    },
  };
  const finished: SeedJob = {
    ...job,
    jid: hexId("job:order-backfill"),
    name: "order-backfill",
    state: "FINISHED",
    startTime: start - 86_400_000,
    endTime: start - 80_000_000,
    vertices: [],
    checkpoints: [],
    exceptions: [],
    metrics: {},
  };
  const taskmanagers: SeedTaskManager[] = Array.from({ length: 4 }, (_, i) => ({
    id: `10.0.1.${11 + i}:6122-${hexId(`tm:${i}`).slice(0, 6)}`,
    ip: `10.0.1.${11 + i}`,
    slots: 1,
    freeSlots: 0,
    metrics: {
      "Status.JVM.Memory.Heap.Used": String(Math.round((3.1 + i * 0.1) * GB)),
      "Status.JVM.Memory.Heap.Max": String(4 * GB),
      "Status.JVM.Memory.Heap.Committed": String(4 * GB),
      "Status.Flink.Memory.Managed.Used": String(Math.round(1.6 * GB)),
      "Status.Flink.Memory.Managed.Total": String(2 * GB),
      "Status.JVM.Memory.Direct.MemoryUsed": String(310 * MB),
      "Status.JVM.GarbageCollector.G1_Young_Generation.Time": String(81_000 + i * 1_000),
      "Status.JVM.GarbageCollector.G1_Old_Generation.Time": "1200",
      "Status.JVM.CPU.Load": "0.41",
    },
  }));
  return {
    version: "1.18",
    jobs: [job, finished],
    taskmanagers,
    triggerPolls: 2,
    triggerOutcome: "complete",
    backpressureWarmup: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Responses

const LONG_MIN = "-9223372036854775808";

function stats(values: number[], withPercentiles: boolean): Record<string, number | string> {
  if (values.length === 0) {
    return withPercentiles
      ? { min: 0, max: 0, avg: 0, p50: "NaN", p90: "NaN", p95: "NaN", p99: "NaN", p999: "NaN" }
      : { min: 0, max: 0, avg: 0 };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const base = {
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    avg: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
  return withPercentiles
    ? { ...base, p50: pct(0.5), p90: pct(0.9), p95: pct(0.95), p99: pct(0.99), p999: pct(0.999) }
    : base;
}

function checkpointJson(c: SeedCheckpoint, job: SeedJob, version: FlinkVersion): Record<string, unknown> {
  const subtasks = job.vertices.reduce((n, v) => n + v.parallelism, 0);
  const done = c.status === "COMPLETED";
  const base: Record<string, unknown> = {
    className: done ? "completed" : c.status === "FAILED" ? "failed" : "in_progress",
    id: c.id,
    status: c.status,
    is_savepoint: false,
    savepointFormat: null,
    trigger_timestamp: c.triggerTimestamp,
    latest_ack_timestamp: c.triggerTimestamp + c.durationMs,
    state_size: done ? c.stateSize : 0,
    end_to_end_duration: c.durationMs,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: subtasks,
    num_acknowledged_subtasks: done ? subtasks : Math.max(0, subtasks - 3),
    checkpoint_type: "CHECKPOINT",
    tasks: {},
  };
  if (version !== "1.14") base.checkpointed_size = done ? c.checkpointedSize : 0;
  if (done) {
    base.external_path = c.externalPath ?? null;
    base.discarded = false;
  }
  if (c.status === "FAILED") {
    base.failure_timestamp = c.triggerTimestamp + c.durationMs;
    base.failure_message = c.failureMessage ?? null;
  }
  return base;
}

function checkpointingStatistics(job: SeedJob, version: FlinkVersion): unknown {
  const newestFirst = [...job.checkpoints].sort((a, b) => b.id - a.id);
  const completed = newestFirst.filter((c) => c.status === "COMPLETED");
  const failed = newestFirst.filter((c) => c.status === "FAILED");
  const p = version !== "1.14";
  const summary: Record<string, unknown> = {
    state_size: stats(
      completed.map((c) => c.stateSize),
      p,
    ),
    end_to_end_duration: stats(
      completed.map((c) => c.durationMs),
      p,
    ),
    alignment_buffered: stats(
      completed.map(() => 0),
      p,
    ),
  };
  if (p) {
    summary.checkpointed_size = stats(
      completed.map((c) => c.checkpointedSize),
      p,
    );
    summary.processed_data = stats(
      completed.map(() => 0),
      p,
    );
    summary.persisted_data = stats(
      completed.map(() => 0),
      p,
    );
  }
  // Checkpoints older than the retained history (Flink keeps web.checkpoints.history of them).
  const offset = completed.length > 0 ? 4301 : 0;
  const inProgress = newestFirst.filter((c) => c.status === "IN_PROGRESS").length;
  const latestCompleted = completed[0];
  const latestFailed = failed[0];
  return {
    counts: {
      restored: 0,
      total: offset + completed.length + failed.length + inProgress,
      in_progress: inProgress,
      completed: offset + completed.length,
      failed: failed.length,
    },
    summary,
    latest: {
      completed: latestCompleted ? checkpointJson(latestCompleted, job, version) : null,
      savepoint: null,
      failed: latestFailed ? checkpointJson(latestFailed, job, version) : null,
      restored: null,
    },
    history: newestFirst.map((c) => checkpointJson(c, job, version)),
  };
}

function jobDetails(job: SeedJob, now: number): unknown {
  const running = job.state === "RUNNING";
  return {
    jid: job.jid,
    name: job.name,
    isStoppable: false,
    state: job.state,
    "job-type": "STREAMING",
    "start-time": job.startTime,
    "end-time": job.endTime,
    duration: (running ? now : job.endTime) - job.startTime,
    maxParallelism: -1,
    now,
    timestamps: {
      CREATED: job.startTime - 120,
      INITIALIZING: job.startTime - 150,
      RUNNING: job.startTime + 900,
    },
    vertices: job.vertices.map((v) => ({
      id: v.id,
      slotSharingGroupId: hexId("ssg:default"),
      name: v.name,
      maxParallelism: 128,
      parallelism: v.parallelism,
      status: running ? "RUNNING" : job.state,
      "start-time": job.startTime + 900,
      "end-time": -1,
      duration: now - job.startTime - 900,
      tasks: { RUNNING: v.parallelism, FAILED: 0, CANCELED: 0, FINISHED: 0, CREATED: 0, DEPLOYING: 0 },
      metrics: {
        "read-bytes": v.readRecords * 412,
        "read-bytes-complete": true,
        "write-bytes": v.writeRecords * 412,
        "write-bytes-complete": true,
        "read-records": v.readRecords,
        "read-records-complete": true,
        "write-records": v.writeRecords,
        "write-records-complete": true,
        "accumulated-backpressured-time": Math.round((now - job.startTime) * v.backpressureRatio),
        "accumulated-idle-time": Math.round((now - job.startTime) * (1 - v.busyRatio - v.backpressureRatio)),
        "accumulated-busy-time": (now - job.startTime) * v.busyRatio,
      },
    })),
    "status-counts": { RUNNING: job.vertices.length },
    plan: { jid: job.jid, name: job.name, type: "STREAMING", nodes: [] },
  };
}

function exceptionsJson(job: SeedJob, version: FlinkVersion, max: number): unknown {
  const entries = job.exceptions.slice(0, max).map((e) => ({
    exceptionName: e.exceptionName,
    stacktrace: e.stacktrace,
    timestamp: e.timestamp,
    taskName: e.taskName,
    ...(version === "2.0" ? { endpoint: e.location } : { location: e.location }),
    taskManagerId:
      e.location === null ? null : `${e.location.split(":")[0]}:6122-${hexId(e.location).slice(0, 6)}`,
    failureLabels: {},
    concurrentExceptions: [],
  }));
  const root = job.exceptions[0];
  const legacy = {
    "root-exception": root?.stacktrace ?? null,
    timestamp: root?.timestamp ?? null,
    "all-exceptions": job.exceptions.slice(0, max).map((e) => ({
      exception: e.stacktrace,
      task: e.taskName,
      location: e.location,
      timestamp: e.timestamp,
    })),
    truncated: job.exceptions.length > max,
  };
  if (version === "1.14") return legacy;
  const history = { exceptionHistory: { entries, truncated: job.exceptions.length > max } };
  return version === "2.0" ? history : { ...legacy, ...history };
}

function errors(...messages: string[]): string {
  return JSON.stringify({ errors: messages });
}

function serverSide(exception: string): string {
  return `<Exception on server side:\n${exception}\n\tat org.apache.flink.runtime.rest.handler.AbstractRestHandler.respondToRequest(AbstractRestHandler.java:83)\n\nEnd of exception on server side>`;
}

// ---------------------------------------------------------------------------------------------
// Server

export async function startFlinkRestServer(
  options: { state?: FlinkRestState; now?: () => number } = {},
): Promise<FlinkRestServer> {
  const now = options.now ?? Date.now;
  const state = options.state ?? seedState(now());
  const requests: RecordedRequest[] = [];
  const failures: { failure: Failure; used: number }[] = [];
  const triggers = new Map<string, { jid: string; type: string; polls: number; checkpointId: number }>();
  const sampled = new Set<string>();

  const send = (res: ServerResponse, status: number, body: unknown, raw = false) => {
    const text = raw ? String(body) : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json; charset=UTF-8",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  };
  const notFound = (res: ServerResponse, uri: string) => send(res, 404, errors(`Not found: ${uri}`), true);
  const jobNotFound = (res: ServerResponse, jid: string) =>
    send(
      res,
      404,
      errors(
        `org.apache.flink.runtime.rest.NotFoundException: Job ${jid} not found\n\tat org.apache.flink.runtime.rest.handler.job.AbstractExecutionGraphHandler.lambda$handleRequest$1(AbstractExecutionGraphHandler.java:99)`,
      ),
      true,
    );

  const metricsAnswer = (res: ServerResponse, metrics: Record<string, string>, get: string | undefined) => {
    if (get === undefined)
      return send(
        res,
        200,
        Object.keys(metrics).map((id) => ({ id })),
      );
    const names = get.split(",").filter((n) => n !== "");
    return send(
      res,
      200,
      names.filter((n) => metrics[n] !== undefined).map((id) => ({ id, value: metrics[id] })),
    );
  };

  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ) => {
    const method = req.method ?? "GET";
    const uri = req.url ?? path;
    const parts = path.split("/").filter((p) => p !== "");
    const t = now();
    const triggerSupported = state.version === "1.18" || state.version === "2.0";
    const findJob = (jid: string | undefined) => state.jobs.find((j) => j.jid === jid);

    if (method === "GET" && path === "/overview") {
      const running = state.jobs.filter((j) => j.state === "RUNNING").length;
      return send(res, 200, {
        taskmanagers: state.taskmanagers.length,
        "slots-total": state.taskmanagers.reduce((n, tm) => n + tm.slots, 0),
        "slots-available": state.taskmanagers.reduce((n, tm) => n + tm.freeSlots, 0),
        "jobs-running": running,
        "jobs-finished": state.jobs.filter((j) => j.state === "FINISHED").length,
        "jobs-cancelled": state.jobs.filter((j) => j.state === "CANCELED").length,
        "jobs-failed": state.jobs.filter((j) => j.state === "FAILED").length,
        "flink-version": { "1.14": "1.14.6", "1.16": "1.16.3", "1.18": "1.18.1", "2.0": "2.0.0" }[
          state.version
        ],
        "flink-commit": "a8c8b1c",
      });
    }
    if (method === "GET" && path === "/config") {
      return send(res, 200, {
        "refresh-interval": 3000,
        "timezone-name": "Coordinated Universal Time",
        "timezone-offset": 0,
        "flink-version": state.version,
        "flink-revision": "a8c8b1c @ 2024-01-01T00:00:00+01:00",
        features: { "web-submit": false, "web-cancel": false, "web-rescale": false, "web-history": false },
      });
    }
    if (method === "GET" && path === "/jobs/overview") {
      return send(res, 200, {
        jobs: state.jobs.map((j) => ({
          jid: j.jid,
          name: j.name,
          state: j.state,
          "start-time": j.startTime,
          "end-time": j.endTime,
          duration: (j.state === "RUNNING" ? t : j.endTime) - j.startTime,
          "last-modification": j.startTime + 900,
          tasks: {
            running: j.state === "RUNNING" ? j.vertices.reduce((n, v) => n + v.parallelism, 0) : 0,
            canceling: 0,
            canceled: 0,
            total: j.vertices.reduce((n, v) => n + v.parallelism, 0),
            created: 0,
            scheduled: 0,
            deploying: 0,
            reconciling: 0,
            finished: j.state === "FINISHED" ? j.vertices.reduce((n, v) => n + v.parallelism, 0) : 0,
            initializing: 0,
            failed: 0,
          },
        })),
      });
    }
    if (method === "GET" && path === "/taskmanagers") {
      return send(res, 200, {
        taskmanagers: state.taskmanagers.map((tm, i) => ({
          id: tm.id,
          path: `pekko.tcp://flink@${tm.ip}:6122/user/rpc/taskmanager_0`,
          dataPort: 6121,
          jmxPort: -1,
          timeSinceLastHeartbeat: t - 1_500 - i * 200,
          slotsNumber: tm.slots,
          freeSlots: tm.freeSlots,
          totalResource: {
            cpuCores: tm.slots,
            taskHeapMemory: 3686,
            taskOffHeapMemory: 0,
            managedMemory: 2048,
            networkMemory: 512,
            extendedResources: {},
          },
          freeResource: {
            cpuCores: tm.freeSlots,
            taskHeapMemory: 0,
            taskOffHeapMemory: 0,
            managedMemory: 0,
            networkMemory: 0,
            extendedResources: {},
          },
          hardware: { cpuCores: 2, physicalMemory: 8 * GB, freeMemory: 4 * GB, managedMemory: 2 * GB },
          memoryConfiguration: {
            frameworkHeap: 128 * MB,
            taskHeap: 3686 * MB,
            frameworkOffHeap: 128 * MB,
            taskOffHeap: 0,
            networkMemory: 512 * MB,
            managedMemory: 2 * GB,
            jvmMetaspace: 256 * MB,
            jvmOverhead: 800 * MB,
            totalFlinkMemory: 6.5 * GB,
            totalProcessMemory: 8 * GB,
          },
        })),
      });
    }
    if (method === "GET" && parts[0] === "taskmanagers" && parts.length === 3 && parts[2] === "metrics") {
      const tm = state.taskmanagers.find((x) => x.id === decodeURIComponent(parts[1] ?? ""));
      if (!tm) {
        return send(
          res,
          404,
          errors(
            `org.apache.flink.runtime.rest.handler.RestHandlerException: Could not find TaskManager ${parts[1]}`,
          ),
          true,
        );
      }
      return metricsAnswer(res, tm.metrics, query.get);
    }
    if (parts[0] !== "jobs" || parts.length < 2) return notFound(res, uri);
    const jid = parts[1];
    const rest = parts.slice(2);

    if (method === "POST" && rest.length === 1 && rest[0] === "checkpoints") {
      if (!triggerSupported) return notFound(res, uri);
      const job = findJob(jid);
      if (!job) return jobNotFound(res, jid ?? "");
      const type =
        body !== null && typeof body === "object"
          ? (body as { checkpointType?: unknown }).checkpointType
          : undefined;
      if (
        (body !== undefined && (body === null || typeof body !== "object")) ||
        (type !== undefined && type !== "CONFIGURED" && type !== "FULL" && type !== "INCREMENTAL")
      ) {
        return send(
          res,
          400,
          errors("Request did not match expected format CheckpointTriggerRequestBody."),
          true,
        );
      }
      const requestId = randomBytes(16).toString("hex");
      const lastId = Math.max(0, ...job.checkpoints.map((c) => c.id));
      triggers.set(requestId, {
        jid: job.jid,
        type: String(type ?? "CONFIGURED"),
        polls: 0,
        checkpointId: lastId + 1,
      });
      return send(res, 202, { "request-id": requestId });
    }
    if (method !== "GET") return notFound(res, uri);
    const job = findJob(jid);
    if (!job) return jobNotFound(res, jid ?? "");

    if (rest.length === 0) return send(res, 200, jobDetails(job, t));
    if (rest[0] === "checkpoints" && rest.length === 1)
      return send(res, 200, checkpointingStatistics(job, state.version));
    if (rest[0] === "checkpoints" && rest[1] === "config" && rest.length === 2) {
      return send(res, 200, {
        mode: "exactly_once",
        interval: 60_000,
        timeout: 600_000,
        min_pause: 0,
        max_concurrent: 1,
        externalization: { enabled: true, delete_on_cancellation: false },
        state_backend: "EmbeddedRocksDBStateBackend",
        checkpoint_storage: "FileSystemCheckpointStorage",
        unaligned_checkpoints: false,
        tolerable_failed_checkpoints: 0,
        aligned_checkpoint_timeout: 0,
        checkpoints_after_tasks_finish: true,
        state_changelog_enabled: false,
        changelog_periodic_materialization_interval: 600_000,
        changelog_storage: "memory",
      });
    }
    if (rest[0] === "checkpoints" && rest.length === 2 && triggerSupported) {
      const trigger = triggers.get(rest[1] ?? "");
      if (!trigger || trigger.jid !== job.jid) {
        return send(
          res,
          404,
          errors(
            `org.apache.flink.runtime.rest.handler.RestHandlerException: There is no checkpoint operation with triggerId=${rest[1]} for job ${job.jid}.`,
          ),
          true,
        );
      }
      trigger.polls++;
      if (state.triggerOutcome === "never" || trigger.polls <= state.triggerPolls) {
        return send(res, 200, { status: { id: "IN_PROGRESS" }, operation: null });
      }
      if (state.triggerOutcome === "fail") {
        const trace =
          "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.\n\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator$CheckpointCanceller.run(CheckpointCoordinator.java:2216)";
        return send(res, 200, {
          status: { id: "COMPLETED" },
          operation: {
            failureCause: {
              class: "org.apache.flink.runtime.checkpoint.CheckpointException",
              "stack-trace": trace,
              "serialized-throwable": Buffer.from(trace).toString("base64"),
            },
          },
        });
      }
      if (!job.checkpoints.some((c) => c.id === trigger.checkpointId)) {
        job.checkpoints.push({
          id: trigger.checkpointId,
          status: "COMPLETED",
          triggerTimestamp: t - 5_800,
          durationMs: 5_800,
          stateSize: 2.2 * GB,
          checkpointedSize: 2.2 * GB,
          externalPath: `s3://checkpoint-bucket/state/order-processing/${job.jid}/chk-${trigger.checkpointId}`,
        });
      }
      return send(res, 200, {
        status: { id: "COMPLETED" },
        operation: { checkpointId: trigger.checkpointId },
      });
    }
    if (rest[0] === "exceptions" && rest.length === 1) {
      const max = query.maxExceptions === undefined ? 20 : Number(query.maxExceptions);
      return send(res, 200, exceptionsJson(job, state.version, max));
    }
    if (rest[0] === "metrics" && rest.length === 1) return metricsAnswer(res, job.metrics, query.get);
    if (rest[0] === "vertices" && rest.length === 3) {
      const v = job.vertices.find((x) => x.id === rest[1]);
      if (!v) {
        return send(
          res,
          404,
          errors(`org.apache.flink.runtime.rest.NotFoundException: JobVertex ${rest[1]} not found`),
          true,
        );
      }
      if (rest[2] === "backpressure") {
        if (state.backpressureWarmup && !sampled.has(v.id)) {
          sampled.add(v.id);
          return send(res, 200, { status: "deprecated" });
        }
        const lvl = (r: number) => (r <= 0.1 ? "ok" : r <= 0.5 ? "low" : "high");
        const subtasks = Array.from({ length: v.parallelism }, (_, i) => {
          const ratio = Math.min(1, Math.max(0, v.backpressureRatio + (i % 2 === 0 ? 0.01 : -0.01)));
          return {
            subtask: i,
            "attempt-number": 0,
            "backpressure-level": lvl(ratio),
            backpressureLevel: lvl(ratio),
            ratio,
            idleRatio: Math.max(0, 1 - ratio - v.busyRatio),
            busyRatio: v.busyRatio,
          };
        });
        const level = lvl(Math.max(...subtasks.map((s) => s.ratio)));
        return send(res, 200, {
          status: "ok",
          "backpressure-level": level,
          backpressureLevel: level,
          "end-timestamp": t - 800,
          subtasks,
        });
      }
      if (rest[2] === "watermarks") {
        return send(
          res,
          200,
          Array.from({ length: v.parallelism }, (_, i) => ({
            id: `${i}.currentInputWatermark`,
            value: v.watermarkLagMs === null ? LONG_MIN : String(t - v.watermarkLagMs - i * 250),
          })),
        );
      }
    }
    return notFound(res, uri);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname.replace(/^\/v1(?=\/)/, "");
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const method = req.method ?? "GET";
      requests.push({ method, path, query, contentType: req.headers["content-type"] ?? null, body });

      if (state.basicAuth !== undefined) {
        const expected = `Basic ${Buffer.from(state.basicAuth).toString("base64")}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, {
            "Content-Type": "application/json; charset=UTF-8",
            "WWW-Authenticate": 'Basic realm="flink"',
          });
          res.end(errors("Unauthorized"));
          return;
        }
      }
      const hit = failures.find(
        ({ failure, used }) =>
          (failure.times === undefined || used < failure.times) &&
          (failure.method === undefined || failure.method === method) &&
          (failure.path === undefined ||
            (typeof failure.path === "string" ? failure.path === path : failure.path.test(path))),
      );
      if (hit) {
        hit.used++;
        if (hit.failure.hang) return; // never answer
        const status = hit.failure.status ?? 500;
        const raw =
          hit.failure.body ??
          (status >= 500
            ? errors(
                "Internal server error.",
                serverSide(
                  "java.util.concurrent.TimeoutException: Invocation of [RemoteRpcInvocation(JobMasterGateway.requestJob(JobID, Time))] at recipient [pekko.tcp://flink@10.0.1.10:6123/user/rpc/jobmanager_2] timed out.",
                ),
              )
            : errors(`Error ${status}`));
        res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8" });
        res.end(raw);
        return;
      }
      // A POST whose body is not JSON: Flink cannot map it onto the request body class.
      if (method === "POST" && typeof body === "string") {
        send(res, 400, errors("Request did not match expected format CheckpointTriggerRequestBody."), true);
        return;
      }
      route(req, res, path, query, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    jobId: hexId("job:order-processing"),
    triggers,
    fail(failure) {
      failures.push({ failure, used: 0 });
    },
    clearFailures() {
      failures.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startFlinkRestServer();
  console.log(`Flink REST peer on ${server.url} (job ${server.jobId}); Ctrl-C to stop`);
}
