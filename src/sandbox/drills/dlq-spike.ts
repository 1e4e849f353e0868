/**
 * Drill scenarios of the dlq-spike runbook: one per branch of the seed's Step 2 / Step 3 (parse
 * errors from a deployment, a schema change or a new traffic pattern; validation, duplicate,
 * timeout and downstream errors) and its edges (a mix, nothing to read, the spike already over).
 */
import type { LogQueryId } from "../../core/log-queries.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import { KafkaError, type SampledRecord } from "../../ports/kafka.ts";
import type { LogRow } from "../../ports/logs.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import { overridePorts, scriptedLogs, scriptedMetrics } from "./override-ports.ts";

/** The spike: 8 minutes at about 900 records/min (from 10:22 on the drill clock), 2-4/min before. */
const spikingDlq = (i: number) => (i < 8 ? 880 + (i % 3) * 20 : 3);

type Answers = Partial<Record<LogQueryId, readonly LogRow[]>>;

function breakdown(counts: Readonly<Record<string, number>>): LogRow[] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([error_type, count]) => ({ error_type, count: String(count) }));
}

function recent(counts: Readonly<Record<string, number>>): LogRow[] {
  return breakdown(counts).map((r) => ({ error_type: r.error_type ?? "", "count()": r.count ?? "0" }));
}

function parseSamples(detail: (i: number) => Record<string, unknown>): LogRow[] {
  return Array.from({ length: 10 }, (_, i) => {
    const order = `ord-${i % 3}-${88_100 + i * 7}`;
    return {
      order_id: order,
      "@message": JSON.stringify({ order_id: order, error_type: "parse_error", dlq: true, ...detail(i) }),
    };
  });
}

const parseSpike = { parse_error: 8_600, validation_error: 310, duplicate: 45 };

interface WorldChanges {
  readonly logs?: Answers;
  readonly sample?: (records: readonly SampledRecord[]) => SampledRecord[] | Error;
  /** A deployment that preceded the spike: a new image rolled out `minutesAgo`. */
  readonly deployment?: { readonly image: string; readonly changeCause: string; readonly minutesAgo: number };
  readonly dlq?: (i: number) => number;
}

/** The healthy platform with a DLQ spike and the given log answers, source records and rollouts. */
function world(clock: Clock, changes: WorldChanges): Ports {
  const platform = healthyPlatform(clock);
  const ports = platform.ports;
  if (changes.deployment) {
    const { image, changeCause, minutesAgo } = changes.deployment;
    platform.kubernetes.deploy(image, changeCause, new Date(clock.now().getTime() - minutesAgo * 60_000));
  }
  const logs = ports.logs!;
  const kafka = ports.kafka!;
  return overridePorts(ports, {
    metrics: scriptedMetrics(ports.metrics!, { DLQRecordCount: changes.dlq ?? spikingDlq }),
    logs: scriptedLogs(
      logs,
      Object.fromEntries(Object.entries(changes.logs ?? {}).map(([id, rows]) => [id, () => rows])),
    ),
    kafka: {
      sampleNewest: async (topic, count, options) => {
        const base = await kafka.sampleNewest(topic, count, options);
        if (!changes.sample) return base;
        const changed = changes.sample(base.records);
        if (changed instanceof Error) throw changed;
        return { ...base, records: changed };
      },
    },
  });
}

function rewrite(record: SampledRecord, change: (body: Record<string, unknown>) => unknown): SampledRecord {
  const body = JSON.parse(record.value ?? "{}") as Record<string, unknown>;
  const out = change(body);
  const value = typeof out === "string" ? out : JSON.stringify(out);
  return { ...record, value, valueBytes: Buffer.byteLength(value, "utf8") };
}

const dlqOnly = (counts: Readonly<Record<string, number>>): Answers => ({
  "dlq-by-error-type": breakdown(counts),
  "recent-error-types": recent(counts),
});

export const dlqSpikeDrills: readonly DrillScenario[] = [
  {
    id: "dlq-spike/parse-error-deployment",
    runbook: "dlq-spike",
    title: "Parser bug shipped in a deployment",
    story:
      "Revision 4 (flink-job:1.5.0, a new order parser) rolled out at 10:15; from 10:22 about 900 records/min fail to parse and go to the DLQ. The source data is unchanged.",
    build: (clock) =>
      world(clock, {
        logs: {
          ...dlqOnly(parseSpike),
          "parse-error-samples": parseSamples((i) => ({
            detail: `Unexpected character ('}' (code 125)): was expecting double-quote to start field name at position ${40 + i}`,
          })),
        },
        deployment: {
          image: "flink-job:1.5.0",
          changeCause: "deploy 1.5.0: new order parser",
          minutesAgo: 15,
        },
      }),
    expect: { cause: "parse-error-deployment", severity: "critical", proposes: ["rollback"] },
  },
  {
    id: "dlq-spike/parse-error-schema-change",
    runbook: "dlq-spike",
    title: "Source renamed customer_id to cust_id",
    story:
      "The checkout service now sends `cust_id` instead of `customer_id`; no deployment of ours. About 900 records/min fail to parse since 10:22.",
    build: (clock) =>
      world(clock, {
        logs: {
          ...dlqOnly(parseSpike),
          "parse-error-samples": parseSamples(() => ({ detail: "KeyError: 'customer_id'" })),
        },
        sample: (records) =>
          records.map((r) =>
            rewrite(r, (body) => {
              const { customer_id, ...rest } = body;
              return { ...rest, cust_id: customer_id };
            }),
          ),
      }),
    expect: { cause: "parse-error-schema-change", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/parse-error-traffic-pattern",
    runbook: "dlq-spike",
    title: "A new partner sends malformed orders",
    story:
      "A new partner integration (partner-api) started sending orders with truncated JSON; everyone else is fine and nothing was deployed.",
    build: (clock) =>
      world(clock, {
        logs: {
          ...dlqOnly(parseSpike),
          "parse-error-samples": parseSamples((i) => ({
            source: i < 9 ? "partner-api" : "checkout-service",
            detail: "Unexpected end of JSON input",
          })),
        },
        sample: (records) =>
          records.map((r, i) =>
            i % 5 === 0
              ? {
                  ...rewrite(r, (body) => JSON.stringify(body).slice(0, 60)),
                  headers: { ...r.headers, source: "partner-api" },
                }
              : r,
          ),
      }),
    expect: { cause: "parse-error-traffic-pattern", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/parse-error-undetermined",
    runbook: "dlq-spike",
    title: "Parse errors, source topic unreadable",
    story:
      "Parse errors fill the DLQ, nothing was deployed, but the source topic cannot be read: schema change and new traffic pattern stay open.",
    build: (clock) =>
      world(clock, {
        logs: {
          ...dlqOnly(parseSpike),
          "parse-error-samples": parseSamples(() => ({ detail: "Unexpected token" })),
        },
        sample: () => new KafkaError("unreachable", "could not connect to any broker (b-1:9092, b-2:9092)"),
      }),
    expect: { cause: "parse-error-undetermined", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/validation-error",
    runbook: "dlq-spike",
    title: "A validation rule rejects promo orders",
    story: "A tightened amount rule rejects $0 promo orders: 85% of the DLQ is validation_error.",
    build: (clock) =>
      world(clock, {
        logs: {
          ...dlqOnly({ validation_error: 7_700, parse_error: 900, duplicate: 400 }),
          "validation-failures": Array.from({ length: 20 }, (_, i) => ({
            order_id: `ord-2-${51_000 + i * 11}`,
            validation_error: i % 4 === 0 ? "missing field customer_id" : "Order amount out of range: $0.00",
          })),
        },
      }),
    expect: { cause: "validation-error", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/duplicate",
    runbook: "dlq-spike",
    title: "Producer retry storm: duplicates",
    story: "The checkout service retried a batch of orders: 90% of the DLQ are duplicates.",
    build: (clock) =>
      world(clock, { logs: dlqOnly({ duplicate: 8_100, parse_error: 500, validation_error: 400 }) }),
    expect: { cause: "duplicate", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/timeout",
    runbook: "dlq-spike",
    title: "Enrichment service times out",
    story: "The enrichment API stopped answering in time: 70% of the DLQ are timeouts.",
    build: (clock) =>
      world(clock, { logs: dlqOnly({ timeout: 6_300, external_api_error: 1_800, parse_error: 900 }) }),
    expect: { cause: "timeout", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/external-api-error",
    runbook: "dlq-spike",
    title: "Downstream API returns errors",
    story: "The downstream API answers 503: 88% of the DLQ are external_api_error.",
    build: (clock) =>
      world(clock, { logs: dlqOnly({ external_api_error: 7_900, timeout: 700, parse_error: 400 }) }),
    expect: { cause: "external-api-error", severity: "critical", proposes: [] },
  },
  {
    id: "dlq-spike/mixed",
    runbook: "dlq-spike",
    title: "Several error types at once",
    story:
      "Parse errors (45%), validation errors (35%) and timeouts (20%) together: no single branch explains it.",
    build: (clock) =>
      world(clock, { logs: dlqOnly({ parse_error: 4_050, validation_error: 3_150, timeout: 1_800 }) }),
    expect: { cause: "mixed", severity: "warning", proposes: [] },
  },
  {
    id: "dlq-spike/unknown",
    runbook: "dlq-spike",
    title: "DLQ spike, logs unreadable",
    story: "The DLQ spikes but CloudWatch Logs refuses every query: the error types cannot be read.",
    build: (clock) => {
      const ports = world(clock, {});
      return overridePorts(ports, {
        logs: {
          query: async () => {
            throw new Error("AccessDeniedException: not authorized to perform logs:StartQuery");
          },
        },
      });
    },
    expect: { cause: "unknown", severity: "warning", proposes: [] },
  },
  {
    id: "dlq-spike/below-threshold",
    runbook: "dlq-spike",
    title: "DLQ back to its usual trickle",
    story: "A short burst fired the alert; the DLQ is back at 2-4 records/min.",
    build: (clock) => world(clock, { dlq: (i) => (i >= 3 && i < 5 ? 240 : 3) }),
    expect: { cause: "below-threshold", severity: "ok", proposes: [] },
  },
];
