/**
 * The Flink REST adapter (plain fetch) against the local Flink REST peer
 * (test/peers/flink-rest-server.ts): the exact requests it makes (method, path, query, content
 * type, body), how it reads each version's shapes, and the checkpoint trigger protocol.
 * The stand-in serves shapes recorded from real Flink 1.20.3 and 2.1.1; what Flink itself does in
 * each state is tested on a real Flink in flink-real.test.ts and the contract suite.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFlinkRest, type FlinkRestOptions } from "../../src/adapters/flink/flink-rest.ts";
import { classifyCheckpointFailure } from "../../src/core/checkpoint-failure.ts";
import { FlinkError, type FlinkPort } from "../../src/ports/flink.ts";
import { RECORDED_VERSIONS, recording } from "../peers/flink-recordings.ts";
import {
  type FlinkRestServer,
  type FlinkVersion,
  hexId,
  S3_ACCESS_DENIED_FAILURE,
  seedState,
  startFlinkRestServer,
} from "../peers/flink-rest-server.ts";

const GB = 2 ** 30;
let server: FlinkRestServer;
let flink: FlinkPort;

function adapter(extra: Partial<FlinkRestOptions> = {}): FlinkPort {
  return createFlinkRest({
    url: server.url,
    timeoutMs: 10_000,
    pollIntervalMs: 50,
    backpressureRetryMs: 50,
    ...extra,
  });
}

async function start(version: FlinkVersion = "1.20.3"): Promise<void> {
  await server?.stop();
  const state = seedState();
  state.version = version;
  server = await startFlinkRestServer({ state });
  flink = adapter();
}

beforeEach(async () => {
  server = await startFlinkRestServer();
  flink = adapter();
});

afterEach(async () => {
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<FlinkError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlinkError);
  return error as FlinkError;
}

const gets = () => server.requests.filter((r) => r.method === "GET").map((r) => r.path);

describe("reads", () => {
  it("overview: GET /overview", async () => {
    expect(await flink.overview()).toEqual({
      taskmanagers: 4,
      slotsTotal: 4,
      slotsAvailable: 0,
      jobsRunning: 1,
      jobsFinished: 1,
      jobsCancelled: 0,
      jobsFailed: 0,
      flinkVersion: "1.20.3",
    });
    expect(server.requests).toEqual([
      { method: "GET", path: "/overview", query: {}, contentType: null, body: undefined },
    ]);
  });

  it("jobs and findJob: the single RUNNING job, by name, or a clear error", async () => {
    const jobs = await flink.jobs();
    expect(jobs.map((j) => [j.name, j.state])).toEqual([
      ["order-processing", "RUNNING"],
      ["order-backfill", "FINISHED"],
    ]);
    expect((await flink.findJob()).id).toBe(server.jobId);
    expect((await flink.findJob("order-backfill")).state).toBe("FINISHED");
    expect(gets()).toEqual(["/jobs/overview", "/jobs/overview", "/jobs/overview"]);

    const job = server.state.jobs[0];
    if (!job) throw new Error("no seed job");
    server.state.jobs.push({ ...job, jid: hexId("job:second"), name: "fraud-scoring" });
    const ambiguous = await failure(flink.findJob());
    expect(ambiguous.kind).toBe("ambiguous-job");
    expect(ambiguous.message).toBe(
      `2 RUNNING jobs on Flink REST ${server.url} (order-processing, fraud-scoring); configure the job name to pick one`,
    );
    expect((await flink.findJob("fraud-scoring")).name).toBe("fraud-scoring");

    for (const j of server.state.jobs) j.state = "FAILED";
    const none = await failure(flink.findJob());
    expect(none.kind).toBe("no-job");
    expect(none.message).toContain("no RUNNING job on Flink REST");
    expect(none.message).toContain("order-processing FAILED");
    // A named job that is not running is still found: the runbooks look at failed jobs too.
    expect((await flink.findJob("order-processing")).state).toBe("FAILED");
  });

  it("job details: GET /jobs/:id, vertices with metrics", async () => {
    const details = await flink.jobDetails(server.jobId);
    expect(gets()).toEqual([`/jobs/${server.jobId}`]);
    expect(details.vertices).toHaveLength(4);
    expect(details.vertices[0]).toMatchObject({
      name: "Source: Kafka orders.raw",
      parallelism: 4,
      status: "RUNNING",
      metrics: { readRecords: 0, writeRecords: 912_400_000 },
    });
    expect(details.vertices[1]?.metrics.accumulatedBackpressuredMs).toBeGreaterThan(0);
    const missing = await failure(flink.jobDetails("0123456789abcdef0123456789abcdef"));
    expect(missing.kind).toBe("not-found");
    expect(missing.status).toBe(404);
    expect(missing.message).toBe(
      `job 0123456789abcdef0123456789abcdef not found on Flink REST at ${server.url} (org.apache.flink.runtime.rest.NotFoundException: Job 0123456789abcdef0123456789abcdef not found)`,
    );
  });

  it.each(RECORDED_VERSIONS)(
    "checkpoints (%s shapes): counts, summary with percentiles, the failed S3 checkpoint",
    async (version) => {
      await start(version);
      const stats = await flink.checkpoints(server.jobId);
      expect(gets()).toEqual([`/jobs/${server.jobId}/checkpoints`]);
      expect(stats.counts).toEqual({ restored: 0, total: 4311, inProgress: 0, completed: 4310, failed: 1 });
      expect(stats.history.map((c) => c.id)).toEqual([
        1042, 1041, 1040, 1039, 1038, 1037, 1036, 1035, 1034, 1033,
      ]);
      expect(stats.latest.completed?.id).toBe(1042);
      expect(stats.latest.completed?.externalPath).toBe(
        `s3://checkpoint-bucket/state/order-processing/${server.jobId}/chk-1042`,
      );
      const failed = stats.latest.failed;
      expect(failed).toMatchObject({ id: 1041, status: "FAILED", failureMessage: S3_ACCESS_DENIED_FAILURE });
      expect(failed?.failureTime).toBeInstanceOf(Date);
      expect(stats.history[1]?.failureMessage).toBe(S3_ACCESS_DENIED_FAILURE);
      const duration = stats.summary.endToEndDurationMs;
      expect(duration?.min).toBeGreaterThanOrEqual(5_000);
      expect(duration?.max).toBeLessThanOrEqual(8_000);
      expect(duration?.p99).not.toBeNull();
      expect(stats.summary.checkpointedSizeBytes?.max).toBeLessThan(stats.summary.stateSizeBytes?.min ?? 0);
      // What the checkpoint-failure runbook will do with it.
      expect(classifyCheckpointFailure(failed?.failureMessage ?? "")).toEqual({
        kind: "s3-access-denied",
        evidence: expect.stringContaining("Access Denied (Service: Amazon S3; Status Code: 403"),
      });
    },
  );

  it("checkpoints with none completed yet: summary fields are null, not NaN", async () => {
    const job = server.state.jobs[0];
    if (!job) throw new Error("no seed job");
    job.checkpoints = [];
    const stats = await flink.checkpoints(server.jobId);
    expect(stats.counts).toEqual({ restored: 0, total: 0, inProgress: 0, completed: 0, failed: 0 });
    expect(stats.summary).toEqual({
      checkpointedSizeBytes: null,
      stateSizeBytes: null,
      endToEndDurationMs: null,
    });
    expect(stats.latest).toEqual({ completed: null, savepoint: null, failed: null, restored: null });
  });

  it("checkpoint config: GET /jobs/:id/checkpoints/config", async () => {
    expect(await flink.checkpointConfig(server.jobId)).toEqual({
      mode: "exactly_once",
      intervalMs: 60_000,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: true, deleteOnCancellation: false },
      stateBackend: "EmbeddedRocksDBStateBackend",
      checkpointStorage: "FileSystemCheckpointStorage",
      unalignedCheckpoints: false,
      tolerableFailedCheckpoints: 0,
    });
    expect(gets()).toEqual([`/jobs/${server.jobId}/checkpoints/config`]);
  });

  it.each(RECORDED_VERSIONS)("exceptions (%s shapes): history entries or root-exception", async (version) => {
    await start(version);
    const exceptions = await createFlinkRest({ url: server.url, stacktraceChars: 400 }).exceptions(
      server.jobId,
      5,
    );
    expect(server.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/jobs/${server.jobId}/exceptions`,
      query: { maxExceptions: "5" },
    });
    expect(exceptions).toHaveLength(1);
    const [e] = exceptions;
    expect(e?.name).toBe("java.nio.file.AccessDeniedException");
    expect(e?.message).toMatch(
      /^java\.nio\.file\.AccessDeniedException: s3a:\/\/checkpoint-bucket\/.*Access Denied/,
    );
    expect(e?.taskName).toMatch(/^Window\(.*\(2\/4\)#0$/);
    expect(e?.location).toBe("10.0.1.13:37651");
    expect(e?.time).toBeInstanceOf(Date);
    expect(e?.truncated).toBe(true);
    expect(e?.stacktrace.length).toBeLessThan(500);
    expect(e?.stacktrace).toMatch(/… \(\d+ more characters\)$/);
  });

  it("back pressure: asks again when Flink answers 'deprecated' (metrics not fetched yet)", async () => {
    const [, enrichment] = server.state.jobs[0]?.vertices ?? [];
    if (!enrichment) throw new Error("no vertex");
    enrichment.backpressureRatio = 0.72;
    const bp = await flink.vertexBackpressure(server.jobId, enrichment.id);
    const path = `/jobs/${server.jobId}/vertices/${enrichment.id}/backpressure`;
    // "deprecated" also answers an unknown vertex: the adapter checks the job lists it.
    expect(gets()).toEqual([path, `/jobs/${server.jobId}`, path]);
    expect(bp).toMatchObject({ vertexId: enrichment.id, status: "ok", level: "high" });
    expect(bp.subtasks.map((s) => [s.subtask, s.level, s.ratio])).toEqual([
      [0, "high", 0.73],
      [1, "high", 0.71],
      [2, "high", 0.73],
      [3, "high", 0.71],
    ]);
    expect(bp.subtasks[0]?.busyRatio).toBe(0.35);
    // Sampled now: one request.
    await flink.vertexBackpressure(server.jobId, enrichment.id);
    expect(gets()).toEqual([path, `/jobs/${server.jobId}`, path, path]);
  });

  it("back pressure that stays unavailable is reported as such after three requests", async () => {
    const vertex = server.state.jobs[0]?.vertices[0];
    if (!vertex) throw new Error("no vertex");
    server.fail({ path: /\/backpressure$/, status: 200, body: '{"status":"deprecated"}' });
    const bp = await flink.vertexBackpressure(server.jobId, vertex.id);
    expect(bp).toEqual({
      vertexId: vertex.id,
      status: "unavailable",
      level: null,
      measuredAt: null,
      subtasks: [],
    });
    expect(gets()).toHaveLength(4);
  });

  it("watermarks: none listed on the source, Long.MIN_VALUE is 'none', else the lowest subtask's", async () => {
    const [source, enrichment, window] = server.state.jobs[0]?.vertices ?? [];
    if (!source || !enrichment || !window) throw new Error("no vertex");
    // A source vertex: Flink lists no watermark metric at all.
    expect(await flink.vertexWatermarks(server.jobId, source.id)).toEqual({
      vertexId: source.id,
      subtasks: [],
      min: null,
    });
    // No watermark yet: Long.MIN_VALUE on every subtask.
    enrichment.watermarkLagMs = null;
    const none = await flink.vertexWatermarks(server.jobId, enrichment.id);
    expect(none.subtasks).toEqual([0, 1, 2, 3].map((subtask) => ({ subtask, watermark: null })));
    expect(none.min).toBeNull();
    const before = Date.now();
    const marks = await flink.vertexWatermarks(server.jobId, window.id);
    expect(gets()).toEqual([
      `/jobs/${server.jobId}/vertices/${source.id}/watermarks`,
      `/jobs/${server.jobId}/vertices/${enrichment.id}/watermarks`,
      `/jobs/${server.jobId}/vertices/${window.id}/watermarks`,
    ]);
    const lag = before - (marks.min?.getTime() ?? 0);
    expect(lag).toBeGreaterThan(4_500 + 3 * 250 - 2_000);
    expect(lag).toBeLessThan(4_500 + 3 * 250 + 2_000);
    expect(marks.min?.getTime()).toBe(marks.subtasks[3]?.watermark?.getTime());
  });

  it("job metrics: ?get= with the names comma-separated, values parsed from strings", async () => {
    const metrics = await flink.jobMetrics(server.jobId, ["numRestarts", "lastCheckpointDuration", "nope"]);
    expect(metrics).toEqual({ numRestarts: 0, lastCheckpointDuration: 6100 });
    expect(server.requests).toEqual([
      {
        method: "GET",
        path: `/jobs/${server.jobId}/metrics`,
        query: { get: "numRestarts,lastCheckpointDuration,nope" },
        contentType: null,
        body: undefined,
      },
    ]);
  });

  it("taskmanagers and their memory: one metrics request per taskmanager", async () => {
    const tms = await flink.taskmanagers();
    expect(tms.map((t) => t.id)).toEqual(server.state.taskmanagers.map((t) => t.id));
    expect(tms[0]).toMatchObject({
      path: "pekko.tcp://flink@10.0.1.11:6122/user/rpc/taskmanager_0",
      slotsTotal: 1,
      slotsFree: 0,
    });
    // timeSinceLastHeartbeat is an epoch timestamp despite its name.
    expect(tms[0]?.lastHeartbeatMsAgo).toBeGreaterThanOrEqual(1_500);
    expect(tms[0]?.lastHeartbeatMsAgo).toBeLessThan(10_000);
    server.requests.length = 0;
    const memory = await flink.taskmanagerMemory();
    expect(memory[0]).toEqual({
      id: server.state.taskmanagers[0]?.id,
      heapUsedBytes: Math.round(3.1 * GB),
      heapMaxBytes: 4 * GB,
      managedUsedBytes: Math.round(1.6 * GB),
      managedTotalBytes: 2 * GB,
      directUsedBytes: 310 * 2 ** 20,
      gcTimeMs: 81_000 + 1_200,
    });
    const metricRequests = server.requests.filter((r) => r.path.endsWith("/metrics"));
    expect(metricRequests.map((r) => r.path).sort()).toEqual(
      // The id (host:port-suffix) goes into the path percent-encoded; Flink's router decodes it.
      server.state.taskmanagers.map((t) => `/taskmanagers/${encodeURIComponent(t.id)}/metrics`).sort(),
    );
    expect(metricRequests[0]?.query.get).toBe(
      "Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max,Status.Flink.Memory.Managed.Used," +
        "Status.Flink.Memory.Managed.Total,Status.JVM.Memory.Direct.MemoryUsed," +
        "Status.JVM.GarbageCollector.All.Time,Status.JVM.GarbageCollector.G1_Young_Generation.Time," +
        "Status.JVM.GarbageCollector.G1_Old_Generation.Time",
    );
  });
});

describe("triggerCheckpoint", () => {
  it("POSTs {checkpointType: CONFIGURED} as JSON, then polls the trigger until COMPLETED", async () => {
    const result = await flink.triggerCheckpoint(server.jobId);
    // First the job (Flink accepts a trigger for an unknown job and fails it only later).
    const [check, post, ...polls] = server.requests;
    expect(check).toMatchObject({ method: "GET", path: `/jobs/${server.jobId}` });
    expect(post).toEqual({
      method: "POST",
      path: `/jobs/${server.jobId}/checkpoints`,
      query: {},
      contentType: "application/json",
      body: { checkpointType: "CONFIGURED" },
    });
    const [requestId] = [...server.triggers.keys()];
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(polls.map((r) => `${r.method} ${r.path}`)).toEqual(
      Array(3).fill(`GET /jobs/${server.jobId}/checkpoints/${requestId}`),
    );
    expect(result).toEqual({ requestId, checkpointId: 1043, waitedMs: expect.any(Number) });
  });

  it("asks for a FULL checkpoint when told", async () => {
    server.state.triggerPolls = 0;
    await flink.triggerCheckpoint(server.jobId, { type: "FULL" });
    expect(server.requests[1]?.body).toEqual({ checkpointType: "FULL" });
    expect([...server.triggers.values()][0]?.type).toBe("FULL");
  });

  it("a checkpoint that fails: checkpoint-failed with Flink's reason (failureCause)", async () => {
    server.state.triggerOutcome = "fail";
    const error = await failure(flink.triggerCheckpoint(server.jobId));
    expect(error.kind).toBe("checkpoint-failed");
    expect(error.message).toBe(
      `the checkpoint triggered on job ${server.jobId.slice(0, 8)}… failed: org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.`,
    );
    expect(classifyCheckpointFailure(error.message).kind).toBe("timeout");
  });

  it("a checkpoint still running at the deadline: 'still in progress after N s', on time", async () => {
    server.state.triggerOutcome = "never";
    const started = Date.now();
    const error = await failure(flink.triggerCheckpoint(server.jobId, { deadlineMs: 1_000 }));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe("deadline");
    expect(error.message).toMatch(
      /^the checkpoint triggered on job [0-9a-f]{8}… \(request [0-9a-f]{8}…\) is still in progress after ([\d.]+) s; Flink keeps working on it$/,
    );
    const reported = Number(/after ([\d.]+) s/.exec(error.message)?.[1]);
    expect(reported).toBeGreaterThanOrEqual(0.9);
    expect(reported).toBeLessThan(5);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("a Flink without the trigger endpoint (before 1.17): a clear 'cannot' message", async () => {
    // What Flink's router answers a POST to a path with no POST handler (recorded on 1.20.3).
    const path = `/jobs/${server.jobId}/checkpoints`;
    const recorded = recording("1.20.3", "healthy", "unknown-route-post");
    const body = JSON.stringify(recorded.response.body).split(recorded.request.path).join(path);
    server.fail({ method: "POST", path, status: recorded.response.status, body });
    const error = await failure(flink.triggerCheckpoint(server.jobId));
    expect(error.kind).toBe("unsupported");
    expect(error.message).toBe(
      `this Flink version cannot trigger checkpoints over REST (1.17+ needed); Flink REST ${server.url} answered 404`,
    );
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  it("an unknown job: not-found, not 'unsupported'", async () => {
    const error = await failure(flink.triggerCheckpoint("fedcba9876543210fedcba9876543210"));
    expect(error.kind).toBe("not-found");
    expect(error.message).toContain("job fedcba9876543210fedcba9876543210 not found");
  });
});
