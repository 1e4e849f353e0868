/**
 * What a real Flink shows in the runbooks' states, read through the real adapter: each scenario
 * of the Flink peer (test/peers/flink-peer.ts) on Apache Flink 1.20.3 and 2.1.1. These are the
 * facts the runbooks must be right about (../shared/REFERENCE.md, "Apache Flink as a real
 * process"); they used to be asserted against a server we wrote (flink-rest.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlinkRest } from "../../src/adapters/flink/flink-rest.ts";
import { FlinkError, type FlinkPort } from "../../src/ports/flink.ts";
import { FLINK_VERSIONS, type FlinkPeer, type FlinkScenario, startFlinkPeer } from "../peers/flink-peer.ts";

const START_TIMEOUT_MS = 900_000;
const LONG_MIN = "-9223372036854775808";

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s (last: ${JSON.stringify(last)})`);
}

/** A peer per describe block: the scenario's JVM, and the real adapter on it. */
function onPeer(version: string, scenario: FlinkScenario): { peer: () => FlinkPeer; flink: () => FlinkPort } {
  let peer: FlinkPeer | undefined;
  let flink: FlinkPort | undefined;
  beforeAll(async () => {
    peer = await startFlinkPeer({ version, scenario });
    flink = createFlinkRest({
      url: peer.url,
      timeoutMs: 10_000,
      pollIntervalMs: 200,
      backpressureRetryMs: 1_000,
    });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await peer?.stop();
  });
  return {
    peer: () => {
      if (!peer) throw new Error("no peer");
      return peer;
    },
    flink: () => {
      if (!flink) throw new Error("no adapter");
      return flink;
    },
  };
}

async function rawJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.json();
}

describe.each(FLINK_VERSIONS)("Apache Flink %s", (version) => {
  describe("s3-403: checkpoint storage denies every PUT", () => {
    const { peer, flink } = onPeer(version, "s3-403");

    it("checkpoints fail as 'Asynchronous task checkpoint failed.' while the job RUNNING shows no exception", async () => {
      const stats = await eventually(
        "2 failed checkpoints",
        () => flink().checkpoints(peer().jobId),
        (s) => s.counts.failed >= 2,
      );
      expect(stats.counts.completed).toBe(0);
      expect(stats.latest.failed?.failureMessage).toBe("Asynchronous task checkpoint failed.");
      expect(
        stats.history.every((c) => c.status !== "FAILED" || !/403|AccessDenied/.test(c.failureMessage ?? "")),
      ).toBe(true);
      expect((await flink().jobDetails(peer().jobId)).state).toBe("RUNNING");
      expect(await flink().exceptions(peer().jobId)).toEqual([]);
    });

    it("the 403 is in the JobManager log, which Flink serves under /jobmanager/logs", async () => {
      const listing = (await rawJson(`${peer().url}/jobmanager/logs`)) as {
        logs: { name: string; size: number }[];
      };
      expect(listing.logs.map((l) => l.name)).toEqual(["jobmanager.log"]);
      const response = await fetch(`${peer().url}/jobmanager/logs/jobmanager.log`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      const log = await response.text();
      expect(log).toMatch(
        /Caused by: java\.nio\.file\.AccessDeniedException: s3:\/\/checkpoint-bucket\/state\/order-processing\/.*Status Code: 403; Error Code: AccessDenied/,
      );
    });

    it("a triggered checkpoint fails with the 403 in its failure cause", async () => {
      const error = await flink()
        .triggerCheckpoint(peer().jobId, { deadlineMs: 30_000 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(FlinkError);
      expect((error as FlinkError).kind).toBe("checkpoint-failed");
      // The last "Caused by:" of the trigger's failureCause is the S3A exception.
      expect((error as FlinkError).message).toMatch(
        /Caused by: java\.nio\.file\.AccessDeniedException: .*Status Code: 403; Error Code: AccessDenied/,
      );
    });

    it("once the bucket allows PUTs again, checkpoints complete", async () => {
      await peer().setFaults([]);
      const stats = await eventually(
        "a completed checkpoint",
        () => flink().checkpoints(peer().jobId),
        (s) => s.counts.completed >= 1,
      );
      expect(stats.latest.completed?.externalPath).toMatch(
        /^s3:\/\/checkpoint-bucket\/state\/order-processing\//,
      );
    });
  });

  describe("failed: restarts exhausted", () => {
    const { peer, flink } = onPeer(version, "failed");

    it("the job is FAILED; the newest exception is 'Recovery is suppressed', the real cause its last 'Caused by:'", async () => {
      const job = await flink().findJob(peer().jobName);
      expect(job.state).toBe("FAILED");
      const [newest] = await flink().exceptions(job.id);
      expect(newest?.message).toMatch(
        /^org\.apache\.flink\.runtime\.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy\(maxNumberRestartAttempts=2, backoffTimeMS=1000\)$/,
      );
      const raw = (await rawJson(`${peer().url}/jobs/${job.id}/exceptions`)) as {
        exceptionHistory: { entries: { stacktrace: string }[] };
      };
      const causes = (raw.exceptionHistory.entries[0]?.stacktrace ?? "")
        .split("\n")
        .filter((l) => l.startsWith("Caused by:"));
      expect(causes.at(-1)).toBe('Caused by: java.lang.NumberFormatException: For input string: "12,50"');
      // A terminal job's metrics leave the JobManager's metric store: numRestarts may be gone
      // (seen on 1.20.3), and when it is still there it counts the restarts made.
      const { numRestarts } = await flink().jobMetrics(job.id, ["numRestarts"]);
      if (numRestarts !== undefined) expect(numRestarts).toBeGreaterThanOrEqual(1);
    });
  });

  describe("no-watermark: no watermark at all", () => {
    const { peer, flink } = onPeer(version, "no-watermark");

    it("the source has no watermark metric; downstream every subtask is Long.MIN_VALUE, read as none", async () => {
      const details = await flink().jobDetails(peer().jobId);
      const [source, ...downstream] = details.vertices;
      if (!source) throw new Error("no vertices");
      expect(await rawJson(`${peer().url}/jobs/${peer().jobId}/vertices/${source.id}/watermarks`)).toEqual(
        [],
      );
      for (const v of downstream) {
        // Until the JobManager fetched the vertex's metrics (metrics.fetcher.update-interval) it lists none.
        const raw = await eventually(
          `the watermark metrics of ${v.name}`,
          async () =>
            (await rawJson(`${peer().url}/jobs/${peer().jobId}/vertices/${v.id}/watermarks`)) as {
              value: string;
            }[],
          (list) => list.length > 0,
          20_000,
        );
        expect(raw.map((m) => m.value)).toEqual(Array(v.parallelism).fill(LONG_MIN));
        const marks = await flink().vertexWatermarks(peer().jobId, v.id);
        expect(marks.subtasks.map((s) => s.watermark)).toEqual(Array(v.parallelism).fill(null));
        expect(marks.min).toBeNull();
      }
    });
  });

  describe("stuck-watermark: the watermark stops advancing", () => {
    const { peer, flink } = onPeer(version, "stuck-watermark");

    it("the window's lowest watermark stays put while orders still flow", async () => {
      const window = (await flink().jobDetails(peer().jobId)).vertices[2];
      if (!window) throw new Error("no window vertex");
      const first = await eventually(
        "a watermark",
        () => flink().vertexWatermarks(peer().jobId, window.id),
        (m) => m.min !== null,
      );
      const read = async () => (await flink().jobDetails(peer().jobId)).vertices[2]?.metrics.readRecords ?? 0;
      const readBefore = await read();
      await new Promise((done) => setTimeout(done, 4_000));
      // Orders still arrive (vertex metrics are fetched every second, the job details cached 3 s).
      await eventually("more orders read by the window", read, (n) => n > readBefore, 20_000);
      const later = await flink().vertexWatermarks(peer().jobId, window.id);
      expect(later.min?.getTime()).toBe(first.min?.getTime());
      expect(Date.now() - (later.min?.getTime() ?? 0)).toBeGreaterThan(4_000);
    });
  });
});

describe(`Apache Flink ${FLINK_VERSIONS[FLINK_VERSIONS.length - 1]}`, () => {
  const version = FLINK_VERSIONS[FLINK_VERSIONS.length - 1] ?? "";

  describe("crash-loop: an operator throws, restarts every 10 s", () => {
    const { peer, flink } = onPeer(version, "crash-loop");

    it("numRestarts climbs while the job is RUNNING again between restarts", async () => {
      // numRestarts (a metric) moves at once; the state and the exceptions come from an execution
      // graph Flink caches for web.refresh-interval (3 s).
      const running = await eventually(
        "RUNNING after a restart, with the failure listed",
        async () => ({
          state: (await flink().findJob(peer().jobName)).state,
          restarts: (await flink().jobMetrics(peer().jobId, ["numRestarts"])).numRestarts ?? 0,
          exceptions: await flink().exceptions(peer().jobId),
        }),
        (s) => s.state === "RUNNING" && s.restarts >= 1 && s.exceptions.length > 0,
      );
      expect(running.restarts).toBeGreaterThanOrEqual(1);
      const [newest] = running.exceptions;
      expect(newest?.message).toMatch(
        /^java\.lang\.IllegalArgumentException: order o-\d+ from orders\.raw is malformed: amount "12,50" is not a number$/,
      );
      // 1.x: "(1/2)#0"; 2.x: "(1/2) - execution #0".
      expect(newest?.taskName).toMatch(
        /^Source: Kafka orders\.raw -> parse-validate \(\d\/2\)(#\d+| - execution #\d+)$/,
      );
    });
  });

  describe("backpressure: a slow enrichment", () => {
    const { peer, flink } = onPeer(version, "backpressure");

    it("the source is back-pressured high and the enrichment busy", async () => {
      const [source, enrichment] = (await flink().jobDetails(peer().jobId)).vertices;
      if (!source || !enrichment) throw new Error("no vertices");
      const bp = await eventually(
        "high back pressure on the source",
        () => flink().vertexBackpressure(peer().jobId, source.id),
        (b) => b.level === "high",
      );
      expect(bp.status).toBe("ok");
      const busy = await flink().vertexBackpressure(peer().jobId, enrichment.id);
      expect(busy.level).toBe("ok");
      expect(Math.min(...busy.subtasks.map((s) => s.busyRatio ?? 0))).toBeGreaterThan(0.8);
    });
  });

  describe.each([
    ["slow-sync", 5_000],
    ["s3-slow", 4_000],
  ] as const)("%s: slow checkpoints", (scenario, atLeastMs) => {
    const { peer, flink } = onPeer(version, scenario);

    it(`completed checkpoints take at least ${atLeastMs / 1000} s end to end`, async () => {
      const stats = await eventually(
        "a completed checkpoint",
        () => flink().checkpoints(peer().jobId),
        (s) => s.latest.completed !== null,
      );
      expect(stats.latest.completed?.endToEndDurationMs).toBeGreaterThanOrEqual(atLeastMs);
      expect(stats.latest.completed?.endToEndDurationMs).toBeLessThan(60_000);
    });
  });
});
