/** The whole dlq-spike runbook through the engine, with small in-test port doubles. */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import { renderLogQuery } from "../../../../src/core/log-queries.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { SampledRecord } from "../../../../src/ports/kafka.ts";
import type { RolloutRevision } from "../../../../src/ports/kubernetes.ts";
import type { LogQueryRequest, LogRow, LogsPort } from "../../../../src/ports/logs.ts";
import { type MetricQuery, type MetricsPort, seriesBatchBySeries } from "../../../../src/ports/metrics.ts";
import { dlqSpikeRunbook } from "../../../../src/runbooks/dlq-spike/index.ts";
import { fakeKafkaPort, fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-01-13T10:30:00.000Z");
const clock = { now: () => NOW, sleep: async () => undefined };

function fakeMetrics(perMinute: readonly number[]) {
  const queries: MetricQuery[] = [];
  const series = async (q: MetricQuery) => {
    queries.push(q);
    return perMinute.map((value, i) => ({
      at: new Date(NOW.getTime() - (perMinute.length - i) * 60_000),
      value,
    }));
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series,
    seriesBatch: (w, s) => seriesBatchBySeries(series, w, s),
  };
  return { port, queries };
}

/** Answers by query text; unknown queries have no rows. */
function fakeLogs(answers: Readonly<Record<string, readonly LogRow[]>>) {
  const requests: LogQueryRequest[] = [];
  const port: LogsPort = {
    describeTarget: "CloudWatch Logs us-east-1",
    query: async (request) => {
      requests.push(request);
      return { queryId: "q", outcome: "complete", rows: answers[request.query] ?? [], elapsedMs: 1 };
    },
  };
  return { port, requests };
}

const Q = {
  breakdown: renderLogQuery("dlq-by-error-type"),
  recent: renderLogQuery("recent-error-types"),
  parse: renderLogQuery("parse-error-samples"),
  validation: renderLogQuery("validation-failures"),
};

function revisions(latestCreatedAt: string): RolloutRevision[] {
  return [
    {
      revision: 6,
      replicaSet: "tm-a",
      changeCause: "deploy 2.0.0",
      images: ["job:2.0.0"],
      createdAt: "2024-12-01T00:00:00Z",
      replicas: 0,
      current: false,
    },
    {
      revision: 7,
      replicaSet: "tm-b",
      changeCause: "deploy 2.1.0",
      images: ["job:2.1.0"],
      createdAt: latestCreatedAt,
      replicas: 4,
      current: true,
    },
  ];
}

function record(i: number, body: Record<string, unknown>): SampledRecord {
  const value = JSON.stringify(body);
  return {
    partition: 0,
    offset: i,
    timestamp: NOW.toISOString(),
    key: "k",
    value,
    valueBytes: value.length,
    truncated: false,
    headers: {},
  };
}

const order = {
  order_id: "o",
  customer_id: "c",
  created_at: "t",
  currency: "USD",
  total_amount: 1,
  items: [],
};
const spike = [3, 3, 3, 3, 3, 3, 3, 900, 950, 1000];
const parseHeavy = [
  { error_type: "parse_error", count: "9000" },
  { error_type: "validation_error", count: "300" },
];

function makeConfig(): AppConfig {
  return {
    ...configSchema.parse({ pipeline: { logGroup: "orders-logs", metricsNamespace: "shop" } }),
    secrets: {},
  };
}

interface World {
  dlq?: readonly number[];
  logs?: Record<string, readonly LogRow[]>;
  history?: RolloutRevision[] | Error;
  records?: SampledRecord[];
}

async function run(w: World) {
  const metrics = fakeMetrics(w.dlq ?? spike);
  const logs = fakeLogs(w.logs ?? {});
  const sampled: string[] = [];
  const ports: Ports = {
    clock,
    metrics: metrics.port,
    logs: logs.port,
    ...(w.history
      ? {
          kubernetes: fakeKubernetesPort({
            describeTarget: "k8s",
            rolloutHistory: async () => {
              if (w.history instanceof Error) throw w.history;
              return w.history!;
            },
          }),
        }
      : {}),
    ...(w.records
      ? {
          kafka: fakeKafkaPort({
            describeTarget: "b-1:9092",
            sampleNewest: async (topic, count) => {
              sampled.push(`${topic} ${count}`);
              return { topic, records: w.records!, complete: true };
            },
          }),
        }
      : {}),
  };
  const report = await runRunbook(dlqSpikeRunbook, { ports, config: makeConfig() });
  return { report, metrics, logs, sampled };
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

describe("dlq-spike runbook", () => {
  it("reads DLQRecordCount (Sum, 60 s) from the configured namespace and runs the seed's queries on the log group", async () => {
    const { report, metrics, logs } = await run({ logs: { [Q.breakdown]: parseHeavy } });
    expect(metrics.queries[0]).toMatchObject({
      namespace: "shop",
      metric: "DLQRecordCount",
      stat: "Sum",
      periodSeconds: 60,
    });
    expect(metrics.queries[0]!.end).toEqual(NOW);
    const byQuery = new Map(logs.requests.map((r) => [r.query, r]));
    expect(byQuery.get(Q.breakdown)?.logGroups).toEqual(["orders-logs"]);
    expect(byQuery.get(Q.breakdown)?.start).toEqual(new Date("2025-01-13T10:20:00.000Z"));
    expect(byQuery.get(Q.parse)?.start).toEqual(new Date("2025-01-13T10:00:00.000Z"));
    expect(report.steps.map((s) => [s.title, s.budgetSeconds])).toEqual([
      ["Step 1: Assess", 60],
      ["Step 2: Classify", 120],
      ["Step 3: Root Cause", 300],
      ["Step 4: Immediate Fix", 120],
      ["Step 5: Verify", 120],
      ["Step 6: Post-Incident", 300],
    ]);
    expect(step(report, "assess").summary).toBe(
      "DLQ at 1,000/min (threshold 100/min), peak 1,000/min in 10 min. Above 100/min since 10:27 UTC.",
    );
  });

  it("offers a rollback when the current revision rolled out shortly before the spike", async () => {
    const { report, sampled } = await run({
      logs: { [Q.breakdown]: parseHeavy },
      history: revisions("2025-01-13T10:20:00Z"),
      records: [record(1, order), record(2, order)],
    });
    expect(sampled).toEqual(["orders.raw 20"]);
    const c = report.conclusion;
    expect(c).toMatchObject({ cause: "parse-error-deployment", confidence: "high", severity: "critical" });
    expect(c.suggestedActions).toEqual([
      {
        action: "rollback",
        label: "Roll back flink-taskmanager to revision 6 (job:2.0.0)",
        params: { namespace: "flink", deployment: "flink-taskmanager", toRevision: 6, fromRevision: 7 },
      },
    ]);
    expect(step(report, "fix").findings[0]?.proposals).toEqual(c.suggestedActions);
  });

  it("names the renamed field and writes the parser fix with it", async () => {
    const { customer_id, ...rest } = order;
    const { report } = await run({
      logs: { [Q.breakdown]: parseHeavy },
      history: revisions("2024-12-20T00:00:00Z"),
      records: [record(1, { ...rest, cust_id: customer_id }), record(2, { ...rest, cust_id: customer_id })],
    });
    expect(report.conclusion.cause).toBe("parse-error-schema-change");
    expect(report.conclusion.suggestedActions).toEqual([]);
    const root = step(report, "root-cause");
    expect(root.findings.map((f) => f.title)).toContain(
      "(b) Source schema changed: `customer_id` now arrives as `cust_id`",
    );
    const fix = step(report, "fix").findings[0]!;
    const code = fix.evidence.flatMap((e) => (e.kind === "code" ? [e.text] : [])).join("\n");
    expect(code).toContain('"customer_id": data.get("cust_id") or data.get("customer_id")');
    expect(code).toContain('git commit -am "Handle schema change: cust_id -> customer_id"');
  });

  it("does not sample the source when parse errors are not the story, and samples validation failures instead", async () => {
    const { report, sampled, logs } = await run({
      logs: {
        [Q.breakdown]: [{ error_type: "validation_error", count: "900" }],
        [Q.validation]: [
          { order_id: "o1", validation_error: "Order amount out of range: $0.00" },
          { order_id: "o2", validation_error: "Order amount out of range: $0.00" },
        ],
      },
      history: revisions("2024-12-20T00:00:00Z"),
      records: [record(1, order)],
    });
    expect(sampled).toEqual([]);
    expect(logs.requests.some((r) => r.query === Q.parse)).toBe(false);
    expect(report.conclusion.cause).toBe("validation-error");
    const validation = step(report, "root-cause").findings.find((f) =>
      f.title.startsWith("Validation failures"),
    );
    expect(validation?.evidence[0]).toEqual({
      kind: "table",
      columns: ["RULE BROKEN", "ORDERS", "EXAMPLES"],
      rows: [["Order amount out of range: $0.00", "2", "o1, o2"]],
    });
  });

  it("lists the open branches when Kafka and Kubernetes are not configured", async () => {
    const { report } = await run({ logs: { [Q.breakdown]: parseHeavy } });
    expect(report.conclusion).toMatchObject({ cause: "parse-error-undetermined", confidence: "low" });
    expect(report.conclusion.openBranches).toEqual([
      "parse errors from a recent deployment (code bug)",
      "parse errors from a source schema change",
      "parse errors from a new traffic pattern",
    ]);
    const titles = step(report, "root-cause").findings.map((f) => f.title);
    expect(titles).toContain("Not checked: Kafka is not configured");
  });

  it("counts the records sent to the DLQ since the spike began (post-incident)", async () => {
    const { report } = await run({ logs: { [Q.breakdown]: parseHeavy } });
    const post = step(report, "post-incident");
    expect(post.findings[0]?.title).toBe("2,850 records sent to the DLQ since 10:27 UTC");
    const verify = step(report, "verify");
    expect(verify.findings[0]?.title).toBe(
      "Expect the DLQ rate back under 10/min within 2-3 minutes of the fix",
    );
    expect(verify.findings.map((f) => f.title)).toContain(
      "Over 1,000 errors during the incident (2,850): check for data loss",
    );
  });

  it("concludes below-threshold when the DLQ is back to its trickle", async () => {
    const { report } = await run({ dlq: [3, 2, 4] });
    expect(report.conclusion).toMatchObject({ cause: "below-threshold", severity: "ok", confidence: "high" });
  });
});
