/**
 * (f) checkpoint-duration with Flink's per-subtask phases, from answers shaped as the real Flink
 * sends them (/jobs/:jid/checkpoints/details/:cpid and .../subtasks/:vid, parsed by the adapter's
 * parsers): the network is judged only when the upload (async phase) dominates, and by its rate
 * only for checkpoints big enough; a long synchronous phase is its own cause.
 */
import { describe, expect, it } from "vitest";
import {
  checkpointBreakdown,
  parseCheckpointDetails,
  parseCheckpoints,
  parseVertexCheckpoint,
} from "../../../../src/adapters/flink/flink-parse.ts";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { RunReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { FlinkJobSummary, FlinkPort } from "../../../../src/ports/flink.ts";
import { checkpointDurationRunbook } from "../../../../src/runbooks/checkpoint-duration/index.ts";
import { fakeFlinkPort } from "../../../fakes/ports.ts";
import { JOB_ID, rawCheckpoint, rawCheckpoints } from "../../../fixtures/flink-real-shapes.ts";

const NOW = Date.parse("2026-12-07T18:00:00.000Z");
const clock: Clock = { now: () => new Date(NOW), sleep: async () => undefined };
const MB = 2 ** 20;
const job: FlinkJobSummary = {
  id: JOB_ID,
  name: "order-processing",
  state: "RUNNING",
  startTime: new Date(NOW - 3_600_000),
  durationMs: 3_600_000,
};
const VERTICES = [
  { id: "cbc357ccb763df2852fee8c4fc7d55f2", name: "Source: Kafka orders.raw -> parse-validate" },
  { id: "90bea66de1c231edf33913ecd54406c1", name: "enrichment" },
  {
    id: "6d2677a0ecc3fd8df0b72ec675edf8f4",
    name: "Window(TumblingEventTimeWindows(300000), EventTimeTrigger, OrderAggregator)",
  },
];

interface Phase {
  readonly sync: number;
  readonly async: number;
  readonly alignment: number;
  readonly bytes: number;
}

/** .../subtasks/:vid as Flink sends it: a summary and one entry per subtask ("completed" ones carry numbers). */
function rawSubtasks(cpId: number, e2e: number, p: Phase): Record<string, unknown> {
  const stat = (v: number) => ({ min: v, max: v, avg: v, p50: v, p90: v, p95: v, p99: v, p999: v });
  const sub = (index: number) => ({
    index,
    ack_timestamp: NOW - 1_000,
    end_to_end_duration: e2e - 10,
    state_size: p.bytes / 2,
    checkpointed_size: p.bytes / 2,
    checkpoint: { sync: p.sync, async: p.async },
    alignment: { buffered: 0, processed: 0, persisted: 0, duration: p.alignment },
    start_delay: 3,
    unaligned_checkpoint: false,
    aborted: false,
    status: "completed",
  });
  return {
    id: cpId,
    status: "COMPLETED",
    latest_ack_timestamp: NOW - 1_000,
    checkpointed_size: p.bytes,
    state_size: p.bytes,
    end_to_end_duration: e2e - 10,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: 2,
    num_acknowledged_subtasks: 2,
    summary: {
      checkpointed_size: stat(p.bytes / 2),
      state_size: stat(p.bytes / 2),
      end_to_end_duration: stat(e2e - 10),
      checkpoint_duration: { sync: stat(p.sync), async: stat(p.async) },
      alignment: { buffered: stat(0), processed: stat(0), persisted: stat(0), duration: stat(p.alignment) },
      start_delay: stat(3),
    },
    subtasks: [sub(0), sub(1)],
  };
}

/** Completed checkpoints of `e2e` ms writing `bytes`; the heavy vertex spends its time as `heavy` says. */
function flinkWith(e2e: number, heavyVertex: number, heavy: Phase): FlinkPort {
  const cpId = 60;
  const entries = Array.from({ length: 10 }, (_, i) =>
    rawCheckpoint(cpId - i, "COMPLETED", NOW - e2e - 2_000 - i * 60_000, {
      durationMs: e2e,
      sizeBytes: heavy.bytes,
    }),
  );
  const light: Phase = { sync: 1, async: 2, alignment: 0, bytes: 2_000 };
  return fakeFlinkPort({
    describeTarget: "Flink REST http://127.0.0.1:8081",
    findJob: async () => job,
    jobDetails: async () => ({
      ...job,
      maxParallelism: 128,
      vertices: VERTICES.map((v) => ({
        ...v,
        parallelism: 2,
        status: "RUNNING",
        metrics: {
          readRecords: 0,
          writeRecords: 0,
          readBytes: 0,
          writeBytes: 0,
          accumulatedBackpressuredMs: 0,
          accumulatedBusyMs: 0,
          accumulatedIdleMs: 0,
        },
      })),
    }),
    checkpoints: async () => parseCheckpoints(rawCheckpoints(entries, { completed: 60, failed: 0 })),
    checkpointConfig: async () => ({
      mode: "exactly_once",
      intervalMs: 60_000,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: true, deleteOnCancellation: false },
      stateBackend: "HashMapStateBackend",
      checkpointStorage: "FileSystemCheckpointStorage",
      unalignedCheckpoints: false,
      tolerableFailedCheckpoints: 0,
    }),
    checkpointDetails: async (_jid, id) => {
      const details = parseCheckpointDetails({
        ...rawCheckpoint(id, "COMPLETED", NOW - e2e - 2_000, { durationMs: e2e, sizeBytes: heavy.bytes }),
        tasks: Object.fromEntries(VERTICES.map((v) => [v.id, { id: v.id, status: "COMPLETED" }])),
      });
      return checkpointBreakdown(
        details,
        VERTICES.map((v, i) =>
          parseVertexCheckpoint(v.id, rawSubtasks(id, e2e, i === heavyVertex ? heavy : light)),
        ),
      );
    },
  });
}

function config(): AppConfig {
  return { ...configSchema.parse({ flink: { url: "http://127.0.0.1:8081" } }), secrets: {} };
}

async function run(flink: FlinkPort): Promise<RunReport> {
  return runRunbook(checkpointDurationRunbook, { ports: { clock, flink }, config: config() });
}

const titles = (r: RunReport) => r.steps.flatMap((s) => s.findings.map((f) => f.title));

const cases = [
  {
    name: "a healthy 50 KB checkpoint in 180 ms: no network verdict at all",
    flink: () => flinkWith(180, 2, { sync: 20, async: 60, alignment: 5, bytes: 50_000 }),
    cause: "below-threshold",
    noTitle: /\(slow/,
    title: /^B\. Network: not the bottleneck|^B\. Network: the upload took 0\.1 s of 0\.2 s for 48\.8 KB$/,
  },
  {
    name: "35 s spent in the enrichment's synchronous snapshot: not the network",
    flink: () => flinkWith(35_000, 1, { sync: 34_500, async: 200, alignment: 10, bytes: 1 * MB }),
    cause: "sync-phase",
    noTitle: /\(slow/,
    title:
      /^B\. Network: not the bottleneck: the upload took 0\.2 s of 35\.0 s, the synchronous snapshot 34\.5 s$/,
  },
  {
    name: "a small checkpoint whose upload takes 39 of 40 s: S3 is slow (latency, not a rate)",
    flink: () => flinkWith(40_000, 2, { sync: 15, async: 39_000, alignment: 5, bytes: 2 * MB }),
    cause: "network-slow",
    noTitle: /MB\/s/,
    title:
      /^B\. Network: the upload took 39\.0 s of 40\.0 s for 2\.0 MiB \(slow\)$|^B\. Network: the upload took 39\.0 s of 40\.0 s for 2 MiB \(slow\)$/,
  },
  {
    name: "600 MB uploaded in 38 of 40 s: slow by its rate",
    flink: () => flinkWith(40_000, 2, { sync: 150, async: 38_000, alignment: 5, bytes: 600 * MB }),
    cause: "network-slow",
    noTitle: /^never$/,
    title: /^B\. Network: the upload took 38\.0 s of 40\.0 s at 15\.8 MB\/s \(slow\)$/,
  },
  {
    name: "barrier alignment takes 30 of 36 s: back pressure, not S3",
    flink: () => flinkWith(36_000, 2, { sync: 10, async: 500, alignment: 30_000, bytes: 1 * MB }),
    cause: "unknown",
    noTitle: /\(slow/,
    title: /^B\. Network: not the bottleneck: the upload took 0\.5 s of 36\.0 s, barrier alignment 30\.0 s$/,
  },
];

describe("checkpoint-duration judges the network by Flink's checkpoint phases", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(c.flink());
      expect(r.conclusion.cause).toBe(c.cause);
      expect(titles(r).filter((t) => t.startsWith("B. Network"))).toEqual([expect.stringMatching(c.title)]);
      expect(titles(r).filter((t) => c.noTitle.test(t))).toEqual([]);
      if (c.cause === "unknown") expect(r.conclusion.summary).toContain("aligning barriers");
      if (c.cause === "sync-phase") {
        expect(r.conclusion.summary).toContain(
          "the synchronous phase took 34.5 s of checkpoint 60's 35.0 s (enrichment)",
        );
      }
    });
  }
});

describe("a tiny checkpoint whose upload dominates but takes milliseconds", () => {
  it("is not a slow network (measured on a real Flink 1.20.3: 556 KiB, upload 30 of 35 ms)", async () => {
    const r = await run(flinkWith(35, 2, { sync: 2, async: 30, alignment: 0, bytes: 570_000 }));
    expect(r.conclusion.cause).toBe("below-threshold");
    expect(titles(r).filter((t) => /\(slow/.test(t))).toEqual([]);
  });
});
