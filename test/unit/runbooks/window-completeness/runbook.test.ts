/**
 * The whole window-completeness runbook through the engine with small port doubles: the queries it
 * sends, the branch it picks, and what it says when a source is missing or answers partially.
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import { matchLogQuery } from "../../../../src/core/log-queries.ts";
import type { RunReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { FlinkPort } from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { LogQueryRequest, LogRow, LogsPort } from "../../../../src/ports/logs.ts";
import { type MetricQuery, type MetricsPort, seriesBatchBySeries } from "../../../../src/ports/metrics.ts";
import { windowCompletenessRunbook } from "../../../../src/runbooks/window-completeness/index.ts";
import { fakeKafkaPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-01-13T10:30:00.000Z");
const clock: Clock = { now: () => NOW, sleep: async () => undefined };
const config: AppConfig = { ...configSchema.parse({}), secrets: {} };

/** Values per metric, oldest first, one per period ending at NOW; a window_id series via "WindowCompleteness#id". */
function fakeMetrics(series: Readonly<Record<string, readonly number[] | Error>>) {
  const queries: MetricQuery[] = [];
  const one = async (q: MetricQuery) => {
    queries.push(q);
    const key = q.dimensions?.window_id ? `${q.metric}#${q.dimensions.window_id}` : q.metric;
    const values = series[key];
    if (values instanceof Error) throw values;
    return (values ?? []).map((value, i, all) => ({
      at: new Date(NOW.getTime() - (all.length - i) * q.periodSeconds * 1000),
      value,
    }));
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series: one,
    seriesBatch: (w, s) => seriesBatchBySeries(one, w, s),
  };
  return { port, queries };
}

function fakeLogs(answers: Readonly<Record<string, readonly LogRow[] | "partial">>) {
  const requests: LogQueryRequest[] = [];
  const port: LogsPort = {
    describeTarget: "CloudWatch Logs us-east-1",
    query: async (request) => {
      requests.push(request);
      const id = matchLogQuery(request.query)?.id ?? "other";
      const answer = answers[id] ?? [];
      return answer === "partial"
        ? {
            queryId: id,
            outcome: "stopped-at-deadline",
            rows: [],
            elapsedMs: 30_000,
            note: "StopQuery succeeded.",
          }
        : { queryId: id, outcome: "complete", rows: answer, elapsedMs: 800 };
    },
  };
  return { port, requests };
}

const emitted = (...hhmm: string[]): LogRow[] =>
  hhmm.map((t) => ({ window_id: `window-2025-01-13-${t}`, "count()": "12" }));

function flinkWith(behindMs: number): FlinkPort {
  const notUsed = () => Promise.reject(new Error("not used"));
  return {
    describeTarget: "Flink REST http://jm:8081",
    overview: notUsed,
    jobs: notUsed,
    findJob: async () => ({
      id: "j1",
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 1,
    }),
    jobDetails: async () => ({
      id: "j1",
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 1,
      maxParallelism: null,
      vertices: [
        { id: "v1", name: "Source", parallelism: 1, status: "RUNNING", metrics: {} as never },
        { id: "v2", name: "Window", parallelism: 1, status: "RUNNING", metrics: {} as never },
      ],
    }),
    checkpoints: async () => ({
      counts: { restored: 0, total: 1, inProgress: 0, completed: 1, failed: 0 },
      summary: { checkpointedSizeBytes: null, stateSizeBytes: null, endToEndDurationMs: null },
      latest: { completed: null, savepoint: null, failed: null, restored: null },
      history: [],
    }),
    checkpointConfig: notUsed,
    exceptions: notUsed,
    vertexBackpressure: notUsed,
    vertexWatermarks: async (_j, v) => ({
      vertexId: v,
      subtasks: [],
      min: v === "v1" ? null : new Date(NOW.getTime() - behindMs),
    }),
    jobMetrics: notUsed,
    taskmanagers: notUsed,
    taskmanagerMetrics: notUsed,
    taskmanagerMemory: notUsed,
    checkpointDetails: () => Promise.reject(new Error("fake flink: checkpointDetails is not used here")),
    jobManagerLog: () => Promise.reject(new Error("fake flink: jobManagerLog is not used here")),
    triggerCheckpoint: () => Promise.reject(new Error("a diagnosis must never trigger anything")),
  };
}

async function run(ports: Omit<Ports, "clock">, cfg = config): Promise<RunReport> {
  return runRunbook(windowCompletenessRunbook, { ports: { ...ports, clock }, config: cfg });
}

const dropped = [100, 100, 87, 92, 91, 90];

describe("window-completeness runbook", () => {
  it("reads the seed's series: 5-minute overview, then the worst window by window_id", async () => {
    const metrics = fakeMetrics({
      WindowCompleteness: dropped,
      "WindowCompleteness#window-2025-01-13-10-10": [88, 87],
    });
    const report = await run({ metrics: metrics.port });
    const [overview, perWindow] = metrics.queries;
    expect(overview).toMatchObject({
      namespace: "ecommerce-streaming",
      metric: "WindowCompleteness",
      stat: "Average",
      periodSeconds: 300,
    });
    expect(NOW.getTime() - overview!.start.getTime()).toBe(30 * 60_000);
    expect(perWindow).toMatchObject({
      dimensions: { window_id: "window-2025-01-13-10-10" },
      periodSeconds: 60,
    });
    expect(report.steps[0]!.summary).toBe(
      "Worst window window-2025-01-13-10-10 at 87%; latest 90% (threshold 95%).",
    );
    expect(report.steps[0]!.findings[1]!.title).toBe("window-2025-01-13-10-10: 87% at its lowest");
  });

  it("a config that renames the metric is honoured", async () => {
    const renamed: AppConfig = {
      ...configSchema.parse({ metrics: { windowCompleteness: { metric: "WinComplete" } } }),
      secrets: {},
    };
    const metrics = fakeMetrics({ WinComplete: [99] });
    await run({ metrics: metrics.port }, renamed);
    expect(metrics.queries[0]!.metric).toBe("WinComplete");
  });

  it("only metrics: a stuck watermark is named, the idle source and unchecked branches stay open", async () => {
    const metrics = fakeMetrics({ WindowCompleteness: dropped, WatermarkLagMs: [2_000, 400_000] });
    const report = await run({ metrics: metrics.port });
    expect(report.conclusion.cause).toBe("watermark-stuck");
    expect(report.conclusion.confidence).toBe("medium");
    expect(report.conclusion.openBranches).toEqual(
      expect.arrayContaining([
        "late arrivals beyond the allowed lateness (A)",
        "window never triggered (D)",
        "watermark stuck because the source stopped sending (upstream)",
      ]),
    );
    expect(report.steps[1]!.findings.map((f) => f.title)).toContain(
      "Not checked: CloudWatch Logs is not configured",
    );
  });

  it("sends the seed's per-window query to the pipeline's log group, covering the window", async () => {
    const metrics = fakeMetrics({ WindowCompleteness: dropped });
    const logs = fakeLogs({
      "window-records": [
        {
          "@timestamp": "2025-01-13 10:14:59.000",
          window_id: "window-2025-01-13-10-10",
          records_in: "10000",
          records_out: "9000",
          records_late: "800",
        },
      ],
      "window-emit-counts": emitted("10-00", "10-05", "10-10", "10-15", "10-20"),
    });
    const report = await run({ metrics: metrics.port, logs: logs.port });
    const windowQuery = logs.requests.find((r) => r.query.includes("filter window_id"))!;
    expect(windowQuery.query).toBe(
      'fields @timestamp, window_id, records_in, records_out, records_late\n| filter window_id = "window-2025-01-13-10-10"',
    );
    expect(windowQuery.logGroups).toEqual(["ecommerce-streaming"]);
    expect(windowQuery.start.toISOString()).toBe("2025-01-13T10:10:00.000Z");
    expect(report.conclusion.cause).toBe("late-arrivals");
    expect(report.steps[1]!.findings[0]!.title).toBe(
      "Gap: 200 records unaccounted in window-2025-01-13-10-10",
    );
  });

  it("a window-emits query stopped at its deadline proves nothing about missing windows", async () => {
    const metrics = fakeMetrics({ WindowCompleteness: dropped, WatermarkLagMs: [2_000] });
    const logs = fakeLogs({ "window-emit-counts": "partial" });
    const report = await run({ metrics: metrics.port, logs: logs.port });
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.steps[2]!.findings.map((f) => f.title)).toContain(
      "D. Window emits: query stopped early, cannot tell which windows are missing",
    );
  });

  it("Flink's watermarks and the source topic decide when the metric is missing", async () => {
    const metrics = fakeMetrics({ WindowCompleteness: dropped });
    const kafka = fakeKafkaPort({
      describeTarget: "b-1:9092",
      sampleNewest: async (topic) => ({
        topic,
        complete: true,
        records: [
          {
            partition: 0,
            offset: 9,
            timestamp: new Date(NOW.getTime() - 2_000).toISOString(),
            key: null,
            value: "{}",
            valueBytes: 2,
            truncated: false,
            headers: {},
          },
        ],
      }),
    });
    const report = await run({ metrics: metrics.port, kafka, flink: flinkWith(360_000) });
    expect(report.conclusion.cause).toBe("watermark-stuck");
    expect(report.conclusion.suggestedActions.map((p) => p.action)).toEqual(["restart-taskmanagers"]);
    expect(report.steps[2]!.findings.find((f) => f.title.startsWith("B."))!.title).toBe(
      "B. Watermark: watermark 360 s behind; newest record on orders.raw 2 s old",
    );
  });

  it("nothing configured: unknown, low confidence, every branch open", async () => {
    const report = await run({});
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toHaveLength(4);
    expect(report.steps[0]!.summary).toBe("Not checked: CloudWatch metrics is not configured.");
  });
});
