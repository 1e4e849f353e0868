import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import type { LogQueryRequest, LogRow } from "../../ports/logs.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform, laggingPlatform } from "./healthy-world.ts";
import { overridePorts, type SeriesScript, scriptedLogs, scriptedMetrics } from "./override-ports.ts";

type Build = (clock: Clock) => Ports;

/** A world: the base platform, metrics scripted by name, some log queries scripted. */
function world(
  base: (clock: Clock) => Ports,
  metrics: Readonly<Record<string, SeriesScript>>,
  logs: Parameters<typeof scriptedLogs>[1] = {},
): Build {
  return (clock) => {
    const ports = base(clock);
    return overridePorts(ports, {
      metrics: scriptedMetrics(ports.metrics!, metrics),
      logs: scriptedLogs(ports.logs!, logs),
    });
  };
}

const healthy = (clock: Clock) => healthyPlatform(clock).ports;
const lagging = (clock: Clock) => laggingPlatform(clock).ports;

/** p99 over the SLO for the last 6 minutes (about 2 s before). */
const breach: SeriesScript = (i) => (i < 6 ? 6_400 + i * 30 : 2_100);

function operatorRows(slowest: "enrichment" | "firehose_delay"): LogRow[] {
  const rows: Record<string, [number, number, number]> = {
    enrichment: [140, 380, 620],
    deserialization: [15, 25, 40],
    validation: [30, 50, 80],
    aggregation: [200, 600, 1200],
    firehose_delay: [500, 1200, 2100],
  };
  rows[slowest] = slowest === "enrichment" ? [850, 1400, 3200] : [2600, 4100, 5400];
  return Object.entries(rows)
    .sort(([, a], [, b]) => b[2] - a[2])
    .map(([operator, [avg, p95, p99]]) => ({
      operator,
      avg: String(avg),
      p95: String(p95),
      p99: String(p99),
    }));
}

function perMinute(apiLatencyMs: number, cacheHitRate: number) {
  return (request: LogQueryRequest): LogRow[] => {
    const rows: LogRow[] = [];
    const step = 60_000;
    for (let t = Math.ceil(request.start.getTime() / step) * step; t < request.end.getTime(); t += step) {
      const i = rows.length;
      rows.push({
        "bin(1m)": new Date(t).toISOString().replace("T", " ").replace("Z", ""),
        api_latency: String(apiLatencyMs + (i % 3) * 20),
        cache_hit_rate: cacheHitRate.toFixed(2),
      });
    }
    return rows;
  };
}

/** 20 slow calls: `concentrated` of them for CUST-7 / CUST-19 / CUST-33, the rest one customer each. */
function slowSamples(concentrated: number) {
  return (): LogRow[] =>
    Array.from({ length: 20 }, (_, i) => ({
      order_id: `ORD-${120_400 + i * 17}`,
      enrichment_api_latency: String(2_100 + ((i * 37) % 9) * 150),
      customer_id: i < concentrated ? `CUST-${[7, 19, 33][i % 3]}` : `CUST-${5_000 + i * 101}`,
    }));
}

export const latencySloBreachDrills: readonly DrillScenario[] = [
  {
    id: "latency-slo-breach/below-threshold",
    runbook: "latency-slo-breach",
    title: "p99 already back under 5 s",
    story: "Eight taskmanagers keep up; p99 is about 2 s. The alert fired on a short burst.",
    build: healthy,
    expect: { cause: "below-threshold", severity: "ok", proposes: [] },
  },
  {
    id: "latency-slo-breach/enrichment-api-slow",
    runbook: "latency-slo-breach",
    title: "Enrichment API slow",
    story:
      "The customer API answers in 1.4 s for everyone; the cache hits 90%, so the misses push p99 to 6.4 s.",
    build: world(
      healthy,
      { LatencyP99: breach },
      {
        "operator-latency": () => operatorRows("enrichment"),
        "enrichment-latency-per-minute": perMinute(1_400, 0.9),
        "slow-enrichment-samples": slowSamples(0),
      },
    ),
    expect: { cause: "enrichment-api-slow", severity: "critical", proposes: [] },
  },
  {
    id: "latency-slo-breach/enrichment-cache-miss",
    runbook: "latency-slo-breach",
    title: "Enrichment cache misses",
    story:
      "A deploy shortened the customer cache TTL: the hit rate fell to 42% and most orders call the API.",
    build: world(
      healthy,
      { LatencyP99: breach },
      {
        "operator-latency": () => operatorRows("enrichment"),
        "enrichment-latency-per-minute": perMinute(700, 0.42),
        "slow-enrichment-samples": slowSamples(0),
      },
    ),
    expect: { cause: "enrichment-cache-miss", severity: "critical", proposes: [] },
  },
  {
    id: "latency-slo-breach/enrichment-customer-hotspot",
    runbook: "latency-slo-breach",
    title: "Customer service slow for three customers",
    story: "Lookups for three large B2B customers take 2-3 s; 16 of 20 slow calls are theirs.",
    build: world(
      healthy,
      { LatencyP99: breach },
      {
        "operator-latency": () => operatorRows("enrichment"),
        "enrichment-latency-per-minute": perMinute(1_150, 0.88),
        "slow-enrichment-samples": slowSamples(16),
      },
    ),
    expect: { cause: "enrichment-customer-hotspot", severity: "critical", proposes: [] },
  },
  {
    id: "latency-slo-breach/enrichment",
    runbook: "latency-slo-breach",
    title: "Enrichment slow, API and cache fine",
    story: "Enrichment's p99 is 3.2 s but the API answers in 140 ms and the cache hits 91%.",
    build: world(healthy, { LatencyP99: breach }, { "operator-latency": () => operatorRows("enrichment") }),
    expect: { cause: "enrichment", severity: "warning", proposes: [] },
  },
  {
    id: "latency-slo-breach/firehose-slow",
    runbook: "latency-slo-breach",
    title: "Firehose slow",
    story:
      "Records wait in the Firehose sink (firehose_delay p99 5.4 s) and deliveries to S3 dropped to a third for 3 minutes.",
    build: world(
      healthy,
      {
        LatencyP99: breach,
        "AWS/Firehose/DeliveryToS3.Records": (i) => (i < 3 ? 15_000 : 45_000),
      },
      { "operator-latency": () => operatorRows("firehose_delay") },
    ),
    expect: { cause: "firehose-slow", severity: "critical", proposes: ["firehose-buffering"] },
  },
  {
    id: "latency-slo-breach/backpressure-cpu",
    runbook: "latency-slo-breach",
    title: "Task managers full",
    story:
      "Four taskmanagers at 95% CPU: the window aggregation cannot keep up, enrichment and the source are back-pressured, p99 6.4 s.",
    build: world(lagging, { LatencyP99: breach }),
    expect: { cause: "backpressure-cpu", severity: "critical", proposes: ["scale-taskmanagers"] },
  },
  {
    id: "latency-slo-breach/backpressure",
    runbook: "latency-slo-breach",
    title: "Buffers full, CPU idle",
    story: "Output buffers are 92% full while CPU is at 60%: a downstream stage is slow.",
    build: world(healthy, {
      LatencyP99: breach,
      task_buffer_out_pool_usage_percentage: (i) => (i < 5 ? 92 : 40),
    }),
    expect: { cause: "backpressure", severity: "critical", proposes: [] },
  },
  {
    id: "latency-slo-breach/operator-slow",
    runbook: "latency-slo-breach",
    title: "Aggregation slow, nothing else wrong",
    story:
      "p99 is 6.4 s, aggregation is the slowest operator, no back pressure, Firehose and enrichment healthy.",
    build: world(healthy, { LatencyP99: breach }),
    expect: { cause: "operator-slow", severity: "warning", proposes: [] },
  },
  {
    id: "latency-slo-breach/unknown",
    runbook: "latency-slo-breach",
    title: "Logs Insights unavailable",
    story:
      "p99 is 6.4 s, but every Logs Insights query is refused (AccessDenied) and nothing else stands out.",
    build: (clock) => {
      const ports = healthy(clock);
      const denied = () =>
        new Error("User is not authorized to perform: logs:StartQuery (AccessDeniedException)");
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, { LatencyP99: breach }),
        logs: {
          query: async () => {
            throw denied();
          },
        },
      });
    },
    expect: { cause: "unknown", severity: "warning", proposes: [] },
  },
];
