/**
 * The whole latency-slo-breach runbook through the engine, with small in-test port doubles: the
 * requests the probes make, the thread's text, and the conclusion (cause, confidence, proposals).
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { EvidenceBlock, Finding } from "../../../../src/core/finding.ts";
import { type LogQueryId, matchLogQuery } from "../../../../src/core/log-queries.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { BufferingHints, DeliveryStreamInfo, FirehosePort } from "../../../../src/ports/firehose.ts";
import type { BackpressureLevel, FlinkPort } from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { PodUsage } from "../../../../src/ports/kubernetes.ts";
import type { LogQueryRequest, LogRow, LogsPort } from "../../../../src/ports/logs.ts";
import type {
  MetricPoint,
  MetricQuery,
  MetricSelector,
  MetricsPort,
  MetricWindow,
} from "../../../../src/ports/metrics.ts";
import { latencySloBreachRunbook } from "../../../../src/runbooks/latency-slo-breach/index.ts";
import {
  parseEnrichmentMinutes,
  parseOperators,
  recentDeliveryRatio,
  topCustomerShare,
} from "../../../../src/runbooks/latency-slo-breach/signals.ts";
import { fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-03-01T12:00:00.000Z");
const clock: Clock = { now: () => NOW, sleep: async () => undefined };

function pointsOf(values: readonly number[], periodSeconds = 60): MetricPoint[] {
  return values.map((value, i) => ({
    at: new Date(NOW.getTime() - (values.length - i) * periodSeconds * 1000),
    value,
  }));
}

// ---------------------------------------------------------------------------------------------
// Port doubles

function fakeMetrics(series: Readonly<Record<string, readonly number[] | Error>>) {
  const queries: MetricQuery[] = [];
  const batches: { window: MetricWindow; keys: string[] }[] = [];
  const one = async (query: MetricQuery) => {
    queries.push(query);
    const values = series[query.metric];
    if (values instanceof Error) throw values;
    return pointsOf(values ?? [], query.periodSeconds);
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series: one,
    async seriesBatch(window, selectors) {
      batches.push({ window, keys: Object.keys(selectors) });
      const out: Record<string, MetricPoint[]> = {};
      for (const [key, selector] of Object.entries(selectors) as [string, MetricSelector][])
        out[key] = await one({ ...selector, ...window });
      return out as never;
    },
  };
  return { port, queries, batches };
}

function fakeLogs(answers: Partial<Record<LogQueryId, LogRow[] | Error>>) {
  const requests: LogQueryRequest[] = [];
  const port: LogsPort = {
    describeTarget: "CloudWatch Logs us-east-1",
    async query(request) {
      requests.push(request);
      const id = matchLogQuery(request.query)?.id;
      const answer = id === undefined ? undefined : answers[id];
      if (answer instanceof Error) throw answer;
      return { queryId: `q-${requests.length}`, outcome: "complete", rows: answer ?? [], elapsedMs: 5 };
    },
  };
  return { port, requests };
}

function notUsed(method: string) {
  return () => Promise.reject(new Error(`fake flink: ${method} is not used in this test`));
}

function fakeFlink(levels: Readonly<Record<string, BackpressureLevel>>): FlinkPort {
  const names = Object.keys(levels);
  return {
    describeTarget: "Flink REST http://flink-jobmanager:8081",
    overview: notUsed("overview"),
    jobs: notUsed("jobs"),
    findJob: async () => ({
      id: "job-1",
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 1,
    }),
    jobDetails: async (jobId) => ({
      id: jobId,
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 1,
      maxParallelism: null,
      vertices: names.map((name, i) => ({
        id: `v${i}`,
        name,
        parallelism: 4,
        status: "RUNNING",
        metrics: {
          readRecords: 0,
          writeRecords: 0,
          readBytes: 0,
          writeBytes: 0,
          accumulatedBackpressuredMs: null,
          accumulatedBusyMs: null,
          accumulatedIdleMs: null,
        },
      })),
    }),
    vertexBackpressure: async (_jobId, vertexId) => {
      const level = levels[names[Number(vertexId.slice(1))]!]!;
      const ratio = level === "high" ? 0.8 : level === "low" ? 0.3 : 0.02;
      return {
        vertexId,
        status: "ok",
        level,
        measuredAt: NOW,
        subtasks: [{ subtask: 0, level, ratio, busyRatio: null, idleRatio: null }],
      };
    },
    checkpoints: notUsed("checkpoints"),
    checkpointConfig: notUsed("checkpointConfig"),
    exceptions: notUsed("exceptions"),
    vertexWatermarks: notUsed("vertexWatermarks"),
    jobMetrics: notUsed("jobMetrics"),
    taskmanagers: notUsed("taskmanagers"),
    taskmanagerMetrics: notUsed("taskmanagerMetrics"),
    taskmanagerMemory: notUsed("taskmanagerMemory"),
    checkpointDetails: () => Promise.reject(new Error("fake flink: checkpointDetails is not used here")),
    jobManagerLog: () => Promise.reject(new Error("fake flink: jobManagerLog is not used here")),
    triggerCheckpoint: notUsed("triggerCheckpoint"),
  };
}

function fakeFirehose(buffering: BufferingHints): FirehosePort {
  const stream: DeliveryStreamInfo = {
    name: "order-firehose",
    arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/order-firehose",
    status: "ACTIVE",
    versionId: "7",
    type: "DirectPut",
    destinations: [
      {
        id: "destinationId-000000000001",
        type: "s3",
        s3: {
          flavour: "extended-s3",
          bucketArn: "arn:aws:s3:::orders",
          roleArn: "arn:aws:iam::123456789012:role/FirehoseDeliveryRole",
          buffering,
          dynamicPartitioning: false,
        },
      },
    ],
  };
  return {
    describeTarget: "Firehose us-east-1",
    describeDeliveryStream: async () => stream,
    updateBuffering: () => Promise.reject(new Error("a diagnosis must never change buffering")),
  };
}

function pods(count: number, cpuMillicores: number): PodUsage[] {
  return Array.from({ length: count }, (_, i) => ({
    pod: `flink-taskmanager-${i}`,
    cpuMillicores,
    memoryBytes: 4 * 2 ** 30,
    cpuLimitMillicores: 2000,
    memoryLimitBytes: 8 * 2 ** 30,
  }));
}

function fakeKubernetes(podList: PodUsage[], replicas: number) {
  return fakeKubernetesPort({
    describeTarget: "https://eks.example:443",
    podUsage: async () => podList,
    getScale: async (namespace, name) => ({ namespace, name, replicas, currentReplicas: replicas }),
    scaleDeployment: () => Promise.reject(new Error("a diagnosis must never scale anything")),
  });
}

// ---------------------------------------------------------------------------------------------
// Data

const ten = (v: number) => Array.from({ length: 10 }, () => v);
const breachMetrics = {
  LatencyP50: ten(300),
  LatencyP95: ten(1_200),
  LatencyP99: [2_100, 2_200, 2_100, 2_300, 6_100, 6_300, 6_400, 6_500, 6_400, 6_450],
  task_buffer_out_pool_usage_percentage: ten(40),
  "DeliveryToS3.Records": Array.from({ length: 30 }, () => 45_000),
};

const operatorRows: LogRow[] = [
  { operator: "enrichment", avg: "850", p95: "1400", p99: "3200" },
  { operator: "deserialization", avg: "15", p95: "25", p99: "40" },
  { operator: "validation", avg: "30", p95: "50", p99: "80" },
  { operator: "aggregation", avg: "200", p95: "600", p99: "1200" },
  { operator: "firehose_delay", avg: "500", p95: "1200", p99: "2100" },
];

function minutes(api: number, hit: number): LogRow[] {
  return Array.from({ length: 10 }, (_, i) => ({
    "bin(1m)": `2025-03-01 11:5${i}:00.000`,
    api_latency: String(api),
    cache_hit_rate: String(hit),
  }));
}

const spreadSlowCalls: LogRow[] = Array.from({ length: 20 }, (_, i) => ({
  order_id: `ORD-${i}`,
  enrichment_api_latency: "2400",
  customer_id: `CUST-${i}`,
}));

function makeConfig(input: Record<string, unknown> = {}): AppConfig {
  return {
    ...configSchema.parse({ aws: { region: "us-east-1" }, kubernetes: { context: "prod" }, ...input }),
    secrets: {},
  };
}

interface World {
  metrics?: Readonly<Record<string, readonly number[] | Error>>;
  logs?: Partial<Record<LogQueryId, LogRow[] | Error>>;
  flink?: Readonly<Record<string, BackpressureLevel>>;
  kubernetes?: { pods: PodUsage[]; replicas: number };
  firehose?: BufferingHints;
  config?: Record<string, unknown>;
}

const healthyFlink = {
  "Source: Kafka": "ok",
  enrichment: "ok",
  window: "ok",
  "Sink: Firehose": "ok",
} as const;

async function run(w: World) {
  const metrics = w.metrics ? fakeMetrics(w.metrics) : undefined;
  const logs = w.logs ? fakeLogs(w.logs) : undefined;
  const ports: Ports = {
    clock,
    ...(metrics ? { metrics: metrics.port } : {}),
    ...(logs ? { logs: logs.port } : {}),
    ...(w.flink ? { flink: fakeFlink(w.flink) } : {}),
    ...(w.kubernetes ? { kubernetes: fakeKubernetes(w.kubernetes.pods, w.kubernetes.replicas) } : {}),
    ...(w.firehose ? { firehose: fakeFirehose(w.firehose) } : {}),
  };
  const report = await runRunbook(latencySloBreachRunbook, { ports, config: makeConfig(w.config) });
  return { report, metrics, logs };
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no step ${id}`);
  return s;
}

function findingTitled(s: StepReport, prefix: string): Finding {
  const f = s.findings.find((x) => x.title.startsWith(prefix));
  if (f === undefined)
    throw new Error(`no finding "${prefix}..." in ${s.findings.map((x) => x.title).join(" | ")}`);
  return f;
}

function table(f: Finding): Extract<EvidenceBlock, { kind: "table" }> {
  const t = f.evidence.find((e) => e.kind === "table");
  if (t?.kind !== "table") throw new Error(`no table in ${f.title}`);
  return t;
}

const fullWorld: World = {
  metrics: breachMetrics,
  logs: {
    "operator-latency": operatorRows,
    "enrichment-latency-per-minute": minutes(1_400, 0.9),
    "slow-enrichment-samples": spreadSlowCalls,
  },
  flink: healthyFlink,
  kubernetes: { pods: pods(4, 900), replicas: 4 },
  firehose: { sizeMb: 128, intervalSeconds: 300 },
};

// ---------------------------------------------------------------------------------------------

describe("latency-slo-breach runbook: enrichment API slow (the seed's example)", () => {
  it("reads p50/p95/p99 in one batch over the last 10 minutes, as the seed's CLI loop does", async () => {
    const { metrics } = await run(fullWorld);
    expect(metrics?.batches).toEqual([
      {
        window: { start: new Date("2025-03-01T11:50:00.000Z"), end: NOW, periodSeconds: 60 },
        keys: ["p50", "p95", "p99"],
      },
    ]);
    const latency = metrics!.queries.filter((q) => q.metric.startsWith("Latency"));
    expect(latency.map((q) => [q.namespace, q.metric, q.stat, q.dimensions])).toEqual([
      ["ecommerce-streaming", "LatencyP50", "Average", undefined],
      ["ecommerce-streaming", "LatencyP95", "Average", undefined],
      ["ecommerce-streaming", "LatencyP99", "Average", undefined],
    ]);
    const firehose = metrics!.queries.find((q) => q.metric === "DeliveryToS3.Records");
    expect(firehose).toMatchObject({
      namespace: "AWS/Firehose",
      dimensions: { DeliveryStreamName: "order-firehose" },
      stat: "Sum",
      start: new Date("2025-03-01T11:30:00.000Z"),
    });
  });

  it("sends the seed's three Logs Insights queries to the pipeline's log group", async () => {
    const { logs } = await run(fullWorld);
    expect(logs?.requests.map((r) => [r.logGroups, r.start.toISOString(), r.end.toISOString()])).toEqual([
      [["ecommerce-streaming"], "2025-03-01T11:50:00.000Z", NOW.toISOString()],
      [["ecommerce-streaming"], "2025-03-01T11:50:00.000Z", NOW.toISOString()],
      [["ecommerce-streaming"], "2025-03-01T11:50:00.000Z", NOW.toISOString()],
    ]);
    expect(logs?.requests.map((r) => r.query)).toEqual([
      [
        "fields operator, latency_ms",
        "| stats avg(latency_ms) as avg, pct(latency_ms, 95) as p95, pct(latency_ms, 99) as p99 by operator",
        "| sort p99 desc",
      ].join("\n"),
      [
        "fields @timestamp, order_id, enrichment_api_latency, enrichment_cache_hit",
        '| filter operator = "enrichment"',
        "| stats avg(enrichment_api_latency) as api_latency,",
        "        avg(enrichment_cache_hit) as cache_hit_rate by bin(1m)",
      ].join("\n"),
      [
        "fields order_id, enrichment_api_latency, customer_id",
        '| filter operator = "enrichment" and enrichment_api_latency > 2000',
        "| limit 20",
      ].join("\n"),
    ]);
  });

  it("states the breach, marks the slow operator, and concludes enrichment-api-slow with high confidence", async () => {
    const { report } = await run(fullWorld);
    const assess = step(report, "assess");
    expect(assess.title).toBe("Step 1: Assess");
    expect(assess.budgetSeconds).toBe(60);
    expect(assess.status).toBe("critical");
    expect(assess.summary).toBe(
      "p50 300 ms, p95 1.2 s, p99 6.5 s against the 5 s SLO. The tail is far from the median: a few slow calls, not everything slow.",
    );
    const p99 = findingTitled(assess, "p99 latency");
    expect(p99.title).toBe("p99 latency 6.5 s (SLO 5 s)");
    expect(p99.detail).toContain("p99 has been above 5 s since 11:54 UTC");
    expect(table(p99).rows).toEqual([
      ["p50", "300 ms", "300 ms", ""],
      ["p95", "1.2 s", "1.2 s", ""],
      ["p99", "6.5 s", "6.5 s", "<- over SLO"],
    ]);

    const operators = step(report, "slow-operator");
    expect(operators.title).toBe("Step 2: Identify Which Operator is Slow");
    expect(operators.budgetSeconds).toBe(120);
    expect(operators.summary).toBe("enrichment takes 3.2 s at p99 (avg 850 ms).");
    expect(table(findingTitled(operators, "enrichment is the slowest")).rows).toEqual([
      ["enrichment", "850", "1,400", "3,200", "<- SLOW"],
      ["firehose_delay", "500", "1,200", "2,100", ""],
      ["aggregation", "200", "600", "1,200", ""],
      ["validation", "30", "50", "80", ""],
      ["deserialization", "15", "25", "40", ""],
    ]);

    const drill = step(report, "drill-down");
    expect(drill.title).toBe("Step 3: Drill Into Slow Operator");
    expect(drill.findings[0]?.title).toBe("Enrichment: API 1.4 s (high, > 1000 ms), cache hit rate 90%");
    expect(drill.findings[1]?.title).toBe(
      "Enrichment: 20 slow call(s) sampled; the top 3 customers hold 15%",
    );

    const fix = step(report, "fix");
    expect(fix.findings.map((f) => f.title)).toEqual(["Human step: cache enrichment results (code change)"]);
    const code = fix.findings[0]!.evidence.map((e) => (e.kind === "code" ? e.text : ""));
    expect(code[0]).toContain("customer_cache = TTLCache(ttl_seconds=3600)  # 1 hour instead of 10 min");
    expect(code[1]).toContain("redis_client = redis.Redis(host='redis.default', port=6379)");

    const c = report.conclusion;
    expect(c.cause).toBe("enrichment-api-slow");
    expect(c.severity).toBe("critical");
    expect(c.confidence).toBe("high");
    expect(c.suggestedActions).toEqual([]);
    expect(c.openBranches).toBeUndefined();
    expect(c.evidence).toContain("slowest operator: enrichment, p99 3.2 s");
  });

  it("verifies against the SLO with the seed's watch command, filled in", async () => {
    const { report } = await run(fullWorld);
    const verify = step(report, "verify");
    expect(verify.title).toBe("Step 5: Verify");
    expect(verify.status).toBe("warning");
    const code = verify.findings[0]!.evidence[0];
    expect(code?.kind === "code" && code.text).toContain(
      "--namespace ecommerce-streaming --metric-name LatencyP99",
    );
  });
});

describe("latency-slo-breach runbook: other branches", () => {
  it("backpressure on full CPU proposes doubling the taskmanagers", async () => {
    const { report } = await run({
      ...fullWorld,
      logs: { "operator-latency": [{ operator: "aggregation", avg: "900", p95: "2100", p99: "3200" }] },
      flink: { "Source: Kafka": "high", enrichment: "high", window: "ok", "Sink: Firehose": "ok" },
      kubernetes: { pods: pods(4, 1_940), replicas: 4 },
    });
    expect(report.conclusion.cause).toBe("backpressure-cpu");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "scale-taskmanagers",
        label: "Scale taskmanagers 4 -> 8",
        params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
      },
    ]);
    const drill = step(report, "drill-down");
    expect(table(findingTitled(drill, "Back pressure high on 2 of 4")).rows[0]).toEqual([
      "Source: Kafka",
      "high",
      "80%",
    ]);
  });

  it("at the configured maximum it says so instead of proposing a scale", async () => {
    const { report } = await run({
      ...fullWorld,
      logs: { "operator-latency": [{ operator: "aggregation", avg: "900", p95: "2100", p99: "3200" }] },
      flink: { "Source: Kafka": "high", window: "ok" },
      kubernetes: { pods: pods(12, 1_940), replicas: 12 },
    });
    expect(report.conclusion.cause).toBe("backpressure-cpu");
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(findingTitled(step(report, "fix"), "Scale up Flink").detail).toContain("configured maximum (12)");
  });

  it("Firehose slow offers 128 MiB / 60 s against the stream's current version", async () => {
    const { report } = await run({
      ...fullWorld,
      metrics: { ...breachMetrics, "DeliveryToS3.Records": [...Array(27).fill(45_000), 9_000, 8_000, 7_000] },
      logs: { "operator-latency": [{ operator: "firehose_delay", avg: "2600", p95: "4100", p99: "5400" }] },
    });
    expect(report.conclusion.cause).toBe("firehose-slow");
    expect(report.conclusion.confidence).toBe("high");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "firehose-buffering",
        label: "Firehose buffering 128 MiB / 300 s -> 128 MiB / 60 s",
        params: {
          streamName: "order-firehose",
          destinationId: "destinationId-000000000001",
          versionId: "7",
          sizeMb: 128,
          intervalSeconds: 60,
        },
      },
    ]);
  });

  it("Firehose already at 128 MiB / 60 s: no buffering change, the parallel-stream human step remains", async () => {
    const { report } = await run({
      ...fullWorld,
      firehose: { sizeMb: 128, intervalSeconds: 60 },
      logs: { "operator-latency": [{ operator: "firehose_delay", avg: "2600", p95: "4100", p99: "5400" }] },
    });
    expect(report.conclusion.cause).toBe("firehose-slow");
    // Only firehose_delay, deliveries steady: one signal of two.
    expect(report.conclusion.confidence).toBe("medium");
    expect(report.conclusion.suggestedActions).toEqual([]);
    const fix = step(report, "fix");
    expect(findingTitled(fix, "Option 1").detail).toContain("already buffers 128 MiB / 60 s");
    expect(fix.findings.map((f) => f.title)).toContain(
      "Option 2 (human step): add a parallel Firehose stream",
    );
  });

  it("slow calls concentrated on three customers name them in the human step", async () => {
    const hot: LogRow[] = spreadSlowCalls.map((r, i) => ({
      ...r,
      customer_id: i < 15 ? `CUST-${i % 3}` : r.customer_id!,
    }));
    const { report } = await run({
      ...fullWorld,
      logs: { ...fullWorld.logs, "slow-enrichment-samples": hot },
    });
    expect(report.conclusion.cause).toBe("enrichment-customer-hotspot");
    const human = findingTitled(step(report, "fix"), "Human step: the customer service");
    expect(human.detail).toContain("CUST-0 (5 slow calls), CUST-1 (5 slow calls), CUST-2 (5 slow calls)");
  });

  it("p99 under the SLO concludes below-threshold with no proposals", async () => {
    const { report } = await run({ ...fullWorld, metrics: { ...breachMetrics, LatencyP99: ten(2_000) } });
    expect(report.conclusion).toMatchObject({ cause: "below-threshold", severity: "ok", confidence: "high" });
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(step(report, "verify").status).toBe("ok");
  });

  it("honours a metric name override from config", async () => {
    const { metrics } = await run({
      ...fullWorld,
      metrics: { ...breachMetrics, processing_latency_p99: ten(7_000) },
      config: { metrics: { latencyP99: { metric: "processing_latency_p99" } } },
    });
    expect(metrics!.queries.map((q) => q.metric)).toContain("processing_latency_p99");
  });
});

describe("latency-slo-breach runbook: missing data", () => {
  it("a failed Logs Insights query becomes a finding, and the conclusion lists what stays open", async () => {
    const denied = new Error("AccessDeniedException: not authorized to perform logs:StartQuery");
    const { report } = await run({
      ...fullWorld,
      logs: {
        "operator-latency": denied,
        "enrichment-latency-per-minute": denied,
        "slow-enrichment-samples": denied,
      },
    });
    const operators = step(report, "slow-operator");
    expect(operators.status).toBe("error");
    expect(findingTitled(operators, "Could not query latency per operator").detail).toContain(
      "AccessDeniedException",
    );
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toEqual([
      "which operator is slow (per-operator latency not read)",
      "enrichment API slow / cache misses (enrichment logs not read)",
    ]);
  });

  it("only metrics configured: says what is not configured and concludes with low confidence", async () => {
    const { report } = await run({ metrics: breachMetrics });
    expect(
      findingTitled(step(report, "slow-operator"), "Not checked: CloudWatch Logs is not configured"),
    ).toBeDefined();
    expect(
      findingTitled(step(report, "drill-down"), "Not checked: Flink REST is not configured"),
    ).toBeDefined();
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toEqual([
      "which operator is slow (per-operator latency not read)",
      "enrichment API slow / cache misses (enrichment logs not read)",
      "backpressure (Flink back pressure not read)",
    ]);
  });

  it("nothing configured: still concludes, without guessing", async () => {
    const { report } = await run({});
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.summary).toMatch(/^p99 unknown \(SLO 5 s\)\. Likely cause: not determined/);
    expect(step(report, "assess").status).toBe("info");
  });
});

describe("latency-slo-breach signals", () => {
  it("parses operator rows slowest first and skips rows without numbers", () => {
    expect(
      parseOperators([
        { operator: "a", avg: "1", p95: "2", p99: "3" },
        { operator: "b", avg: "1", p95: "2", p99: "30" },
        { operator: "c", avg: "x", p95: "2", p99: "300" },
        { avg: "1", p95: "2", p99: "3000" },
      ]).map((o) => o.operator),
    ).toEqual(["b", "a"]);
  });

  it("reads cache hit rates given as fractions or percentages", () => {
    const m = parseEnrichmentMinutes([
      { "bin(1m)": "2025-03-01 11:59:00.000", api_latency: "900", cache_hit_rate: "85" },
      { "bin(1m)": "2025-03-01 11:58:00.000", api_latency: "", cache_hit_rate: "0.7" },
    ]);
    expect(m).toEqual([
      { bin: "2025-03-01 11:58:00.000", apiLatencyMs: undefined, cacheHitRate: 0.7 },
      { bin: "2025-03-01 11:59:00.000", apiLatencyMs: 900, cacheHitRate: 0.85 },
    ]);
  });

  it("top-3 customer share", () => {
    const rows = ["a", "a", "b", "c", "d", "e"].map((customer_id) => ({ customer_id }));
    expect(topCustomerShare(rows)).toBeCloseTo(4 / 6);
    expect(topCustomerShare([])).toBeUndefined();
  });

  it("recent delivery ratio needs six minutes and an earlier level", () => {
    expect(recentDeliveryRatio(pointsOf([10, 10, 10, 10, 10]))).toBeUndefined();
    expect(recentDeliveryRatio(pointsOf([0, 0, 0, 5, 5, 5]))).toBeUndefined();
    expect(recentDeliveryRatio(pointsOf([10, 10, 10, 5, 5, 5]))).toBe(0.5);
  });
});
