/**
 * The runbooks' Flink branches on a REAL Flink (test/peers/flink-peer.ts: a MiniCluster with the
 * real REST API running order-processing, faults switched on for real), on every version of
 * FLINK_VERSIONS, through the real adapter built from the config (createPorts). Only Flink is
 * configured, as for a team that gives the bot nothing else: what the bot concludes comes from
 * what the real Flink answers (its REST API and its own /jobmanager/log).
 *
 * Covers issue 9's Flink diagnosis defects: (a) the 403 that Flink REST does not name, (b) no
 * watermark at all, (c) exhausted restarts, (d) a crash loop seen as RUNNING, (e) more failures
 * than the 10 history entries, (f) phases of a checkpoint (healthy small, slow sync), (g) a FAILED
 * job's state at risk; and memory-usage on the real taskmanager metrics.
 *
 * Alone: `npx vitest run test/integration/runbooks-live/flink-real.test.ts` (no shared peer).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlinkRest } from "../../../src/adapters/flink/flink-rest.ts";
import type { FlinkPort } from "../../../src/ports/flink.ts";
import {
  FLINK_VERSIONS,
  type FlinkPeer,
  type FlinkScenario,
  startFlinkPeer,
} from "../../peers/flink-peer.ts";
import { type LiveRun, makeConfig, runLive, waitFor } from "./live-helpers.ts";

const INTERVAL_MS = 2_000;

function configFor(peer: FlinkPeer, extra: Record<string, unknown> = {}) {
  return makeConfig({ flink: { url: peer.url, requestTimeoutMs: 20_000, jobName: peer.jobName }, ...extra });
}

function titles(run: LiveRun): string[] {
  return run.findings.map((f) => f.title);
}

function stepOf(run: LiveRun, id: string) {
  const s = run.report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

/** A peer for the whole describe block, and a REST client to wait on its state. */
function withPeer(
  version: string,
  scenario: FlinkScenario,
  completedCheckpoints = 0,
  args: Readonly<Record<string, number>> = {},
) {
  const ctx: { peer?: FlinkPeer; flink?: FlinkPort } = {};
  beforeAll(async () => {
    ctx.peer = await startFlinkPeer({
      version,
      scenario,
      checkpointIntervalMs: INTERVAL_MS,
      completedCheckpoints,
      args,
    });
    ctx.flink = createFlinkRest({ url: ctx.peer.url, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await ctx.peer?.stop();
  });
  return ctx as { peer: FlinkPeer; flink: FlinkPort };
}

for (const version of FLINK_VERSIONS) {
  describe.sequential(`Flink ${version}: healthy, then slow sync, then S3 403 (one job)`, {
    timeout: 180_000,
  }, () => {
    const ctx = withPeer(version, "healthy", 3);

    it("(f) healthy small checkpoints: below the threshold, and no network verdict on a few KB", async () => {
      const run = await runLive("checkpoint-duration", configFor(ctx.peer));
      expect(run.report.conclusion.cause).toBe("below-threshold");
      expect(titles(run).filter((t) => /\(slow/.test(t))).toEqual([]);
      expect(titles(run).filter((t) => t.startsWith("B. Network"))).toEqual([
        expect.stringMatching(/^B\. Network: not the bottleneck|^B\. Network: the upload took .* for .*B$/),
      ]);
    });

    it("memory-usage reads the real taskmanager's heap through Flink's metrics", async () => {
      const run = await runLive("memory-usage", configFor(ctx.peer));
      expect(titles(run)).toContainEqual(
        expect.stringMatching(/^JVM heap up to \d+(\.\d)?% used across 1 taskmanager\(s\)$/),
      );
    });

    it("(f) a 6 s snapshotState: the synchronous phase is the cause, not the network", async () => {
      const { peer, flink } = ctx;
      await peer.setFaults(["slow-sync"]);
      const switched = Date.now();
      await waitFor(
        "a completed checkpoint with the slow sync phase",
        () => flink.checkpoints(peer.jobId),
        (s) =>
          s.latest.completed !== null &&
          s.latest.completed.triggerTime.getTime() > switched &&
          s.latest.completed.endToEndDurationMs >= 5_000,
        90_000,
      );
      const run = await runLive(
        "checkpoint-duration",
        configFor(peer, { thresholds: { checkpointDurationSeconds: 3 } }),
      );
      expect(run.report.conclusion.cause).toBe("sync-phase");
      expect(run.report.conclusion.summary).toMatch(
        /the synchronous phase took \d+\.\d s of checkpoint \d+'s \d+\.\d s \(.*enrichment/,
      );
      expect(titles(run).filter((t) => /\(slow/.test(t))).toEqual([]);
    });

    it("(a)(e) S3 answers 403: the cause from the jobmanager log, and every failure counted, not 10", async () => {
      const { peer, flink } = ctx;
      await peer.setFaults(["s3-403"]);
      const before = (await flink.checkpoints(peer.jobId)).counts.failed;
      const stats = await waitFor(
        "a dozen failed checkpoints",
        () => flink.checkpoints(peer.jobId),
        (s) => s.counts.failed >= before + 12,
        120_000,
      );
      expect(stats.latest.failed?.failureMessage).toBe("Asynchronous task checkpoint failed.");
      const run = await runLive("checkpoint-failure", configFor(peer));
      const c = run.report.conclusion;
      expect(c.cause).toBe("s3-access-denied");
      expect(c.confidence).toBe("high");
      expect(c.summary).toContain("the jobmanager log's CheckpointFailureManager warning");
      expect(c.summary).toContain("Access Denied (Service: Amazon S3; Status Code: 403");
      // The job started minutes ago: every failure Flink counts is in the 5-minute window.
      const counted = titles(run)
        .map((t) => /^(at least )?(\d+) checkpoint\(s\) failed in the last 5 minutes$/.exec(t))
        .find((m) => m !== null);
      expect(counted).toBeDefined();
      expect(Number(counted![2])).toBeGreaterThanOrEqual(12);
    });
  });

  describe.sequential(`Flink ${version}: crash loop`, { timeout: 180_000 }, () => {
    // Up 15 s, restarted 0.5 s after each crash: nearly every sample sees RUNNING.
    const ctx = withPeer(version, "crash-loop", 0, { "crash-after-ms": 15_000, "restart-delay-ms": 500 });
    it("(d) numRestarts climbs while the job shows RUNNING: job-down, not 'no fix needed'", async () => {
      const { peer, flink } = ctx;
      await waitFor(
        "two restarts, and the job RUNNING again",
        async () => ({
          restarts: (await flink.jobMetrics(peer.jobId, ["numRestarts"])).numRestarts ?? 0,
          state: (await flink.jobDetails(peer.jobId)).state,
        }),
        (r) => r.restarts >= 2 && r.state === "RUNNING",
        120_000,
      );
      // The defect is the RUNNING sample: run again if this one caught the 0.5 s of RESTARTING.
      let run = await runLive("checkpoint-failure", configFor(peer));
      for (let i = 0; i < 3 && stepOf(run, "assess").summary.includes("RESTARTING"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        run = await runLive("checkpoint-failure", configFor(peer));
      }
      expect(stepOf(run, "assess").summary).toContain("job order-processing RUNNING");
      expect(run.report.conclusion.cause).toBe("job-down");
      expect(run.report.conclusion.summary).toMatch(/keeps restarting \((numRestarts \d+|\d+ job failure)/);
      expect(titles(run)).not.toContain("No fix needed now: checkpoints complete again");
    });
  });

  describe.sequential(`Flink ${version}: restarts exhausted, job FAILED`, { timeout: 180_000 }, () => {
    const ctx = withPeer(version, "failed");
    it("(c)(g) the last Caused by is the cause, and the conclusion and Step 5 agree on the state at risk", async () => {
      const { peer, flink } = ctx;
      await waitFor(
        "the job FAILED",
        () => flink.jobs(),
        (jobs) => jobs.some((j) => j.state === "FAILED"),
        120_000,
      );
      const run = await runLive("checkpoint-failure", configFor(peer));
      const newest = titles(run).find((t) => t.startsWith("Newest job exception: "));
      expect(newest).toBeDefined();
      expect(newest).not.toContain("Recovery is suppressed");
      expect(run.report.conclusion.cause).toBe("job-down");
      expect(run.report.conclusion.summary).not.toContain("Recovery is suppressed");
      expect(run.report.conclusion.summary).toContain(
        newest!.replace("Newest job exception: ", "").slice(0, 60),
      );
      const s5 = stepOf(run, "post-incident");
      const conclusionAtRisk = /in no checkpoint|at risk/.test(run.report.conclusion.summary);
      const stepAtRisk = s5.status === "warning";
      expect(conclusionAtRisk).toBe(true);
      expect(stepAtRisk).toBe(conclusionAtRisk);
      expect(s5.summary).not.toContain("No state at risk");
    });
  });

  describe.sequential(`Flink ${version}: no watermark`, { timeout: 180_000 }, () => {
    const ctx = withPeer(version, "no-watermark", 1);
    it("(b) window-completeness: no watermark at all, windows never fire", async () => {
      const run = await runLive("window-completeness", configFor(ctx.peer));
      expect(run.report.conclusion.cause).toBe("watermark-stuck");
      expect(run.report.conclusion.summary).toContain("no watermark at all");
      expect(titles(run)).toContain("B. Watermark: no watermark at all");
      expect(allDetails(run)).not.toContain("windows close.");
    });
    it("(b) consumer-lag: windowing, no watermark at all", async () => {
      const run = await runLive("consumer-lag", configFor(ctx.peer));
      expect(run.report.conclusion.cause).toBe("windowing");
      expect(titles(run)).toContain("C. Windowing: no watermark at all in Flink");
    });
  });

  describe.sequential(`Flink ${version}: stuck watermark`, { timeout: 180_000 }, () => {
    const ctx = withPeer(version, "stuck-watermark", 1);
    const stuckMs = 5_000;
    it("(b) window-completeness and consumer-lag: the watermark trails beyond the threshold", async () => {
      await new Promise((resolve) => setTimeout(resolve, stuckMs + 2_000));
      const cfg = configFor(ctx.peer, { runbooks: { watermarkStuckMs: stuckMs } });
      const completeness = await runLive("window-completeness", cfg);
      expect(completeness.report.conclusion.cause).toBe("watermark-stuck");
      expect(titles(completeness)).toContainEqual(
        expect.stringMatching(/^B\. Watermark: watermark \d+ s behind$/),
      );
      const lag = await runLive("consumer-lag", cfg);
      expect(lag.report.conclusion.cause).toBe("windowing");
      expect(titles(lag)).toContainEqual(
        expect.stringMatching(
          /^C\. Windowing: Flink's lowest watermark \d+ s behind \(stuck: windows are not closing\)$/,
        ),
      );
    });
  });
}

function allDetails(run: LiveRun): string {
  return run.findings.map((f) => f.detail ?? "").join("\n");
}
