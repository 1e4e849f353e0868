/**
 * The whole consumer-lag runbook through the engine, with small in-test port doubles: the
 * deciding logic and the report's text are under test here, not the adapters (those have
 * their own contract tests against real peers).
 */

import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { EvidenceBlock, Finding } from "../../../../src/core/finding.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { GroupLag, KafkaPort, PartitionLag } from "../../../../src/ports/kafka.ts";
import type { DeploymentScale, KubernetesPort, PodUsage } from "../../../../src/ports/kubernetes.ts";
import {
  type MetricPoint,
  type MetricQuery,
  type MetricsPort,
  seriesBatchBySeries,
} from "../../../../src/ports/metrics.ts";
import { consumerLagRunbook } from "../../../../src/runbooks/consumer-lag/index.ts";
import { fakeKafkaPort, fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-03-01T12:00:00.000Z");
const MI = 2 ** 20;

// ---------------------------------------------------------------------------------------------
// Port doubles

function testClock() {
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { clock, sleeps };
}

/** Answers each groupLag call with the next sample (the last one repeats); an Error rejects. */
function fakeKafka(samples: readonly (GroupLag | Error)[]) {
  const calls: { group: string; topics: readonly string[] | undefined }[] = [];
  const port: KafkaPort = fakeKafkaPort({
    describeTarget: "b-1.msk:9092,b-2.msk:9092",
    groupLag: async (group, topics) => {
      calls.push({ group, topics });
      const sample = samples[Math.min(calls.length - 1, samples.length - 1)];
      if (sample === undefined || sample instanceof Error) throw sample ?? new Error("no sample");
      return sample;
    },
    close: async () => undefined,
  });
  return { port, calls };
}

/** Series by metric name; an Error rejects. Unknown metrics have no datapoints. */
function fakeMetrics(series: Readonly<Record<string, readonly number[] | Error>>) {
  const queries: MetricQuery[] = [];
  const one = async (query: MetricQuery) => {
    queries.push(query);
    const values = series[query.metric];
    if (values instanceof Error) throw values;
    return pointsOf(values ?? [], query.periodSeconds);
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series: one,
    seriesBatch: (window, selectors) => seriesBatchBySeries(one, window, selectors),
  };
  return { port, queries };
}

/** One point per period, the last one ending at NOW. */
function pointsOf(values: readonly number[], periodSeconds = 60): MetricPoint[] {
  return values.map((value, i) => ({
    at: new Date(NOW.getTime() - (values.length - i) * periodSeconds * 1000),
    value,
  }));
}

function fakeKubernetes(opts: { pods: readonly PodUsage[] | Error; replicas: number | Error }) {
  const calls: string[] = [];
  const port: KubernetesPort = fakeKubernetesPort({
    describeTarget: "https://eks.example:443 (context prod)",
    podUsage: async (namespace, selector) => {
      calls.push(`podUsage ${namespace} ${selector}`);
      if (opts.pods instanceof Error) throw opts.pods;
      return [...opts.pods];
    },
    getScale: async (namespace, name): Promise<DeploymentScale> => {
      calls.push(`getScale ${namespace} ${name}`);
      if (opts.replicas instanceof Error) throw opts.replicas;
      return { namespace, name, replicas: opts.replicas, currentReplicas: opts.replicas };
    },
    scaleDeployment: async (namespace, name, replicas) => {
      calls.push(`scaleDeployment ${namespace} ${name} ${replicas}`);
      throw new Error("a diagnosis must never scale anything");
    },
  });
  return { port, calls };
}

// ---------------------------------------------------------------------------------------------
// Data

function partition(p: number, committed: number, logEnd: number): PartitionLag {
  return {
    topic: "orders.raw",
    partition: p,
    committedOffset: committed,
    logEndOffset: logEnd,
    lag: logEnd - committed,
  };
}

function group(partitions: PartitionLag[], members = 4, state = "Stable"): GroupLag {
  return {
    group: "order-processor",
    state,
    members,
    partitions,
    totalLag: partitions.reduce((a, p) => a + p.lag, 0),
  };
}

/** The seed's example: 25000 / 55000 / 15000 = 95,000. */
const seedLag = group([
  partition(0, 50_000, 75_000),
  partition(1, 40_000, 95_000),
  partition(2, 45_000, 60_000),
]);
/** 30 s later: 26000 / 58000 / 17000 = 101,000 (+200 records/s). */
const grownLag = group([
  partition(0, 52_000, 78_000),
  partition(1, 41_000, 99_000),
  partition(2, 46_000, 63_000),
]);

function pods(count: number, cpuMillicores: number, cpuLimit = 2000): PodUsage[] {
  return Array.from({ length: count }, (_, i) => ({
    pod: `flink-taskmanager-${i}`,
    cpuMillicores,
    memoryBytes: 2048 * MI,
    cpuLimitMillicores: cpuLimit,
    memoryLimitBytes: 4096 * MI,
  }));
}

const tenMinutes = (perMinute: number) => Array.from({ length: 10 }, () => perMinute);

const healthyMetrics = {
  RecordsIn: tenMinutes(60_000),
  RecordsOut: tenMinutes(45_000),
  WatermarkLagMs: [4_000, 5_000, 4_500, 5_000, 5_000],
  window_emit_count: [1_200, 1_180, 1_210, 1_190, 1_205, 1_195],
  "DeliveryToS3.Records": tenMinutes(44_000),
};

function makeConfig(input: Record<string, unknown> = {}): AppConfig {
  return {
    ...configSchema.parse({
      kafka: { brokers: ["b-1.msk:9092", "b-2.msk:9092"] },
      aws: { region: "us-east-1" },
      kubernetes: { context: "prod" },
      ...input,
    }),
    secrets: {},
  };
}

interface Scenario {
  kafka?: readonly (GroupLag | Error)[];
  metrics?: Readonly<Record<string, readonly number[] | Error>>;
  kubernetes?: { pods: readonly PodUsage[] | Error; replicas: number | Error };
  config?: Record<string, unknown>;
}

async function run(s: Scenario) {
  const { clock, sleeps } = testClock();
  const kafka = s.kafka ? fakeKafka(s.kafka) : undefined;
  const metrics = s.metrics ? fakeMetrics(s.metrics) : undefined;
  const kubernetes = s.kubernetes ? fakeKubernetes(s.kubernetes) : undefined;
  const ports: Ports = {
    clock,
    ...(kafka ? { kafka: kafka.port } : {}),
    ...(metrics ? { metrics: metrics.port } : {}),
    ...(kubernetes ? { kubernetes: kubernetes.port } : {}),
  };
  const report = await runRunbook(consumerLagRunbook, { ports, config: makeConfig(s.config) });
  return { report, sleeps, kafka, metrics, kubernetes };
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

function fields(f: Finding): Record<string, string> {
  const b = f.evidence.find((e) => e.kind === "fields");
  if (b?.kind !== "fields") throw new Error(`no fields in ${f.title}`);
  return Object.fromEntries(b.fields.map((x) => [x.label, x.value]));
}

const scale4to8 = {
  action: "scale-taskmanagers",
  label: "Scale taskmanagers 4 -> 8",
  params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
};

const resourceScenario: Scenario = {
  kafka: [seedLag, grownLag],
  metrics: healthyMetrics,
  kubernetes: { pods: pods(4, 1900), replicas: 4 },
};

// ---------------------------------------------------------------------------------------------

describe("consumer-lag runbook: (a) Flink resource constraint", () => {
  it("reads lag twice, 30 s apart, and shows the per-partition table with the worst partition HIGH", async () => {
    const { report, sleeps, kafka } = await run(resourceScenario);
    expect(kafka?.calls).toEqual([
      { group: "order-processor", topics: ["orders.raw"] },
      { group: "order-processor", topics: ["orders.raw"] },
    ]);
    expect(sleeps).toEqual([30_000]);

    const assess = step(report, "assess");
    expect(assess.title).toBe("Step 1: Assess");
    expect(assess.status).toBe("critical");
    expect(assess.summary).toBe(
      "Lag 101,000 (threshold 50,000), worst orders.raw/1 at 58,000; 95,000 -> 101,000 in 30 s (+200.0 records/s).",
    );
    const total = findingTitled(assess, "Total lag");
    expect(total.title).toBe("Total lag 101,000 records");
    expect(total.severity).toBe("critical");
    expect(total.detail).toBe(
      "Group `order-processor` on 3 partition(s), threshold 50,000. 95,000 -> 101,000 in 30 s (+200.0 records/s). Growing lag = falling behind (serious).",
    );
    expect(table(total)).toEqual({
      kind: "table",
      columns: ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"],
      rows: [
        ["orders.raw", "0", "52000", "78000", "26000"],
        ["orders.raw", "1", "41000", "99000", "58000  <- HIGH"],
        ["orders.raw", "2", "46000", "63000", "17000"],
      ],
    });
    expect(fields(total)).toEqual({
      "Group state": "Stable",
      Members: "4",
      "Worst partition": "orders.raw/1: 58,000",
    });
    expect(assess.findings).toHaveLength(1);
  });

  it("compares RecordsIn and RecordsOut over 10 minutes", async () => {
    const { report, metrics } = await run(resourceScenario);
    const s = step(report, "identify-bottleneck");
    expect(s.status).toBe("warning");
    expect(s.summary).toBe("RecordsOut is 75% of RecordsIn over 10 minutes: Flink is falling behind.");
    expect(s.findings).toHaveLength(1);
    expect(s.findings[0]?.title).toBe("Processing is slower than input");
    expect(s.findings[0]?.detail).toBe(
      "RecordsIn 600,000 vs RecordsOut 450,000 over the last 10 minutes (75%; about 60,000/min in, 45,000/min out). RecordsOut < RecordsIn = we're too slow.",
    );
    expect(
      s.findings[0]?.evidence.map((e) => (e.kind === "series" ? [e.label, e.points.length] : e.kind)),
    ).toEqual([
      ["RecordsIn per minute", 10],
      ["RecordsOut per minute", 10],
    ]);

    const recordsIn = metrics?.queries.find((q) => q.metric === "RecordsIn");
    expect(recordsIn).toEqual({
      namespace: "ecommerce-streaming",
      metric: "RecordsIn",
      stat: "Sum",
      periodSeconds: 60,
      start: new Date("2025-03-01T11:50:00.000Z"),
      end: NOW,
    });
    expect(metrics?.queries.find((q) => q.metric === "DeliveryToS3.Records")).toEqual({
      namespace: "AWS/Firehose",
      metric: "DeliveryToS3.Records",
      dimensions: { DeliveryStreamName: "order-firehose" },
      stat: "Sum",
      periodSeconds: 60,
      start: new Date("2025-03-01T11:50:00.000Z"),
      end: NOW,
    });
    expect(metrics?.queries.find((q) => q.metric === "window_emit_count")).toMatchObject({
      periodSeconds: 300,
      start: new Date("2025-03-01T11:30:00.000Z"),
    });
  });

  it("names the resource constraint with the pod table and rules out the other branches", async () => {
    const { report, kubernetes } = await run(resourceScenario);
    const s = step(report, "root-cause");
    expect(s.status).toBe("critical");
    expect(s.summary).toBe(
      "Likely cause: Flink resource constraint (B) — a taskmanager runs at 95% of its limit (constraint from 80%).",
    );
    const resources = findingTitled(s, "B. Flink resources");
    expect(resources.title).toBe("B. Flink resources: 4 of 4 taskmanager(s) near their limits");
    expect(resources.severity).toBe("warning");
    expect(table(resources).columns).toEqual(["POD", "CPU", "CPU LIMIT", "MEMORY", "MEMORY LIMIT"]);
    expect(table(resources).rows[0]).toEqual([
      "flink-taskmanager-0",
      "1900m",
      "95% of 2000m",
      "2048Mi",
      "50% of 4096Mi",
    ]);
    expect(table(resources).rows).toHaveLength(4);
    expect(findingTitled(s, "C. Windowing")).toMatchObject({
      severity: "ok",
      title: "C. Windowing: watermark lag 5 s",
    });
    expect(findingTitled(s, "Window emits")).toMatchObject({
      severity: "info",
      title: "Window emits per 5 min: 1,200, 1,180, 1,210, 1,190, 1,205, 1,195",
    });
    expect(findingTitled(s, "D. Backpressure")).toMatchObject({
      severity: "ok",
      title: "D. Backpressure: Firehose delivers (440,000 records in 10 min)",
    });
    expect(findingTitled(s, "A. Enrichment")).toMatchObject({ severity: "info" });
    expect(kubernetes?.calls.sort()).toEqual([
      "getScale flink flink-taskmanager",
      "podUsage flink app=flink-taskmanager",
    ]);
  });

  it("proposes doubling the taskmanagers, 4 -> 8, in the fix step and the conclusion", async () => {
    const { report } = await run(resourceScenario);
    const fix = step(report, "fix");
    expect(fix.summary).toBe("Proposed: Scale taskmanagers 4 -> 8.");
    expect(fix.findings).toHaveLength(1);
    expect(fix.findings[0]).toMatchObject({
      severity: "warning",
      title: "Flink resource constraint (B)",
      proposals: [scale4to8],
    });
    expect(report.conclusion).toMatchObject({
      summary:
        "lag 101,000, growing. Likely cause: Flink resource constraint (B) — a taskmanager runs at 95% of its limit (constraint from 80%).",
      severity: "critical",
      suggestedActions: [scale4to8],
      cause: "resource",
      confidence: "high",
      evidence: ["a taskmanager runs at 95% of its limit (constraint from 80%)"],
    });
    expect(report.conclusion.openBranches).toBeUndefined();
  });

  it.each([
    { name: "max 12 (default)", max: undefined, replicas: 4, target: 8 },
    { name: "max 6 caps the doubling", max: 6, replicas: 4, target: 6 },
    { name: "one replica doubles to two", max: undefined, replicas: 1, target: 2 },
    { name: "7 of max 12 -> 12", max: 12, replicas: 7, target: 12 },
  ])("respects actions.scaleTaskmanagers.maxReplicas: $name", async ({ max, replicas, target }) => {
    const { report } = await run({
      ...resourceScenario,
      kubernetes: { pods: pods(replicas, 1900), replicas },
      ...(max === undefined ? {} : { config: { actions: { scaleTaskmanagers: { maxReplicas: max } } } }),
    });
    const proposal = {
      action: "scale-taskmanagers",
      label: `Scale taskmanagers ${replicas} -> ${target}`,
      params: {
        namespace: "flink",
        deployment: "flink-taskmanager",
        replicas: target,
        fromReplicas: replicas,
      },
    };
    expect(report.conclusion.suggestedActions).toEqual([proposal]);
    expect(step(report, "fix").findings[0]?.proposals).toEqual([proposal]);
  });

  it.each([
    { name: "at the maximum", max: 6, replicas: 6 },
    { name: "above the maximum", max: 6, replicas: 8 },
  ])("proposes no scaling $name and says why", async ({ max, replicas }) => {
    const { report } = await run({
      ...resourceScenario,
      kubernetes: { pods: pods(replicas, 1900), replicas },
      config: { actions: { scaleTaskmanagers: { maxReplicas: max } } },
    });
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(report.conclusion.summary).toContain("Likely cause: Flink resource constraint (B)");
    const fix = step(report, "fix");
    expect(fix.findings.flatMap((f) => f.proposals)).toEqual([]);
    expect(findingTitled(fix, "Cannot propose scaling")).toMatchObject({
      severity: "warning",
      detail:
        "The taskmanager deployment is already at the configured maximum (6) or its replica count could not be read.",
    });
  });

  it("falls back to the number of pods when the deployment's scale cannot be read", async () => {
    const { report } = await run({
      ...resourceScenario,
      kubernetes: { pods: pods(4, 1900), replicas: new Error("deployments.apps/scale is forbidden") },
    });
    expect(report.conclusion.suggestedActions).toEqual([scale4to8]);
    expect(
      findingTitled(step(report, "root-cause"), "Could not read the taskmanager deployment"),
    ).toMatchObject({
      severity: "error",
      detail: expect.stringMatching(
        /^https:\/\/eks\.example:443 \(context prod\): deployments\.apps\/scale is forbidden \(after \d+ms\)$/,
      ),
    });
  });

  it("memory pressure counts as well as CPU", async () => {
    const memoryBound = pods(4, 500).map((p) => ({ ...p, memoryBytes: 3900 * MI }));
    const { report } = await run({ ...resourceScenario, kubernetes: { pods: memoryBound, replicas: 4 } });
    expect(step(report, "root-cause").summary).toBe(
      "Likely cause: Flink resource constraint (B) — a taskmanager runs at 95% of its limit (constraint from 80%).",
    );
    expect(report.conclusion.suggestedActions).toEqual([scale4to8]);
  });
});

describe("consumer-lag runbook: (b) backpressure from Firehose", () => {
  it("Firehose delivering 0 is the cause even with hot pods, and nothing is scaled", async () => {
    const { report } = await run({
      ...resourceScenario,
      metrics: {
        ...healthyMetrics,
        "DeliveryToS3.Records": [44_000, 43_000, 44_000, 41_000, 20_000, 5_000, 0, 0, 0],
      },
    });
    const root = step(report, "root-cause");
    expect(root.status).toBe("critical");
    expect(root.summary).toBe(
      "Likely cause: backpressure from Firehose (D) — Firehose delivered 0 records to S3 in the last minutes while records keep arriving.",
    );
    expect(findingTitled(root, "D. Backpressure")).toMatchObject({
      severity: "warning",
      title: "D. Backpressure: Firehose order-firehose delivered 0 records in the last 3 min",
      detail: "0 records being delivered = Firehose is throttled. See `/runbook firehose`.",
    });
    const fix = step(report, "fix");
    expect(fix.summary).toBe(
      "Fix the downstream first: check Firehose (`/runbook firehose`). Scaling Flink will not help while Firehose refuses data.",
    );
    expect(fix.findings.flatMap((f) => f.proposals)).toEqual([]);
    expect(report.conclusion).toMatchObject({
      summary:
        "lag 101,000, growing. Likely cause: backpressure from Firehose (D) — Firehose delivered 0 records to S3 in the last minutes while records keep arriving.",
      severity: "critical",
      suggestedActions: [],
    });
  });
});

describe("consumer-lag runbook: (c) watermark stuck", () => {
  it("a stuck watermark with stable lag is windowing, a warning", async () => {
    const { report } = await run({
      kafka: [seedLag, seedLag],
      metrics: {
        ...healthyMetrics,
        RecordsOut: tenMinutes(60_000),
        WatermarkLagMs: [60_000, 90_000, 120_000, 150_000, 180_000],
        window_emit_count: [1_200, 900, 600, 300, 100, 0],
      },
      kubernetes: { pods: pods(4, 800), replicas: 4 },
    });
    const assess = step(report, "assess");
    expect(assess.status).toBe("warning");
    expect(assess.summary).toBe(
      "Lag 95,000 (threshold 50,000), worst orders.raw/1 at 55,000; 95,000 -> 95,000 in 30 s (0.0 records/s).",
    );
    const total = findingTitled(assess, "Total lag");
    expect(total).toMatchObject({ severity: "warning", title: "Total lag 95,000 records" });
    expect(total.detail).toContain("Stable lag = temporary spike (OK to monitor).");
    expect(table(total).rows).toEqual([
      ["orders.raw", "0", "50000", "75000", "25000"],
      ["orders.raw", "1", "40000", "95000", "55000  <- HIGH"],
      ["orders.raw", "2", "45000", "60000", "15000"],
    ]);

    expect(step(report, "identify-bottleneck").summary).toBe(
      "RecordsOut is 100% of RecordsIn over 10 minutes.",
    );
    const root = step(report, "root-cause");
    expect(root.summary).toBe(
      "Likely cause: windowing: watermark stuck (C) — watermark lag is 180 s (over 60 s): the watermark is stuck.",
    );
    expect(findingTitled(root, "C. Windowing")).toMatchObject({
      severity: "warning",
      title: "C. Windowing: watermark lag 180 s (stuck: windows are not closing)",
    });
    expect(findingTitled(root, "Window emits")).toMatchObject({
      severity: "warning",
      title: "Window emits per 5 min: 1,200, 900, 600, 300, 100, 0",
      detail: "Emits are dropping: check the watermark.",
    });
    expect(findingTitled(root, "B. Flink resources")).toMatchObject({
      severity: "ok",
      title: "B. Flink resources: 0 of 4 taskmanager(s) near their limits",
    });
    expect(report.conclusion).toMatchObject({
      summary:
        "lag 95,000, stable. Likely cause: windowing: watermark stuck (C) — watermark lag is 180 s (over 60 s): the watermark is stuck.",
      severity: "warning",
      suggestedActions: [],
    });
  });
});

describe("consumer-lag runbook: (d) Kafka unreachable", () => {
  it("the Assess step is an error naming the brokers, and the other steps still run", async () => {
    const { report } = await run({
      ...resourceScenario,
      kafka: [new Error("Connection error: connect ECONNREFUSED 10.0.1.5:9092")],
    });
    expect(report.steps.map((s) => s.id)).toEqual(["assess", "identify-bottleneck", "root-cause", "fix"]);
    const assess = step(report, "assess");
    expect(assess.status).toBe("error");
    expect(assess.summary).toBe("Consumer group lag could not be read.");
    expect(assess.findings).toHaveLength(1);
    expect(assess.findings[0]).toMatchObject({
      severity: "error",
      title: "Could not read the consumer group's lag",
    });
    expect(assess.findings[0]?.detail).toMatch(
      /^b-1\.msk:9092,b-2\.msk:9092: Connection error: connect ECONNREFUSED 10\.0\.1\.5:9092 \(after \d+ms\)$/,
    );
    expect(step(report, "identify-bottleneck").status).toBe("warning");
    expect(step(report, "root-cause").summary).toContain("Flink resource constraint (B)");
    expect(report.conclusion.summary).toBe(
      "lag unknown. Likely cause: Flink resource constraint (B) — a taskmanager runs at 95% of its limit (constraint from 80%).",
    );
    expect(report.conclusion.suggestedActions).toEqual([scale4to8]);
  });

  it("a second sample that fails leaves growth unknown but keeps the first sample", async () => {
    const { report } = await run({ ...resourceScenario, kafka: [seedLag, new Error("Request timed out")] });
    const assess = step(report, "assess");
    expect(assess.status).toBe("warning");
    expect(assess.summary).toBe(
      "Lag 95,000 (threshold 50,000), worst orders.raw/1 at 55,000; growth unknown: the second sample failed (Request timed out).",
    );
    expect(findingTitled(assess, "Total lag").title).toBe("Total lag 95,000 records");
    expect(
      report.conclusion.summary.startsWith("lag 95,000. Likely cause: Flink resource constraint (B)"),
    ).toBe(true);
  });

  it("a lag sample interval of 0 takes one sample without sleeping", async () => {
    const { report, sleeps, kafka } = await run({
      ...resourceScenario,
      config: { runbooks: { lagSampleIntervalSeconds: 0 } },
    });
    expect(sleeps).toEqual([]);
    expect(kafka?.calls).toHaveLength(1);
    expect(step(report, "assess").summary).toBe(
      "Lag 95,000 (threshold 50,000), worst orders.raw/1 at 55,000; one sample taken (growth check disabled).",
    );
  });
});

describe("consumer-lag runbook: a metric that cannot be read", () => {
  it("RecordsOut failing makes the bottleneck step an error, and the diagnosis goes on without it", async () => {
    const { report } = await run({
      ...resourceScenario,
      metrics: { ...healthyMetrics, RecordsOut: new Error("Rate exceeded") },
    });
    const s = step(report, "identify-bottleneck");
    expect(s.status).toBe("error");
    expect(s.summary).toBe("RecordsIn / RecordsOut could not be read.");
    expect(s.findings).toEqual([
      {
        severity: "error",
        title: "Could not read RecordsOut",
        detail: expect.stringMatching(/^CloudWatch us-east-1: Rate exceeded \(after \d+ms\)$/),
        evidence: [],
        proposals: [],
      },
    ]);
    expect(report.conclusion.suggestedActions).toEqual([scale4to8]);
  });

  it("no RecordsOut datapoints is a warning that the job may not publish metrics", async () => {
    const { report } = await run({ ...resourceScenario, metrics: { ...healthyMetrics, RecordsOut: [] } });
    const s = step(report, "identify-bottleneck");
    expect(s.status).toBe("warning");
    expect(s.summary).toBe("No datapoints for RecordsOut in ecommerce-streaming over the last 10 minutes.");
  });
});

describe("consumer-lag runbook: (e) sources not configured", () => {
  it("says which config section to add for each system, and concludes nothing", async () => {
    const { report } = await run({});
    const infos = (id: string) => step(report, id).findings.map((f) => [f.severity, f.title, f.detail]);
    const kafkaHint = "Add a `kafka` section to the config to let the bot check this.";
    const awsHint = "Add an `aws` section to the config to let the bot check this.";
    const k8sHint = "Add a `kubernetes` section to the config to let the bot check this.";

    expect(infos("assess")).toEqual([
      [
        "info",
        "Not checked: Kafka is not configured",
        `Could not read the consumer group's lag. ${kafkaHint}`,
      ],
    ]);
    expect(infos("identify-bottleneck")).toEqual([
      ["info", "Not checked: CloudWatch metrics is not configured", `Could not read RecordsIn. ${awsHint}`],
      ["info", "Not checked: CloudWatch metrics is not configured", `Could not read RecordsOut. ${awsHint}`],
    ]);
    const root = infos("root-cause");
    expect(root).toContainEqual([
      "info",
      "Not checked: Kubernetes is not configured",
      `Could not read taskmanager pod CPU and memory. ${k8sHint}`,
    ]);
    expect(root).toContainEqual([
      "info",
      "Not checked: Kubernetes is not configured",
      `Could not read the taskmanager deployment's replicas. ${k8sHint}`,
    ]);
    expect(root).toContainEqual([
      "info",
      "Not checked: CloudWatch metrics is not configured",
      `Could not read Firehose DeliveryToS3.Records. ${awsHint}`,
    ]);
    // Nothing could be checked, so nothing is an error and nothing is proposed.
    for (const s of report.steps) expect(s.findings.every((f) => f.severity === "info")).toBe(true);
    expect(report.conclusion).toMatchObject({
      summary:
        "lag unknown. Likely cause: not determined — the configured sources do not single out a cause.",
      severity: "warning",
      suggestedActions: [],
      cause: "unknown",
      confidence: "low",
    });
    // With nothing measured, every branch is still possible and the conclusion says so.
    expect(report.conclusion.openBranches).toEqual([
      "Flink resource constraint (B)",
      "windowing: watermark stuck (C)",
      "backpressure from Firehose (D)",
      "enrichment API slow (A)",
    ]);
  });

  it("a system that is not configured is not an error step", async () => {
    const { report } = await run({});
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ["assess", "info"],
      ["identify-bottleneck", "info"],
      ["root-cause", "info"],
      ["fix", "info"],
    ]);
    expect(step(report, "assess").summary).toBe("Not checked: Kafka is not configured.");
    expect(step(report, "identify-bottleneck").summary).toBe(
      "Not checked: CloudWatch metrics is not configured.",
    );
  });

  it("with only Kafka configured the lag is still read and judged", async () => {
    const { report } = await run({ kafka: [seedLag, seedLag] });
    expect(step(report, "assess").status).toBe("warning");
    expect(report.conclusion).toMatchObject({
      summary:
        "lag 95,000, stable. Likely cause: temporary spike — lag is stable and throughput keeps up: a temporary spike to monitor.",
      severity: "ok",
      suggestedActions: [],
    });
  });
});

describe("consumer-lag runbook: (f) below threshold", () => {
  it("lag under the threshold is ok everywhere and proposes nothing", async () => {
    const below = group([
      partition(0, 90_000, 106_000),
      partition(1, 80_000, 94_000),
      partition(2, 70_000, 80_000),
    ]);
    const { report } = await run({ ...resourceScenario, kafka: [below, below] });
    const assess = step(report, "assess");
    expect(assess.status).toBe("ok");
    expect(assess.summary).toBe(
      "Lag 40,000 (threshold 50,000), worst orders.raw/0 at 16,000; 40,000 -> 40,000 in 30 s (0.0 records/s).",
    );
    const total = findingTitled(assess, "Total lag");
    expect(total).toMatchObject({ severity: "ok", title: "Total lag 40,000 records" });
    // No partition is over its share of the threshold (50,000 / 3), so none is marked.
    expect(table(total).rows.some((r) => r.join(" ").includes("HIGH"))).toBe(false);
    // Not an alarm: "not checked" notes for the sources this test leaves out (Logs, Flink) make it info.
    const root = step(report, "root-cause");
    expect(root.status).toBe("info");
    expect(root.summary).toContain("lag is back under the threshold");
    expect(step(report, "fix").summary).toBe(
      "No fix needed now: lag is under the threshold. Keep watching it; the alert should clear.",
    );
    expect(report.conclusion).toMatchObject({
      summary:
        "lag 40,000, stable. Likely cause: lag is back under the threshold — total lag 40,000 is at or below the 50,000 threshold.",
      severity: "ok",
      suggestedActions: [],
    });
  });

  it("lag exactly at the threshold is not over it", async () => {
    const at = group([partition(0, 0, 20_000), partition(1, 0, 20_000), partition(2, 0, 10_000)]);
    const { report } = await run({ ...resourceScenario, kafka: [at, at] });
    expect(step(report, "assess").status).toBe("ok");
    expect(report.conclusion.severity).toBe("ok");
  });
});

describe("consumer-lag runbook: job not consuming", () => {
  it("a group with no members is normal for Flink's Kafka source and is not a diagnosis by itself", async () => {
    const empty = group(seedLag.partitions.slice(), 0, "Empty");
    const { report } = await run({ ...resourceScenario, kafka: [empty, empty] });
    expect(report.conclusion.summary).toContain("Flink resource constraint (B)");
  });

  it("RecordsIn at 0 in the latest minute while records wait is the job not consuming, not a scale", async () => {
    const inPerMinute = [...(healthyMetrics.RecordsIn as readonly number[]).slice(0, -1), 0];
    const { report } = await run({
      ...resourceScenario,
      metrics: { ...healthyMetrics, RecordsIn: inPerMinute },
    });
    expect(report.conclusion.summary).toContain("Likely cause: the Flink job is not consuming");
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(step(report, "fix").summary).toContain("Get the job consuming again");
  });
});
