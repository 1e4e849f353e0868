/**
 * The Flink REST adapter when the JobManager is down, answers errors, or hangs: typed FlinkErrors
 * with messages fit for a thread, within the timeout; GETs retried with backoff on 502/503/504 and
 * connection failures, writes never. The local Flink REST peer answers (or refuses) everything.
 */
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFlinkRest } from "../../src/adapters/flink/flink-rest.ts";
import { FlinkError, type FlinkPort } from "../../src/ports/flink.ts";
import { type FlinkRestServer, startFlinkRestServer } from "../peers/flink-rest-server.ts";

let server: FlinkRestServer;
let flink: FlinkPort;

beforeEach(async () => {
  server = await startFlinkRestServer();
  flink = createFlinkRest({ url: server.url, timeoutMs: 3_000, pollIntervalMs: 50 });
});

afterEach(async () => {
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<{ error: FlinkError; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlinkError);
  return { error: error as FlinkError, ms: Date.now() - started };
}

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("Flink REST faults", () => {
  it("connection refused: unreachable, retried with backoff, well within the timeout", async () => {
    const port = await closedPort();
    const down = createFlinkRest({ url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 });
    const { error, ms } = await failure(down.overview());
    expect(error.kind).toBe("unreachable");
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(
      new RegExp(
        `^could not reach Flink REST at http://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); tried GET /overview 3 times, gave up after [\\d.]+ m?s$`,
      ),
    );
    // Backoff 200 + 400 ms between the three attempts.
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(5_000);
  });

  it("500: http error with Flink's message and the server-side exception's first line, not retried", async () => {
    server.fail({ path: "/jobs/overview", status: 500 });
    const { error } = await failure(flink.jobs());
    expect(error.kind).toBe("http");
    expect(error.status).toBe(500);
    expect(error.message).toBe(
      `Flink REST at ${server.url} answered 500 to GET /jobs/overview: Internal server error. / ` +
        "java.util.concurrent.TimeoutException: Invocation of [RemoteRpcInvocation(JobMasterGateway.requestJob(JobID, Time))] at recipient [pekko.tcp://flink@10.0.1.10:6123/user/rpc/jobmanager_2] timed out.",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("503 during a leader election: retried, and the second answer is used", async () => {
    server.fail({
      path: "/overview",
      status: 503,
      times: 1,
      body: '{"errors":["Service temporarily unavailable due to an ongoing leader election. Please refresh."]}',
    });
    expect((await flink.overview()).taskmanagers).toBe(4);
    expect(server.requests.map((r) => r.path)).toEqual(["/overview", "/overview"]);
  });

  it("503 that persists: gives up after three attempts and says so", async () => {
    server.fail({
      path: "/overview",
      status: 503,
      body: '{"errors":["Service temporarily unavailable due to an ongoing leader election. Please refresh."]}',
    });
    const { error } = await failure(flink.overview());
    expect(error.kind).toBe("http");
    expect(error.status).toBe(503);
    expect(error.message).toMatch(
      /answered 503 to GET \/overview: Service temporarily unavailable due to an ongoing leader election\. Please refresh\.; tried GET \/overview 3 times, gave up after [\d.]+ m?s$/,
    );
    expect(server.requests).toHaveLength(3);
  });

  it("a write is never retried: one POST on 503", async () => {
    server.fail({ method: "POST", status: 503 });
    const { error } = await failure(flink.triggerCheckpoint(server.jobId));
    expect(error.kind).toBe("http");
    // The GET is the job check before the trigger; the POST is made once.
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  it("a hang: timeout within the configured time, with a clear message", async () => {
    server.fail({ path: "/taskmanagers", hang: true });
    const hanging = createFlinkRest({ url: server.url, timeoutMs: 1_000 });
    const { error, ms } = await failure(hanging.taskmanagers());
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe(`Flink REST at ${server.url} did not answer GET /taskmanagers within 1 s`);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
    expect(server.requests).toHaveLength(1);
  });

  it("a hang while polling a triggered checkpoint: timeout, not an endless wait", async () => {
    server.fail({ method: "GET", path: /\/checkpoints\/[0-9a-f]{32}$/, hang: true });
    const hanging = createFlinkRest({ url: server.url, timeoutMs: 1_000, pollIntervalMs: 50 });
    const { error, ms } = await failure(hanging.triggerCheckpoint(server.jobId, { deadlineMs: 30_000 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(
      /did not answer GET \/jobs\/[0-9a-f]{32}\/checkpoints\/[0-9a-f]{32} within 1 s$/,
    );
    expect(ms).toBeLessThan(4_000);
  });

  it("a 200 that is not JSON (a proxy's login page): invalid-response", async () => {
    server.fail({ path: "/overview", status: 200, body: "<html><body>Sign in</body></html>" });
    const { error } = await failure(flink.overview());
    expect(error.kind).toBe("invalid-response");
    expect(error.message).toBe(
      `Flink REST at ${server.url} answered GET /overview with something that is not JSON: <html><body>Sign in</body></html>`,
    );
  });

  it("JSON of the wrong shape: invalid-response, not a crash", async () => {
    server.fail({ path: "/jobs/overview", status: 200, body: '{"jobs": "none"}' });
    const { error } = await failure(flink.jobs());
    expect(error.kind).toBe("invalid-response");
    expect(error.message).toBe("Flink REST sent an unexpected jobs overview");
  });

  it("credentials in the URL go out as basic auth and never into a message", async () => {
    server.state.basicAuth = "ops:s3cret-pass";
    const url = server.url.replace("http://", "http://ops:s3cret-pass@");
    const authed = createFlinkRest({ url, timeoutMs: 3_000 });
    expect(authed.describeTarget).toBe(`Flink REST ${server.url}`);
    expect((await authed.overview()).taskmanagers).toBe(4);
    server.fail({ path: "/jobs/overview", status: 500 });
    const { error } = await failure(authed.jobs());
    expect(error.message).not.toContain("s3cret");
    expect(error.message).toContain(`Flink REST at ${server.url} answered 500`);
    const anonymous = await failure(flink.overview());
    expect(anonymous.error).toMatchObject({ kind: "http", status: 401 });
    expect(anonymous.error.message).toBe(
      `Flink REST at ${server.url} answered 401 to GET /overview: Unauthorized`,
    );
  });

  it("an unknown vertex or taskmanager: not-found naming it", async () => {
    const vertex = await failure(flink.vertexWatermarks(server.jobId, "ffffffffffffffffffffffffffffffff"));
    expect(vertex.error.kind).toBe("not-found");
    expect(vertex.error.message).toBe(
      `vertex ffffffffffffffffffffffffffffffff of job ${server.jobId} not found on Flink REST at ${server.url} (org.apache.flink.runtime.rest.handler.RestHandlerException: No vertex with ID 'ffffffffffffffffffffffffffffffff' exists.)`,
    );
    const tm = await failure(
      flink.taskmanagerMetrics("10.0.9.9:6122-abcdef", ["Status.JVM.Memory.Heap.Used"]),
    );
    expect(tm.error.kind).toBe("not-found");
    expect(tm.error.message).toMatch(/^taskmanager 10\.0\.9\.9:6122-abcdef not found on Flink REST at /);
  });
});
