/**
 * The FlinkPort contract: what any adapter (the real one on a real Flink, or the sandbox's
 * simulated one) must return, so the sandbox tells the truth about what Flink says.
 *
 * The subject runs the story's job "order-processing" RUNNING and healthy with four vertices
 * (Source: Kafka orders.raw ... -> enrichment -> the window -> the Firehose sink), each at most as
 * parallel as there are slots, checkpointing exactly-once, externalized, with at least one
 * completed checkpoint. What differs between subjects (the checkpoint interval and state backend,
 * how long healthy checkpoints take) the subject says. Behaviour measured on Flink 1.20.3 and
 * 2.1.1 (test/peers/flink-peer.ts): a source vertex has no watermarks at all (`[]`), the window
 * vertex is named "TumblingEventTimeWindows" and a Sink V2 vertex "<name>: Writer".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BackpressureLevel,
  type CheckpointConfig,
  FlinkError,
  type FlinkPort,
} from "../../src/ports/flink.ts";

export interface FlinkContractSubject {
  readonly port: FlinkPort;
  readonly jobName: string;
  /** Fields of the checkpoint configuration this subject runs with (interval, state backend...). */
  readonly checkpointConfig: Partial<CheckpointConfig>;
  /** Range of the average duration of its (healthy) checkpoints, ms. */
  readonly checkpointAvgMs: { readonly min: number; readonly max: number };
  readonly stop?: () => Promise<void>;
}

const UNKNOWN_JOB = "00000000000000000000000000000000";
const LEVELS: readonly BackpressureLevel[] = ["ok", "low", "high"];

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

/** One subject per run of the contract (a real Flink takes seconds to start). */
export function flinkContract(label: string, setup: () => Promise<FlinkContractSubject>): void {
  describe(`FlinkPort contract: ${label}`, () => {
    let subject: FlinkContractSubject;
    let port: FlinkPort;
    // A real Flink's first start builds it with Maven (minutes on a cold machine).
    beforeAll(async () => {
      subject = await setup();
      port = subject.port;
    }, 900_000);
    afterAll(async () => {
      await subject?.stop?.();
    });

    it("describes the cluster: taskmanagers, slots, running jobs, version", async () => {
      const overview = await port.overview();
      expect(overview.taskmanagers).toBeGreaterThanOrEqual(1);
      expect(overview.slotsTotal).toBeGreaterThanOrEqual(overview.taskmanagers);
      expect(overview.slotsAvailable).toBeGreaterThanOrEqual(0);
      expect(overview.slotsAvailable).toBeLessThanOrEqual(overview.slotsTotal);
      expect(overview.jobsRunning).toBe(1);
      expect(overview.flinkVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(port.describeTarget).toMatch(/Flink/);
    });

    it("lists the job and picks it, by name or as the only RUNNING one", async () => {
      const jobs = await port.jobs();
      const job = jobs.find((j) => j.name === subject.jobName);
      expect(job).toMatchObject({ name: subject.jobName, state: "RUNNING" });
      expect(job?.id).toMatch(/^[0-9a-f]{32}$/);
      expect(job?.startTime?.getTime()).toBeLessThan(Date.now());
      expect(job?.durationMs).toBeGreaterThan(0);
      expect((await port.findJob()).id).toBe(job?.id);
      expect((await port.findJob(subject.jobName)).id).toBe(job?.id);
      const none = await failure(port.findJob("no-such-job"));
      expect(none.kind).toBe("no-job");
      expect(none.message).toContain('no job named "no-such-job"');
    });

    it("details the job's four vertices, each at most as parallel as there are slots", async () => {
      const job = await port.findJob(subject.jobName);
      const details = await port.jobDetails(job.id);
      const overview = await port.overview();
      expect(details).toMatchObject({ id: job.id, name: subject.jobName, state: "RUNNING" });
      expect(details.vertices.map((v) => v.name)).toEqual([
        expect.stringMatching(/^Source: Kafka orders\.raw/),
        expect.stringMatching(/enrichment/),
        expect.stringMatching(/Window/),
        expect.stringMatching(/Firehose/),
      ]);
      for (const v of details.vertices) {
        expect(v.id).toMatch(/^[0-9a-f]{32}$/);
        expect(v.status).toBe("RUNNING");
        expect(v.parallelism).toBeGreaterThanOrEqual(1);
        expect(v.parallelism).toBeLessThanOrEqual(overview.slotsTotal);
        expect(v.metrics.readRecords).toBeGreaterThanOrEqual(0);
        expect(v.metrics.accumulatedBusyMs).toBeGreaterThanOrEqual(0);
      }
      expect(details.vertices[0]?.metrics.writeRecords).toBeGreaterThan(0);
      expect((await failure(port.jobDetails(UNKNOWN_JOB))).kind).toBe("not-found");
    });

    it("reports checkpoint statistics: counts, newest-first history, summary, latest", async () => {
      const job = await port.findJob(subject.jobName);
      const stats = await port.checkpoints(job.id);
      const { counts, history, summary, latest } = stats;
      expect(counts.total).toBe(counts.completed + counts.failed + counts.inProgress);
      expect(counts.completed).toBeGreaterThan(0);
      expect(history.length).toBeGreaterThan(0);
      expect(history.length).toBeLessThanOrEqual(10);
      const ids = history.map((c) => c.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      for (const c of history) {
        expect(["COMPLETED", "FAILED", "IN_PROGRESS"]).toContain(c.status);
        expect(c.triggerTime.getTime()).toBeLessThanOrEqual(Date.now());
        if (c.status === "COMPLETED") {
          expect(c.endToEndDurationMs).toBeGreaterThan(0);
          expect(c.stateSizeBytes).toBeGreaterThan(0);
          expect(c.checkpointedSizeBytes).toBeGreaterThan(0);
          expect(c.checkpointedSizeBytes).toBeLessThanOrEqual(c.stateSizeBytes);
          expect(c.acknowledgedSubtasks).toBe(c.totalSubtasks);
          expect(c.externalPath).toMatch(/^s3:\/\/checkpoint-bucket\/.*chk-\d+$/);
        }
        if (c.status === "FAILED") {
          expect(c.failureMessage).toEqual(expect.any(String));
          expect(c.failureTime).toBeInstanceOf(Date);
        }
      }
      const newestCompleted = history.find((c) => c.status === "COMPLETED");
      expect(latest.completed?.id).toBe(newestCompleted?.id);
      if (latest.failed) expect(latest.failed.status).toBe("FAILED");
      for (const s of [summary.endToEndDurationMs, summary.stateSizeBytes, summary.checkpointedSizeBytes]) {
        expect(s).not.toBeNull();
        expect(s?.min).toBeLessThanOrEqual(s?.avg ?? -1);
        expect(s?.avg).toBeLessThanOrEqual(s?.max ?? -1);
        expect(s?.p50).toBeGreaterThanOrEqual(s?.min ?? Number.POSITIVE_INFINITY);
        expect(s?.p99).toBeLessThanOrEqual(s?.max ?? -1);
      }
      // Healthy checkpoints, as long as this subject's take.
      expect(summary.endToEndDurationMs?.avg).toBeGreaterThanOrEqual(subject.checkpointAvgMs.min);
      expect(summary.endToEndDurationMs?.avg).toBeLessThanOrEqual(subject.checkpointAvgMs.max);
      expect((await failure(port.checkpoints(UNKNOWN_JOB))).kind).toBe("not-found");
    });

    it("details a completed checkpoint per vertex: the slowest subtask's sync, async and alignment", async () => {
      const job = await port.findJob(subject.jobName);
      const [stats, details] = await Promise.all([port.checkpoints(job.id), port.jobDetails(job.id)]);
      const completed = stats.latest.completed;
      expect(completed).not.toBeNull();
      const b = await port.checkpointDetails(job.id, completed!.id);
      expect(b.checkpointId).toBe(completed!.id);
      expect(b.status).toBe("COMPLETED");
      expect(b.endToEndDurationMs).toBe(completed!.endToEndDurationMs);
      expect(b.checkpointedSizeBytes).toBe(completed!.checkpointedSizeBytes);
      expect(b.vertices.map((v) => v.vertexId).sort()).toEqual(details.vertices.map((v) => v.id).sort());
      for (const v of b.vertices) {
        expect(v.acknowledgedSubtasks).toBe(v.subtasks);
        for (const ms of [v.maxSyncMs, v.maxAsyncMs, v.maxAlignmentMs, v.maxStartDelayMs]) {
          expect(ms).toEqual(expect.any(Number));
          expect(ms).toBeGreaterThanOrEqual(0);
        }
        // A subtask's phases happen within the checkpoint.
        expect((v.maxSyncMs ?? 0) + (v.maxAsyncMs ?? 0)).toBeLessThanOrEqual(b.endToEndDurationMs + 50);
      }
      expect(b.vertices.reduce((a, v) => a + v.checkpointedSizeBytes, 0)).toBeLessThanOrEqual(
        b.checkpointedSizeBytes + 1024,
      );
      expect((await failure(port.checkpointDetails(UNKNOWN_JOB, completed!.id))).kind).toBe("not-found");
    });

    it("serves the JobManager's log as lines, or says it has none (not-found)", async () => {
      const log = await port.jobManagerLog({ maxBytes: 64 * 1024 }).catch((e: unknown) => e);
      if (log instanceof FlinkError) {
        expect(log.kind).toBe("not-found");
        return;
      }
      expect(log).toMatchObject({ truncated: expect.any(Boolean) });
      const lines = (log as { lines: readonly string[] }).lines;
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join("\n").length).toBeLessThanOrEqual(64 * 1024);
      expect(lines.some((l) => l.includes("org.apache.flink"))).toBe(true);
    });

    it("reports the checkpoint configuration", async () => {
      const job = await port.findJob(subject.jobName);
      const config = await port.checkpointConfig(job.id);
      expect(config).toMatchObject({
        mode: "exactly_once",
        timeoutMs: 600_000,
        maxConcurrent: 1,
        externalization: { enabled: true, deleteOnCancellation: false },
        stateBackend: expect.stringMatching(/StateBackend$/),
        checkpointStorage: expect.stringMatching(/CheckpointStorage$/),
      });
      expect(config.intervalMs).toBeGreaterThan(0);
      expect(config).toMatchObject(subject.checkpointConfig);
    });

    it("lists job exceptions newest first, each with a name, a first line and a time", async () => {
      const job = await port.findJob(subject.jobName);
      const exceptions = await port.exceptions(job.id, 5);
      expect(exceptions.length).toBeLessThanOrEqual(5);
      for (const e of exceptions) {
        expect(e.name).toMatch(/^[\w.$]+$/);
        expect(e.message.startsWith(e.name)).toBe(true);
        expect(e.time).toBeInstanceOf(Date);
      }
      const times = exceptions.map((e) => e.time?.getTime() ?? 0);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it("reports back pressure of every vertex per subtask, levels consistent with ratios", async () => {
      const job = await port.findJob(subject.jobName);
      const details = await port.jobDetails(job.id);
      for (const v of details.vertices) {
        const bp = await port.vertexBackpressure(job.id, v.id);
        expect(bp.vertexId).toBe(v.id);
        expect(bp.status).toBe("ok");
        expect(LEVELS).toContain(bp.level);
        expect(bp.measuredAt).toBeInstanceOf(Date);
        expect(bp.subtasks.map((s) => s.subtask)).toEqual(Array.from({ length: v.parallelism }, (_, i) => i));
        for (const s of bp.subtasks) {
          expect(s.ratio).toBeGreaterThanOrEqual(0);
          expect(s.ratio).toBeLessThanOrEqual(1);
          expect(s.level).toBe(s.ratio <= 0.1 ? "ok" : s.ratio <= 0.5 ? "low" : "high");
          expect((s.busyRatio ?? 0) + (s.idleRatio ?? 0) + s.ratio).toBeLessThanOrEqual(1.0001);
        }
        const worst = Math.max(...bp.subtasks.map((s) => s.ratio));
        expect(bp.level).toBe(worst <= 0.1 ? "ok" : worst <= 0.5 ? "low" : "high");
      }
      expect((await failure(port.vertexBackpressure(job.id, UNKNOWN_JOB))).kind).toBe("not-found");
    });

    it("reports watermarks: none on the source, current ones downstream", async () => {
      const job = await port.findJob(subject.jobName);
      const [source, ...downstream] = (await port.jobDetails(job.id)).vertices;
      if (!source) throw new Error("no vertices");
      // A source has no input watermark: Flink lists no watermark metric for it at all.
      const sourceMarks = await port.vertexWatermarks(job.id, source.id);
      expect(sourceMarks).toEqual({ vertexId: source.id, subtasks: [], min: null });
      for (const v of downstream) {
        const marks = await port.vertexWatermarks(job.id, v.id);
        expect(marks.subtasks.map((s) => s.subtask)).toEqual(
          Array.from({ length: v.parallelism }, (_, i) => i),
        );
        for (const s of marks.subtasks) {
          expect(s.watermark).toBeInstanceOf(Date);
          const lag = Date.now() - (s.watermark?.getTime() ?? 0);
          expect(lag).toBeGreaterThanOrEqual(0);
          expect(lag).toBeLessThan(60_000);
          expect(marks.min?.getTime()).toBeLessThanOrEqual(s.watermark?.getTime() ?? 0);
        }
      }
    });

    it("reads job metrics as numbers and leaves out the ones Flink does not have", async () => {
      const job = await port.findJob(subject.jobName);
      const metrics = await port.jobMetrics(job.id, [
        "numRestarts",
        "lastCheckpointDuration",
        "numberOfFailedCheckpoints",
        "uptime",
        "no.such.metric",
      ]);
      expect(Object.keys(metrics).sort()).toEqual(
        ["lastCheckpointDuration", "numRestarts", "numberOfFailedCheckpoints", "uptime"].sort(),
      );
      expect(metrics.numRestarts).toBe(0);
      expect(metrics.lastCheckpointDuration).toBeGreaterThan(0);
      expect(metrics.uptime).toBeGreaterThan(0);
      expect(await port.jobMetrics(job.id, [])).toEqual({});
    });

    it("lists taskmanagers and their memory, used within max", async () => {
      const overview = await port.overview();
      const tms = await port.taskmanagers();
      expect(tms).toHaveLength(overview.taskmanagers);
      for (const tm of tms) {
        expect(tm.slotsTotal).toBeGreaterThanOrEqual(1);
        expect(tm.slotsFree).toBeLessThanOrEqual(tm.slotsTotal);
        expect(tm.lastHeartbeatMsAgo).toBeGreaterThanOrEqual(0);
        expect(tm.lastHeartbeatMsAgo).toBeLessThan(60_000);
      }
      const memory = await port.taskmanagerMemory();
      expect(memory.map((m) => m.id).sort()).toEqual(tms.map((t) => t.id).sort());
      for (const m of memory) {
        expect(m.heapMaxBytes).toBeGreaterThan(0);
        expect(m.heapUsedBytes).toBeGreaterThan(0);
        expect(m.heapUsedBytes).toBeLessThanOrEqual(m.heapMaxBytes ?? 0);
        expect(m.managedUsedBytes).toBeLessThanOrEqual(m.managedTotalBytes ?? 0);
        expect(m.gcTimeMs).toBeGreaterThanOrEqual(0);
      }
      const first = tms[0];
      if (!first) throw new Error("no taskmanagers");
      const metrics = await port.taskmanagerMetrics(first.id, [
        "Status.JVM.Memory.Heap.Used",
        "Status.JVM.Memory.Heap.Max",
      ]);
      expect(Object.keys(metrics).sort()).toEqual([
        "Status.JVM.Memory.Heap.Max",
        "Status.JVM.Memory.Heap.Used",
      ]);
      expect((await failure(port.taskmanagerMetrics("10.9.9.9:6122-000000", ["x"]))).kind).toBe("not-found");
    });

    it("triggers a checkpoint that completes with a new id, then shows in the history", async () => {
      const job = await port.findJob(subject.jobName);
      const before = await port.checkpoints(job.id);
      const newest = Math.max(...before.history.map((c) => c.id));
      const triggered = await port.triggerCheckpoint(job.id, { deadlineMs: 20_000 });
      expect(triggered.requestId).toMatch(/^[0-9a-f]{32}$/);
      expect(triggered.checkpointId).toBeGreaterThan(newest);
      expect(triggered.waitedMs).toBeGreaterThanOrEqual(0);
      // Flink caches checkpoint statistics for a few seconds (rest.cache.checkpoint-statistics.timeout,
      // default web.refresh-interval = 3 s): the new checkpoint shows once that cache expired.
      let after = await port.checkpoints(job.id);
      for (let i = 0; i < 50 && !after.history.some((c) => c.id === triggered.checkpointId); i++) {
        await new Promise((done) => setTimeout(done, 200));
        after = await port.checkpoints(job.id);
      }
      expect(after.history.find((c) => c.id === triggered.checkpointId)?.status).toBe("COMPLETED");
      expect(after.counts.completed).toBeGreaterThan(before.counts.completed);
      expect((await failure(port.triggerCheckpoint(UNKNOWN_JOB))).kind).toBe("not-found");
    });
  });
}
