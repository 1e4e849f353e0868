/**
 * latency-slo-breach end to end through the real adapters:
 * - LatencyP50 / P95 / P99 (Average per minute, one GetMetricData call), DeliveryToS3.Records of
 *   the test's stream: moto, seeded per test, read through the monitoring stand-in (which passes
 *   basic statistics on to moto).
 * - Latency per operator, enrichment API latency / cache hit rate per minute, slow enrichment
 *   samples (Logs Insights `stats ... pct(...)`, `bin(1m)`, `filter`): the monitoring stand-in,
 *   programmed per test (moto 5.2.5 runs no stats / filter commands).
 * Flink back pressure, pod CPU and the Firehose stream are left unconfigured here (the probes
 * report "not configured"); "backpressure" / "backpressure-cpu" are shown by the drills.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type MonitoringStandin, startMonitoringStandin } from "../../peers/aws-monitoring-standin.ts";
import { awsSection, flat, MINUTE, makeConfig, runLive, seedMetrics, uniqueId } from "./live-helpers.ts";

const motoEndpoint = inject("motoEndpoint");

let standin: MonitoringStandin;

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
});

afterAll(async () => {
  await standin?.close();
});

beforeEach(() => {
  standin.reset();
});

interface Pipeline {
  readonly namespace: string;
  readonly stream: string;
}

async function seed(p99: number, deliveries: number[]): Promise<Pipeline> {
  const id = uniqueId();
  const p = { namespace: `latency-live-${id}`, stream: `order-firehose-${id}` };
  await seedMetrics(motoEndpoint, p.namespace, [
    { metric: "LatencyP50", values: flat(10, 900), unit: "Milliseconds" },
    { metric: "LatencyP95", values: flat(10, Math.round(p99 * 0.7)), unit: "Milliseconds" },
    { metric: "LatencyP99", values: [...flat(5, 2100), ...flat(5, p99)], unit: "Milliseconds" },
    { metric: "task_buffer_out_pool_usage_percentage", values: flat(10, 30), unit: "Percent" },
  ]);
  await seedMetrics(motoEndpoint, "AWS/Firehose", [
    { metric: "DeliveryToS3.Records", values: deliveries, dimensions: { DeliveryStreamName: p.stream } },
  ]);
  return p;
}

function configFor(p: Pipeline) {
  return makeConfig({
    aws: awsSection({ cloudwatch: standin.endpoint, logs: standin.endpoint }),
    pipeline: { metricsNamespace: p.namespace, deliveryStream: p.stream, logGroup: `${p.namespace}-logs` },
  });
}

function programOperators(rows: { operator: string; avg: number; p95: number; p99: number }[]): void {
  standin.programQuery({
    matches: (q) => q.includes("pct(latency_ms, 99) as p99 by operator"),
    rows: rows.map((r) => ({
      operator: r.operator,
      avg: String(r.avg),
      p95: String(r.p95),
      p99: String(r.p99),
    })),
  });
}

function programEnrichment(apiLatencyMs: number, cacheHitRate: number): void {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  standin.programQuery({
    matches: (q) => q.includes("avg(enrichment_cache_hit) as cache_hit_rate by bin(1m)"),
    rows: Array.from({ length: 10 }, (_, i) => ({
      "bin(1m)": new Date(end - (10 - i) * MINUTE).toISOString().replace("T", " ").slice(0, 23),
      api_latency: String(apiLatencyMs),
      cache_hit_rate: String(cacheHitRate),
    })),
  });
}

function programSlowCalls(customers: string[]): void {
  standin.programQuery({
    matches: (q) => q.includes("enrichment_api_latency > 2000"),
    rows: customers.map((customer, i) => ({
      order_id: `ord-${i}`,
      enrichment_api_latency: String(2400 + i * 10),
      customer_id: customer,
    })),
  });
}

const ENRICHMENT_SLOWEST = [
  { operator: "enrichment", avg: 1900, p95: 6100, p99: 7900 },
  { operator: "firehose_delay", avg: 300, p95: 500, p99: 600 },
  { operator: "window_aggregate", avg: 120, p95: 300, p99: 400 },
];

describe("latency-slo-breach against moto and the Logs stand-in", { timeout: 120_000 }, () => {
  it("enrichment slowest with a 42% cache hit rate: enrichment-cache-miss", async () => {
    const p = await seed(8200, flat(30, 4500));
    programOperators(ENRICHMENT_SLOWEST);
    programEnrichment(450, 0.42);
    programSlowCalls(Array.from({ length: 8 }, (_, i) => `CUST-${i}`));

    const { report } = await runLive("latency-slo-breach", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("enrichment-cache-miss");
    expect(c.summary).toContain("p99 8.2 s (SLO 5 s)");
    expect(c.summary).toContain("enrichment is the slowest operator (p99 7.9 s)");
    expect(c.summary).toContain("the enrichment cache hit rate is 42% (under 80%)");
  });

  it("8 of 10 slow enrichment calls for 3 customers: enrichment-customer-hotspot", async () => {
    const p = await seed(7400, flat(30, 4500));
    programOperators(ENRICHMENT_SLOWEST);
    programEnrichment(1800, 0.93);
    programSlowCalls([
      "CUST-7",
      "CUST-7",
      "CUST-7",
      "CUST-9",
      "CUST-9",
      "CUST-9",
      "CUST-3",
      "CUST-3",
      "CUST-1",
      "CUST-2",
    ]);

    const { report } = await runLive("latency-slo-breach", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("enrichment-customer-hotspot");
    expect(c.summary).toContain("p99 7.4 s");
    expect(c.summary).toContain("80% of 10 slow enrichment calls (> 2000 ms) are for 3 customers");
  });

  it("Firehose delivering a quarter of its earlier rate, firehose_delay the slowest operator: firehose-slow", async () => {
    const p = await seed(6800, [...flat(27, 4800), ...flat(3, 1200)]);
    programOperators([
      { operator: "firehose_delay", avg: 2900, p95: 5400, p99: 6500 },
      { operator: "enrichment", avg: 200, p95: 500, p99: 700 },
    ]);
    programEnrichment(180, 0.96);
    programSlowCalls([]);

    const { report } = await runLive("latency-slo-breach", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("firehose-slow");
    expect(c.summary).toContain("firehose_delay is the slowest operator (p99 6.5 s)");
    expect(c.summary).toContain("Firehose delivered 25% of its earlier rate to S3 in the last minutes");
  });
});
