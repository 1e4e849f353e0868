/**
 * (b) Watermarks as the real Flink answers them (parsed by the adapter's parser): a source vertex
 * answers [], a vertex without a watermark yet Long.MIN_VALUE per subtask. No watermark at all
 * means no event-time window ever fires: window-completeness and consumer-lag must say so, not
 * "watermark lag unknown — under the threshold: windows close".
 */
import { describe, expect, it } from "vitest";
import { parseWatermarks } from "../../../src/adapters/flink/flink-parse.ts";
import { type AppConfig, configSchema } from "../../../src/config/schema.ts";
import type { RunReport } from "../../../src/core/runbook.ts";
import { runRunbook } from "../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../src/ports/clock.ts";
import type { FlinkJobSummary, FlinkPort } from "../../../src/ports/flink.ts";
import { consumerLagRunbook } from "../../../src/runbooks/consumer-lag/index.ts";
import { windowCompletenessRunbook } from "../../../src/runbooks/window-completeness/index.ts";
import { fakeFlinkPort } from "../../fakes/ports.ts";
import { JOB_ID, LONG_MIN } from "../../fixtures/flink-real-shapes.ts";

const NOW = Date.parse("2026-12-07T17:50:00.000Z");
const clock: Clock = { now: () => new Date(NOW), sleep: async () => undefined };

const job: FlinkJobSummary = {
  id: JOB_ID,
  name: "order-processing",
  state: "RUNNING",
  startTime: new Date(NOW - 600_000),
  durationMs: 600_000,
};
const VERTICES = [
  { id: "cbc357ccb763df2852fee8c4fc7d55f2", name: "Source: orders -> Timestamps/Watermarks" },
  {
    id: "90bea66de1c231edf33913ecd54406c1",
    name: "Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator)",
  },
  { id: "6d2677a0ecc3fd8df0b72ec675edf8f4", name: "Sink: Print to Std. Out" },
];

/** Raw /watermarks answers for the window and sink vertices (the source answers []). */
type Raw = { id: string; value: string }[];
const at = (agoMs: number) => String(NOW - agoMs);
const per = (values: readonly string[]): Raw =>
  values.map((value, i) => ({ id: `${i}.currentInputWatermark`, value }));

function flinkWith(windowRaw: Raw, sinkRaw: Raw): FlinkPort {
  return fakeFlinkPort({
    describeTarget: "Flink REST http://127.0.0.1:8081",
    findJob: async () => job,
    jobDetails: async () => ({
      ...job,
      maxParallelism: 128,
      vertices: VERTICES.map((v) => ({
        ...v,
        parallelism: 4,
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
    vertexWatermarks: async (_jid, vid) =>
      parseWatermarks(vid, vid === VERTICES[0]!.id ? [] : vid === VERTICES[1]!.id ? windowRaw : sinkRaw),
    vertexBackpressure: async (_jid, vid) => ({
      vertexId: vid,
      status: "ok",
      level: "ok",
      measuredAt: new Date(NOW),
      subtasks: [],
    }),
  });
}

function config(): AppConfig {
  return { ...configSchema.parse({ flink: { url: "http://127.0.0.1:8081" } }), secrets: {} };
}

async function run(runbook: typeof windowCompletenessRunbook, flink: FlinkPort): Promise<RunReport> {
  return runRunbook(runbook, { ports: { clock, flink }, config: config() });
}

const titles = (r: RunReport) => r.steps.flatMap((s) => s.findings.map((f) => f.title));

const cases = [
  {
    name: "no watermark at all (Long.MIN_VALUE on every subtask)",
    window: per([LONG_MIN, LONG_MIN, LONG_MIN, LONG_MIN]),
    sink: per([LONG_MIN, LONG_MIN, LONG_MIN, LONG_MIN]),
    completeness: {
      cause: "watermark-stuck",
      text: "no watermark at all",
      title: "B. Watermark: no watermark at all",
    },
    lag: {
      cause: "windowing",
      text: "no watermark at all",
      title: "C. Windowing: no watermark at all in Flink",
    },
  },
  {
    name: "one idle subtask without a watermark holds its windows back",
    window: per([at(2_000), LONG_MIN, at(2_100), at(2_300)]),
    sink: per([at(62_000), at(62_000), at(62_000), at(62_000)]),
    completeness: {
      cause: "watermark-stuck",
      text: "1 of 4 subtasks",
      title: "B. Watermark: subtasks without a watermark",
    },
    lag: {
      cause: "windowing",
      text: "1 of 4 subtasks",
      title: "C. Windowing: subtasks without a watermark in Flink",
    },
  },
  {
    name: "a watermark stuck 5 minutes behind",
    window: per([at(300_000), at(300_000), at(300_000), at(300_000)]),
    sink: per([at(360_000), at(360_000), at(360_000), at(360_000)]),
    completeness: {
      cause: "watermark-stuck",
      text: "trails by 360 s",
      title: "B. Watermark: watermark 360 s behind",
    },
    lag: {
      cause: "windowing",
      text: "trails by 360 s",
      title: "C. Windowing: Flink's lowest watermark 360 s behind (stuck: windows are not closing)",
    },
  },
];

describe("Flink watermarks as the real Flink reports them", () => {
  for (const c of cases) {
    it(`window-completeness: ${c.name}`, async () => {
      const r = await run(windowCompletenessRunbook, flinkWith(c.window, c.sink));
      expect(r.conclusion.cause).toBe(c.completeness.cause);
      expect(r.conclusion.summary).toContain(c.completeness.text);
      expect(titles(r)).toContain(c.completeness.title);
      expect(JSON.stringify(r.steps)).not.toContain("windows close.");
    });
    it(`consumer-lag: ${c.name}`, async () => {
      const r = await run(consumerLagRunbook, flinkWith(c.window, c.sink));
      expect(r.conclusion.cause).toBe(c.lag.cause);
      expect(r.conclusion.summary).toContain(c.lag.text);
      expect(titles(r)).toContain(c.lag.title);
    });
  }

  it("window-completeness: watermarks 2 s behind are healthy (no false alarm from the source's [])", async () => {
    const r = await run(
      windowCompletenessRunbook,
      flinkWith(
        per([at(2_000), at(2_100), at(2_200), at(2_300)]),
        per([at(2_500), at(2_500), at(2_500), at(2_500)]),
      ),
    );
    expect(r.conclusion.cause).not.toBe("watermark-stuck");
    expect(titles(r)).toContain("B. Watermark: watermark 3 s behind");
  });
});
