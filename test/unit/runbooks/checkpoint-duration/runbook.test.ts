/**
 * The whole checkpoint-duration runbook through the engine, with small in-test port doubles.
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { Finding } from "../../../../src/core/finding.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { CheckpointRecord, CheckpointStats, FlinkPort } from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { LogQueryRequest, LogsPort } from "../../../../src/ports/logs.ts";
import {
  type MetricPoint,
  type MetricQuery,
  type MetricsPort,
  seriesBatchBySeries,
} from "../../../../src/ports/metrics.ts";
import { checkpointDurationRunbook } from "../../../../src/runbooks/checkpoint-duration/index.ts";
import { fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2026-01-13T10:30:00.000Z");
const MB = 2 ** 20;
const clock: Clock = { now: () => NOW, sleep: async () => undefined };

/** 60 one-minute points ending at NOW. */
function hour(value: (i: number) => number): number[] {
  return Array.from({ length: 60 }, (_, i) => value(i));
}

function fakeMetrics(series: Readonly<Record<string, readonly number[]>>) {
  const queries: MetricQuery[] = [];
  const one = async (q: MetricQuery): Promise<MetricPoint[]> => {
    queries.push(q);
    const values = series[q.metric] ?? [];
    return values.map((value, i) => ({ at: new Date(NOW.getTime() - (values.length - i) * 60_000), value }));
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series: one,
    seriesBatch: (w, s) => seriesBatchBySeries(one, w, s),
  };
  return { port, queries };
}

function record(k: number, durationMs: number, writtenBytes: number): CheckpointRecord {
  const trigger = new Date(NOW.getTime() - (k + 1) * 60_000);
  return {
    id: 500 - k,
    status: "COMPLETED",
    isSavepoint: false,
    triggerTime: trigger,
    latestAckTime: new Date(trigger.getTime() + durationMs),
    checkpointedSizeBytes: writtenBytes,
    stateSizeBytes: 1_200_000_000,
    endToEndDurationMs: durationMs,
    acknowledgedSubtasks: 16,
    totalSubtasks: 16,
    externalPath: null,
    failureMessage: null,
    failureTime: null,
  };
}

function fakeFlink(durationMs: number, writtenBytes: number): FlinkPort {
  const history = Array.from({ length: 10 }, (_, k) => record(k, durationMs, writtenBytes));
  const stats: CheckpointStats = {
    counts: { restored: 0, total: 500, inProgress: 0, completed: 500, failed: 0 },
    summary: {
      checkpointedSizeBytes: {
        min: writtenBytes,
        max: writtenBytes,
        avg: writtenBytes,
        p50: null,
        p90: null,
        p99: null,
      },
      stateSizeBytes: { min: 1.2e9, max: 1.2e9, avg: 1.2e9, p50: null, p90: null, p99: null },
      endToEndDurationMs: {
        min: durationMs,
        max: durationMs,
        avg: durationMs,
        p50: null,
        p90: null,
        p99: null,
      },
    },
    latest: { completed: history[0]!, savepoint: null, failed: null, restored: null },
    history,
  };
  const never = () => Promise.reject(new Error("not used in this test"));
  return {
    describeTarget: "Flink REST",
    overview: never,
    jobs: never,
    findJob: async () => ({
      id: "job-1",
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 0,
    }),
    jobDetails: never,
    checkpoints: async (jobId) => {
      expect(jobId).toBe("job-1");
      return stats;
    },
    checkpointConfig: async () => ({
      mode: "exactly_once",
      intervalMs: 60_000,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: true, deleteOnCancellation: false },
      stateBackend: null,
      checkpointStorage: null,
      unalignedCheckpoints: null,
      tolerableFailedCheckpoints: null,
    }),
    exceptions: never,
    vertexBackpressure: never,
    vertexWatermarks: never,
    jobMetrics: never,
    taskmanagers: never,
    taskmanagerMetrics: never,
    taskmanagerMemory: never,
    checkpointDetails: () => Promise.reject(new Error("fake flink: checkpointDetails is not used here")),
    jobManagerLog: () => Promise.reject(new Error("fake flink: jobManagerLog is not used here")),
    triggerCheckpoint: () => Promise.reject(new Error("a diagnosis must never trigger a checkpoint")),
  };
}

function fakeLogs(avgBytes: number, maxBytes: number) {
  const requests: LogQueryRequest[] = [];
  const port: LogsPort = {
    describeTarget: "CloudWatch Logs",
    query: async (r) => {
      requests.push(r);
      return {
        queryId: "q",
        outcome: "complete",
        rows: [{ avg_bytes: String(avgBytes), max_bytes: String(maxBytes) }],
        elapsedMs: 900,
      };
    },
  };
  return { port, requests };
}

function fakeK8s(compactionLinesPerPod: number) {
  const queries: unknown[] = [];
  const port = fakeKubernetesPort({
    describeTarget: "https://eks.example:443",
    podLogs: async (namespace, selector, query) => {
      queries.push({ namespace, selector, query });
      return ["flink-taskmanager-0", "flink-taskmanager-1"].map((pod, p) => ({
        pod,
        container: "taskmanager",
        lines: Array.from(
          { length: Math.min(10, compactionLinesPerPod) },
          (_, i) => `RocksDB compaction ${i}`,
        ),
        matched: p === 0 ? compactionLinesPerPod : 1,
        truncated: compactionLinesPerPod > 10,
        error: null,
      }));
    },
  });
  return { port, queries };
}

function config(input: Record<string, unknown> = {}): AppConfig {
  return {
    ...configSchema.parse({ flink: { url: "http://flink:8081" }, aws: {}, kubernetes: {}, ...input }),
    secrets: {},
  };
}

async function run(ports: Omit<Ports, "clock">, cfg = config()): Promise<RunReport> {
  return runRunbook(checkpointDurationRunbook, { ports: { clock, ...ports }, config: cfg });
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

function titled(s: StepReport, prefix: string): Finding {
  const f = s.findings.find((x) => x.title.startsWith(prefix));
  if (!f) throw new Error(`no finding "${prefix}" in ${s.findings.map((x) => x.title).join(" | ")}`);
  return f;
}

const rising = hour((i) => 6_000 + i * 600); // 6 s an hour ago -> 41.4 s now
const flatState = hour((i) => 1_200_000_000 + (i % 3) * 1_000_000);

describe("checkpoint-duration runbook", () => {
  it("B: flat state, 120 MB in 40 s: the network is slow, with the seed's query and snippets", async () => {
    const metrics = fakeMetrics({
      checkpoint_duration_ms: rising,
      StateBackendUsedBytes: flatState,
      LatencyP99: rising.map((d) => 3_000 + d / 10),
    });
    const logs = fakeLogs(500 * MB, 600 * MB);
    const k8s = fakeK8s(1);
    const report = await run({
      metrics: metrics.port,
      flink: fakeFlink(40_000, 120 * MB),
      logs: logs.port,
      kubernetes: k8s.port,
    });

    expect(metrics.queries.find((q) => q.metric === "checkpoint_duration_ms")).toEqual({
      namespace: "ecommerce-streaming",
      metric: "checkpoint_duration_ms",
      stat: "Average",
      periodSeconds: 60,
      start: new Date("2026-01-13T09:30:00.000Z"),
      end: NOW,
    });
    expect(logs.requests[0]).toMatchObject({
      logGroups: ["ecommerce-streaming"],
      query:
        "fields checkpoint_size_bytes\n| stats avg(checkpoint_size_bytes) as avg_bytes, max(checkpoint_size_bytes) as max_bytes",
      start: new Date("2026-01-13T09:30:00.000Z"),
      end: NOW,
    });
    expect(k8s.queries).toEqual([
      {
        namespace: "flink",
        selector: "app=flink-taskmanager",
        query: { grep: "compaction", sinceSeconds: 900, tailLines: 5000, maxLines: 10 },
      },
    ]);

    const assess = step(report, "assess");
    expect(assess.summary).toBe(
      "Latest checkpoint 41.4 s (threshold 30.0 s), rising over the hour; uploads at 3.0 MB/s.",
    );
    expect(assess.status).toBe("critical");
    expect(titled(assess, "Checkpoint duration 41.4 s").severity).toBe("critical");

    const root = step(report, "root-cause");
    expect(titled(root, "A. State size flat").severity).toBe("ok");
    expect(titled(root, "B. Network: checkpoints upload at 3.0 MB/s (slow").severity).toBe("warning");
    expect(titled(root, "C. RocksDB compaction").title).toBe(
      "C. RocksDB compaction: 2 log line(s) in the last 15 minutes on 2 taskmanager(s), at most 1 on one",
    );

    const fix = titled(step(report, "fix"), "If network slow");
    const code = fix.evidence.flatMap((e) => (e.kind === "code" ? [e.text] : []));
    expect(code[0]).toContain("aws s3 cp - s3://checkpoint-bucket/runbook-bot-speed-test");
    expect(code.join("\n")).toContain("state.backend.rocksdb.checkpoint.transfer.thread.num");
    expect(code.join("\n")).toContain("env.getCheckpointConfig().setCheckpointTimeout(600000);");
    expect(fix.proposals).toEqual([]);

    expect(titled(step(report, "verify"), "LatencyP99 follows checkpoint duration (r = 1.00)").severity).toBe(
      "warning",
    );
    expect(report.conclusion).toMatchObject({
      cause: "network-slow",
      confidence: "medium",
      severity: "warning",
      suggestedActions: [],
    });
  });

  it("C: a taskmanager with 12 compaction lines in 15 minutes: compaction, network left open", async () => {
    const report = await run({
      metrics: fakeMetrics({ checkpoint_duration_ms: rising, StateBackendUsedBytes: flatState }).port,
      flink: fakeFlink(40_000, 120 * MB),
      logs: fakeLogs(500 * MB, 600 * MB).port,
      kubernetes: fakeK8s(12).port,
    });
    expect(titled(step(report, "root-cause"), "C. RocksDB compaction").severity).toBe("warning");
    expect(report.conclusion).toMatchObject({
      cause: "compaction",
      openBranches: ["B. network slow (S3 upload slow)"],
    });
  });

  it("A: StateBackendUsedBytes doubling in the hour is a state leak, whatever the throughput", async () => {
    const report = await run({
      metrics: fakeMetrics({
        checkpoint_duration_ms: rising,
        StateBackendUsedBytes: hour((i) => 1_200_000_000 + i * 20_000_000),
      }).port,
      flink: fakeFlink(40_000, 120 * MB),
      kubernetes: fakeK8s(30).port,
    });
    expect(titled(step(report, "root-cause"), "A. State size growing").severity).toBe("critical");
    expect(report.conclusion).toMatchObject({ cause: "state-leak", confidence: "high" });
    expect(titled(step(report, "fix"), "If state growing").evidence[0]).toEqual({
      kind: "code",
      text: "// File: KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.evictor(TimeEvictor.of(Time.minutes(5)))  // Discard old records",
    });
  });

  it("without Flink: the throughput comes from the logged size over the latest duration", async () => {
    const report = await run(
      {
        metrics: fakeMetrics({ checkpoint_duration_ms: rising, StateBackendUsedBytes: flatState }).port,
        logs: fakeLogs(62 * MB, 80 * MB).port,
        kubernetes: fakeK8s(0).port,
      },
      config({ flink: undefined }),
    );
    const sizes = titled(step(report, "assess"), "Checkpoint sizes");
    expect(sizes.evidence[0]).toMatchObject({
      kind: "fields",
      fields: expect.arrayContaining([
        {
          label: "Implied upload throughput",
          value: "1.5 MB/s (62.0 MiB in 41.4 s, logged size over the latest duration)",
        },
      ]),
    });
    expect(report.conclusion.cause).toBe("network-slow");
  });

  it("reads the metric a deployment renamed through config.metrics", async () => {
    const metrics = fakeMetrics({ CheckpointDurationMs: hour(() => 5_000) });
    const report = await run(
      { metrics: metrics.port },
      config({
        flink: undefined,
        kubernetes: undefined,
        metrics: { checkpointDurationMs: { metric: "CheckpointDurationMs" } },
      }),
    );
    expect(metrics.queries.map((q) => q.metric)).toContain("CheckpointDurationMs");
    expect(report.conclusion).toMatchObject({ cause: "below-threshold", severity: "ok", confidence: "high" });
  });

  it("with nothing configured: unknown, low confidence, every branch open", async () => {
    const report = await run({}, config({ flink: undefined, aws: undefined, kubernetes: undefined }));
    expect(step(report, "assess").status).toBe("error");
    expect(report.conclusion).toMatchObject({ cause: "unknown", confidence: "low" });
    expect(report.conclusion.openBranches).toHaveLength(3);
  });
});
