/**
 * A local stand-in for the Flink JobManager REST API (node:http on 127.0.0.1, random port), for
 * what a real Flink (test/peers/flink-peer.ts) cannot do on demand: injected faults (5xx, hangs,
 * timeouts), a basic-auth proxy in front of it, and exact states the runbook tests seed (a
 * checkpoint history of days, 4 taskmanagers, a given heap). Every response shape it serves comes
 * from a recording of a real Flink (test/fixtures/flink-recordings/<version>/, made by
 * scripts/flink/record-flink.ts): each answer is a recorded body, cloned, with the seed's values
 * set on the keys that body has (test/peers/flink-recordings.ts); test/integration/
 * flink-rest-server-shapes.test.ts checks that. Versions: "1.20.3" (default) and "2.1.1".
 *
 * Serves:
 *   GET  /overview, /config, /jobs/overview, /jobs/:jid, /jobs/:jid/checkpoints,
 *        /jobs/:jid/checkpoints/config, /jobs/:jid/checkpoints/:triggerid,
 *        /jobs/:jid/exceptions[?maxExceptions=N], /jobs/:jid/vertices/:vid/backpressure,
 *        /jobs/:jid/vertices/:vid/watermarks, /jobs/:jid/metrics?get=a,b,
 *        /taskmanagers, /taskmanagers/:tmid/metrics?get=a,b
 *   POST /jobs/:jid/checkpoints  {"checkpointType": "CONFIGURED"|"FULL"|"INCREMENTAL"} -> 202 {"request-id"}
 *
 * As the real one (recorded): an unknown route answers 404 "Unable to load requested file ...";
 * an unknown job 404 NotFoundException; an unknown vertex 404 on watermarks but 200
 * {"status":"deprecated"} on back pressure; an unknown taskmanager's metrics 200 []; a trigger on
 * an unknown job 202, then a FlinkJobNotFoundException; a body that does not parse 400; metric
 * values are strings; an absent watermark is Long.MIN_VALUE; a source vertex has no watermarks
 * ([]). Seeded behaviour: the first back-pressure request of a vertex answers "deprecated" when
 * `backpressureWarmup` is on; a triggered checkpoint stays IN_PROGRESS for `triggerPolls` status
 * requests and then completes (or fails, per `triggerOutcome`).
 *
 * Every request is recorded (method, path, query, content type, parsed body) in `requests`.
 * `fail()` makes matching requests answer an error status or hang; `state.basicAuth` makes it
 * demand HTTP basic credentials, as a proxy in front of the JobManager would (Flink has no auth).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { element, type Json, type RecordedVersion, recordedBody, recording } from "./flink-recordings.ts";

export type FlinkVersion = RecordedVersion;

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
    version: "1.20.3",
    jobs: [job, finished],
    taskmanagers,
    triggerPolls: 2,
    triggerOutcome: "complete",
    backpressureWarmup: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Responses: recorded bodies with the seed's values

const LONG_MIN = "-9223372036854775808";
const RECORDED_UNKNOWN_ID = "00000000000000000000000000000000";

/** Sets the values of keys the recorded object has; keys it lacks are left out (not this version's shape). */
function assign<T extends Json>(target: T, values: Json): T {
  for (const [key, value] of Object.entries(values)) if (key in target) (target as Json)[key] = value;
  return target;
}

/** A recorded object of counters (task states...) with `counts` set and every other counter 0. */
function counters(template: unknown, counts: Record<string, number>): Json {
  const result: Json = {};
  for (const key of Object.keys(template as Json)) result[key] = counts[key] ?? 0;
  return result;
}

function stats(template: unknown, values: number[]): Json {
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const result: Json = {};
  for (const key of Object.keys(template as Json)) {
    if (key === "min") result[key] = sorted[0] ?? 0;
    else if (key === "max") result[key] = sorted[sorted.length - 1] ?? 0;
    else if (key === "avg")
      result[key] = Math.round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length));
    else if (/^p\d+$/.test(key)) result[key] = pct(Number(`0.${key.slice(1)}`));
  }
  return result;
}

/** Recorded {"errors": [...]} with the recorded ids/paths replaced by these. */
function recordedError(version: FlinkVersion, name: string, replace: Record<string, string>): string {
  let text = JSON.stringify(recording(version, "healthy", name).response.body);
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return text;
}

function overviewJson(state: FlinkRestState): Json {
  return assign(recordedBody(state.version, "healthy", "overview"), {
    taskmanagers: state.taskmanagers.length,
    "slots-total": state.taskmanagers.reduce((n, tm) => n + tm.slots, 0),
    "slots-available": state.taskmanagers.reduce((n, tm) => n + tm.freeSlots, 0),
    "jobs-running": state.jobs.filter((j) => j.state === "RUNNING").length,
    "jobs-finished": state.jobs.filter((j) => j.state === "FINISHED").length,
    "jobs-cancelled": state.jobs.filter((j) => j.state === "CANCELED").length,
    "jobs-failed": state.jobs.filter((j) => j.state === "FAILED").length,
  });
}

function taskCount(job: SeedJob): number {
  return job.vertices.reduce((n, v) => n + v.parallelism, 0);
}

function jobsOverviewJson(state: FlinkRestState, now: number): Json {
  const body = recordedBody(state.version, "healthy", "jobs-overview");
  const template = element<Json>(body.jobs, "jobs overview");
  body.jobs = state.jobs.map((j) => {
    const total = taskCount(j);
    return assign(structuredClone(template), {
      jid: j.jid,
      name: j.name,
      state: j.state,
      "start-time": j.startTime,
      "end-time": j.endTime,
      duration: (j.state === "RUNNING" ? now : j.endTime) - j.startTime,
      "last-modification": j.startTime + 900,
      tasks: counters(template.tasks, {
        total,
        running: j.state === "RUNNING" ? total : 0,
        finished: j.state === "FINISHED" ? total : 0,
      }),
    });
  });
  return body;
}

function jobDetailsJson(state: FlinkRestState, job: SeedJob, now: number): Json {
  const body = recordedBody(state.version, "healthy", "job");
  const vertexTemplate = element<Json>(body.vertices, "job vertices");
  const running = job.state === "RUNNING";
  const plan = body.plan as Json;
  const nodeTemplate = element<Json>(plan.nodes, "plan nodes");
  const inputTemplate = element<Json>(nodeTemplate.inputs, "plan node inputs");
  return assign(body, {
    jid: job.jid,
    name: job.name,
    state: job.state,
    "start-time": job.startTime,
    "end-time": job.endTime,
    duration: (running ? now : job.endTime) - job.startTime,
    maxParallelism: -1,
    now,
    timestamps: counters(body.timestamps, {
      INITIALIZING: job.startTime - 150,
      CREATED: job.startTime - 120,
      RUNNING: job.startTime + 900,
      ...(running ? {} : { [job.state]: job.endTime }),
    }),
    vertices: job.vertices.map((v) =>
      assign(structuredClone(vertexTemplate), {
        id: v.id,
        name: v.name,
        maxParallelism: 128,
        parallelism: v.parallelism,
        status: running ? "RUNNING" : job.state,
        "start-time": job.startTime + 900,
        "end-time": running ? -1 : job.endTime,
        duration: (running ? now : job.endTime) - job.startTime - 900,
        tasks: counters(vertexTemplate.tasks, { [running ? "RUNNING" : job.state]: v.parallelism }),
        metrics: assign(structuredClone(vertexTemplate.metrics as Json), {
          "read-bytes": v.readRecords * 412,
          "write-bytes": v.writeRecords * 412,
          "read-records": v.readRecords,
          "write-records": v.writeRecords,
          "accumulated-backpressured-time": Math.round((now - job.startTime) * v.backpressureRatio),
          "accumulated-idle-time": Math.round(
            (now - job.startTime) * (1 - v.busyRatio - v.backpressureRatio),
          ),
          "accumulated-busy-time": (now - job.startTime) * v.busyRatio,
        }),
      }),
    ),
    "status-counts": counters(body["status-counts"], {
      [running ? "RUNNING" : job.state]: job.vertices.length,
    }),
    plan: assign(plan, {
      jid: job.jid,
      name: job.name,
      // Flink lists the plan's nodes sink first.
      nodes: [...job.vertices].reverse().map((v, i, reversed) =>
        assign(structuredClone(nodeTemplate), {
          id: v.id,
          parallelism: v.parallelism,
          description: `${v.name}<br/>`,
          inputs:
            i === reversed.length - 1
              ? []
              : [assign(structuredClone(inputTemplate), { id: reversed[i + 1]?.id })],
        }),
      ),
    }),
  });
}

function checkpointJson(state: FlinkRestState, c: SeedCheckpoint, job: SeedJob): Json {
  const v = state.version;
  const template =
    c.status === "COMPLETED"
      ? (recordedBody<Json>(v, "healthy", "checkpoints").latest as Json).completed
      : c.status === "FAILED"
        ? (recordedBody<Json>(v, "s3-403", "checkpoints").latest as Json).failed
        : (recordedBody<Json>(v, "s3-slow", "checkpoints").history as Json[]).find(
            (h) => h.status === "IN_PROGRESS",
          );
  if (template === undefined || template === null)
    throw new Error(`flink-rest-server: no recorded ${c.status} checkpoint`);
  const subtasks = taskCount(job);
  const done = c.status === "COMPLETED";
  return assign(structuredClone(template as Json), {
    id: c.id,
    trigger_timestamp: c.triggerTimestamp,
    latest_ack_timestamp: c.status === "FAILED" ? -1 : c.triggerTimestamp + c.durationMs,
    checkpointed_size: done ? c.checkpointedSize : 0,
    state_size: done ? c.stateSize : 0,
    end_to_end_duration: c.durationMs,
    num_subtasks: subtasks,
    num_acknowledged_subtasks: done ? subtasks : c.status === "FAILED" ? 0 : Math.max(0, subtasks - 3),
    external_path: c.externalPath ?? null,
    failure_timestamp: c.triggerTimestamp + c.durationMs,
    failure_message: c.failureMessage ?? null,
  });
}

function checkpointingStatistics(state: FlinkRestState, job: SeedJob): Json {
  const newestFirst = [...job.checkpoints].sort((a, b) => b.id - a.id);
  const completed = newestFirst.filter((c) => c.status === "COMPLETED");
  const failed = newestFirst.filter((c) => c.status === "FAILED");
  const inProgress = newestFirst.filter((c) => c.status === "IN_PROGRESS").length;
  const body = recordedBody(state.version, "healthy", "checkpoints");
  const summary =
    completed.length === 0
      ? // As Flink sends it before any checkpoint completed (0s and "NaN" percentiles).
        (recordedBody<Json>(state.version, "s3-403", "checkpoints").summary as Json)
      : Object.fromEntries(
          Object.entries(body.summary as Json).map(([key, template]) => [
            key,
            stats(
              template,
              completed.map((c) =>
                key === "checkpointed_size"
                  ? c.checkpointedSize
                  : key === "state_size"
                    ? c.stateSize
                    : key === "end_to_end_duration"
                      ? c.durationMs
                      : 0,
              ),
            ),
          ]),
        );
  // Checkpoints older than the retained history (Flink keeps web.checkpoints.history of them).
  const offset = completed.length > 0 ? 4301 : 0;
  const latestCompleted = completed[0];
  const latestFailed = failed[0];
  return assign(body, {
    counts: assign(body.counts as Json, {
      restored: 0,
      total: offset + completed.length + failed.length + inProgress,
      in_progress: inProgress,
      completed: offset + completed.length,
      failed: failed.length,
    }),
    summary,
    latest: assign(body.latest as Json, {
      completed: latestCompleted ? checkpointJson(state, latestCompleted, job) : null,
      savepoint: null,
      failed: latestFailed ? checkpointJson(state, latestFailed, job) : null,
      restored: null,
    }),
    history: newestFirst.map((c) => checkpointJson(state, c, job)),
  });
}

function checkpointConfigJson(state: FlinkRestState): Json {
  const body = recordedBody(state.version, "healthy", "checkpoints-config");
  return assign(body, {
    mode: "exactly_once",
    interval: 60_000,
    timeout: 600_000,
    min_pause: 0,
    max_concurrent: 1,
    externalization: assign(body.externalization as Json, { enabled: true, delete_on_cancellation: false }),
    state_backend: "EmbeddedRocksDBStateBackend",
    checkpoint_storage: "FileSystemCheckpointStorage",
    unaligned_checkpoints: false,
    tolerable_failed_checkpoints: 0,
  });
}

function exceptionsJson(state: FlinkRestState, job: SeedJob, max: number): Json {
  const body = recordedBody(state.version, "healthy", "exceptions");
  // A task failure (crash-loop) has every field of an entry set; its all-exceptions (1.20) too.
  const crash = recordedBody<Json>(state.version, "crash-loop", "exceptions");
  const entryTemplate = element<Json>((crash.exceptionHistory as Json).entries, "exception history");
  const entries = job.exceptions.slice(0, max).map((e) =>
    assign(structuredClone(entryTemplate), {
      exceptionName: e.exceptionName,
      stacktrace: e.stacktrace,
      timestamp: e.timestamp,
      taskName: e.taskName,
      // <= 1.18 says location; 1.19+ endpoint (and 1.20 still both, per the recording).
      location: e.location,
      endpoint: e.location,
      taskManagerId:
        e.location === null ? null : `${e.location.split(":")[0]}:6122-${hexId(e.location).slice(0, 6)}`,
      failureLabels: {},
      concurrentExceptions: [],
    }),
  );
  const root = job.exceptions[0];
  const legacyTemplate = Array.isArray(crash["all-exceptions"])
    ? (crash["all-exceptions"] as Json[])[0]
    : undefined;
  return assign(body, {
    "root-exception": root?.stacktrace ?? null,
    timestamp: root?.timestamp ?? null,
    "all-exceptions": legacyTemplate
      ? job.exceptions.slice(0, max).map((e) =>
          assign(structuredClone(legacyTemplate), {
            exception: e.stacktrace,
            task: e.taskName,
            location: e.location,
            endpoint: e.location,
            timestamp: e.timestamp,
          }),
        )
      : [],
    truncated: job.exceptions.length > max,
    exceptionHistory: assign(body.exceptionHistory as Json, {
      entries,
      truncated: job.exceptions.length > max,
    }),
  });
}

function backpressureJson(state: FlinkRestState, v: SeedVertex, now: number): Json {
  const body = recordedBody(state.version, "healthy", "vertex-1-backpressure");
  const template = element<Json>(body.subtasks, "back pressure subtasks");
  const lvl = (r: number) => (r <= 0.1 ? "ok" : r <= 0.5 ? "low" : "high");
  const subtasks = Array.from({ length: v.parallelism }, (_, i) => {
    const ratio = Math.min(1, Math.max(0, v.backpressureRatio + (i % 2 === 0 ? 0.01 : -0.01)));
    return assign(structuredClone(template), {
      subtask: i,
      "backpressure-level": lvl(ratio),
      backpressureLevel: lvl(ratio),
      ratio,
      idleRatio: Math.max(0, 1 - ratio - v.busyRatio),
      busyRatio: v.busyRatio,
    });
  });
  const level = lvl(Math.max(...subtasks.map((s) => s.ratio as number)));
  return assign(body, {
    status: "ok",
    "backpressure-level": level,
    backpressureLevel: level,
    "end-timestamp": now - 800,
    subtasks,
  });
}

function watermarksJson(state: FlinkRestState, v: SeedVertex, now: number): Json[] {
  // A source vertex has no input watermark at all: Flink lists none ([]).
  if (v.name.startsWith("Source:")) return [];
  const template = element<Json>(recordedBody(state.version, "healthy", "vertex-1-watermarks"), "watermarks");
  return Array.from({ length: v.parallelism }, (_, i) =>
    assign(structuredClone(template), {
      id: `${i}.currentInputWatermark`,
      value: v.watermarkLagMs === null ? LONG_MIN : String(now - v.watermarkLagMs - i * 250),
    }),
  );
}

function metricsJson(
  state: FlinkRestState,
  metrics: Record<string, string>,
  get: string | undefined,
): Json[] {
  const template = element<Json>(recordedBody(state.version, "healthy", "job-metrics"), "metrics");
  const names = get === undefined ? Object.keys(metrics) : get.split(",").filter((n) => n !== "");
  return names
    .filter((n) => metrics[n] !== undefined)
    .map((id) => assign(structuredClone(template), { id, value: metrics[id] }));
}

function taskmanagersJson(state: FlinkRestState, now: number): Json {
  const body = recordedBody(state.version, "healthy", "taskmanagers");
  const template = element<Json>(body.taskmanagers, "taskmanagers");
  body.taskmanagers = state.taskmanagers.map((tm, i) =>
    assign(structuredClone(template), {
      id: tm.id,
      path: `pekko.tcp://flink@${tm.ip}:6122/user/rpc/taskmanager_0`,
      dataPort: 6121,
      timeSinceLastHeartbeat: now - 1_500 - i * 200,
      slotsNumber: tm.slots,
      freeSlots: tm.freeSlots,
    }),
  );
  return body;
}

// ---------------------------------------------------------------------------------------------
/** Flink's error body ({"errors": [...]}, as recorded) for injected faults. */
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
  const notFound = (res: ServerResponse, path: string) =>
    send(res, 404, recordedError(state.version, "unknown-route", { "/no/such/route": path }), true);
  const jobNotFound = (res: ServerResponse, jid: string) =>
    send(res, 404, recordedError(state.version, "unknown-job", { [RECORDED_UNKNOWN_ID]: jid }), true);
  const recordedJobId = (name: string) => {
    const path = recording(state.version, "healthy", name).request.path;
    return /\/jobs\/([0-9a-f]{32})/.exec(path)?.[1] ?? "";
  };

  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ) => {
    const method = req.method ?? "GET";
    const parts = path.split("/").filter((p) => p !== "");
    const t = now();
    const findJob = (jid: string | undefined) => state.jobs.find((j) => j.jid === jid);

    if (method === "GET" && path === "/overview") return send(res, 200, overviewJson(state));
    if (method === "GET" && path === "/config")
      return send(res, 200, recordedBody(state.version, "healthy", "config"));
    if (method === "GET" && path === "/jobs/overview") return send(res, 200, jobsOverviewJson(state, t));
    if (method === "GET" && path === "/taskmanagers") return send(res, 200, taskmanagersJson(state, t));
    if (method === "GET" && parts[0] === "taskmanagers" && parts.length === 3 && parts[2] === "metrics") {
      const tm = state.taskmanagers.find((x) => x.id === decodeURIComponent(parts[1] ?? ""));
      // Flink answers an unknown taskmanager's metrics with 200 [].
      return send(res, 200, tm ? metricsJson(state, tm.metrics, query.get) : []);
    }
    if (parts[0] !== "jobs" || parts.length < 2) return notFound(res, path);
    const jid = parts[1] ?? "";
    const rest = parts.slice(2);

    if (method === "POST" && rest.length === 1 && rest[0] === "checkpoints") {
      const type =
        body !== null && typeof body === "object"
          ? (body as { checkpointType?: unknown }).checkpointType
          : undefined;
      if (
        (body !== undefined && (body === null || typeof body !== "object")) ||
        (type !== undefined && type !== "CONFIGURED" && type !== "FULL" && type !== "INCREMENTAL")
      ) {
        return send(res, 400, recordedError(state.version, "trigger-bad-body", {}), true);
      }
      const requestId = randomBytes(16).toString("hex");
      const job = findJob(jid);
      // Flink accepts a trigger for a job it does not have and fails it later.
      const lastId = Math.max(0, ...(job?.checkpoints ?? []).map((c) => c.id));
      triggers.set(requestId, {
        jid,
        type: String(type ?? "CONFIGURED"),
        polls: 0,
        checkpointId: lastId + 1,
      });
      return send(
        res,
        202,
        assign(recordedBody(state.version, "healthy", "trigger-post"), { "request-id": requestId }),
      );
    }
    if (method !== "GET") return notFound(res, path);
    if (rest[0] === "checkpoints" && rest.length === 2 && rest[1] !== "config" && !findJob(jid)) {
      const trigger = triggers.get(rest[1] ?? "");
      if (trigger && trigger.jid === jid) {
        const unknown = recordedBody(state.version, "healthy", "trigger-unknown-job-status");
        return send(res, 200, JSON.parse(JSON.stringify(unknown).split(RECORDED_UNKNOWN_ID).join(jid)));
      }
    }
    const job = findJob(jid);
    if (!job) return jobNotFound(res, jid);

    if (rest.length === 0) return send(res, 200, jobDetailsJson(state, job, t));
    if (rest[0] === "checkpoints" && rest.length === 1)
      return send(res, 200, checkpointingStatistics(state, job));
    if (rest[0] === "checkpoints" && rest[1] === "config" && rest.length === 2) {
      return send(res, 200, checkpointConfigJson(state));
    }
    if (rest[0] === "checkpoints" && rest.length === 2) {
      const trigger = triggers.get(rest[1] ?? "");
      if (!trigger || trigger.jid !== job.jid) {
        return send(
          res,
          404,
          recordedError(state.version, "unknown-trigger-status", {
            [RECORDED_UNKNOWN_ID]: rest[1] ?? "",
            [recordedJobId("unknown-trigger-status")]: job.jid,
          }),
          true,
        );
      }
      trigger.polls++;
      if (state.triggerOutcome === "never" || trigger.polls <= state.triggerPolls) {
        return send(res, 200, recordedBody(state.version, "healthy", "trigger-status-in-progress"));
      }
      if (state.triggerOutcome === "fail") {
        const failed = recordedBody<Json>(state.version, "s3-403", "trigger-status-failed");
        const cause = (failed.operation as Json).failureCause as Json;
        const trace =
          "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.\n\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator$CheckpointCanceller.run(CheckpointCoordinator.java:2216)";
        assign(cause, {
          class: "org.apache.flink.runtime.checkpoint.CheckpointException",
          "stack-trace": trace,
          "serialized-throwable": Buffer.from(trace).toString("base64"),
        });
        return send(res, 200, failed);
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
      const completed = recordedBody<Json>(state.version, "healthy", "trigger-status-completed");
      assign(completed.operation as Json, { checkpointId: trigger.checkpointId });
      return send(res, 200, completed);
    }
    if (rest[0] === "exceptions" && rest.length === 1) {
      const max = query.maxExceptions === undefined ? 20 : Number(query.maxExceptions);
      return send(res, 200, exceptionsJson(state, job, max));
    }
    if (rest[0] === "metrics" && rest.length === 1)
      return send(res, 200, metricsJson(state, job.metrics, query.get));
    if (rest[0] === "vertices" && rest.length === 3) {
      const v = job.vertices.find((x) => x.id === rest[1]);
      if (rest[2] === "backpressure") {
        // Flink answers "deprecated" for a vertex it does not have too.
        if (!v || (state.backpressureWarmup && !sampled.has(v.id))) {
          if (v) sampled.add(v.id);
          return send(res, 200, recordedBody(state.version, "healthy", "unknown-vertex-backpressure"));
        }
        return send(res, 200, backpressureJson(state, v, t));
      }
      if (rest[2] === "watermarks") {
        if (!v) {
          return send(
            res,
            404,
            recordedError(state.version, "unknown-vertex-watermarks", {
              [RECORDED_UNKNOWN_ID]: rest[1] ?? "",
            }),
            true,
          );
        }
        return send(res, 200, watermarksJson(state, v, t));
      }
    }
    return notFound(res, path);
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
        send(res, 400, recordedError(state.version, "trigger-bad-body", {}), true);
        return;
      }
      try {
        route(req, res, path, query, body);
      } catch (error) {
        // A bug of the stand-in (e.g. a recording it needs is missing): say so instead of hanging.
        send(res, 500, errors(`flink-rest-server: ${(error as Error).message}`), true);
      }
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
