/** Drill scenarios of the consumer-lag runbook: one per branch of the seed's Step 3 (and its edges). */

import type { DrillScenario } from "./drill.ts";
import { healthyPlatform, laggingPlatform } from "./healthy-world.ts";
import { overridePorts, scriptedMetrics } from "./override-ports.ts";

const lagging = (clock: Parameters<DrillScenario["build"]>[0]) => laggingPlatform(clock).ports;

export const consumerLagDrills: readonly DrillScenario[] = [
  {
    id: "consumer-lag/resource",
    runbook: "consumer-lag",
    title: "Taskmanagers CPU-bound",
    story: "Orders arrive at 1,000/s; four taskmanagers at 95%+ CPU process 760/s. Lag grows.",
    build: lagging,
    expect: { cause: "resource", severity: "critical", proposes: ["scale-taskmanagers"] },
  },
  {
    id: "consumer-lag/backpressure",
    runbook: "consumer-lag",
    title: "Firehose stopped accepting data",
    story: "Firehose delivered nothing for 4 minutes; Flink backs up and lag grows.",
    build: (clock) => {
      const ports = lagging(clock);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          "AWS/Firehose/DeliveryToS3.Records": (i) => (i < 4 ? 0 : 45_000),
        }),
      });
    },
    expect: { cause: "backpressure", proposes: [] },
  },
  {
    id: "consumer-lag/windowing",
    runbook: "consumer-lag",
    title: "Watermark stuck",
    story: "The watermark stopped advancing 5 minutes ago: windows do not close.",
    build: (clock) => {
      const ports = lagging(clock);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          WatermarkLagMs: (i) => (i < 5 ? 300_000 - i * 60_000 : 2_000),
        }),
      });
    },
    expect: { cause: "windowing", proposes: [] },
  },
  {
    id: "consumer-lag/enrichment",
    runbook: "consumer-lag",
    title: "Enrichment API slow",
    story:
      "The job falls behind with CPU, watermark and Firehose healthy: calls to the enrichment API are slow.",
    build: (clock) => {
      const platform = healthyPlatform(clock);
      const ports = platform.ports;
      return overridePorts(ports, {
        kafka: {
          groupLag: async (group, topics) => {
            const base = await ports.kafka!.groupLag(group, topics);
            const extra = 30_000 + Math.round((clock.now().getTime() % 3_600_000) / 100);
            return {
              ...base,
              partitions: base.partitions.map((p) => ({
                ...p,
                lag: p.lag + extra,
                committedOffset: (p.committedOffset ?? 0) - extra,
              })),
              totalLag: base.totalLag + extra * base.partitions.length,
            };
          },
        },
        metrics: scriptedMetrics(ports.metrics!, { RecordsOut: () => 42_000, RecordsIn: () => 60_000 }),
        logs: {
          query: async (request) => {
            if (!request.query.includes("enrichment_cache_hit")) return ports.logs!.query(request);
            const minutes = 10;
            return {
              queryId: "drill-enrichment",
              outcome: "complete",
              elapsedMs: 1200,
              rows: Array.from({ length: minutes }, (_, i) => ({
                "bin(1m)": new Date(request.end.getTime() - (minutes - i) * 60_000).toISOString(),
                api_latency: String(i < 6 ? 140 : 1_400 + i * 20),
                cache_hit_rate: i < 6 ? "0.92" : "0.31",
              })),
            };
          },
        },
        kubernetes: {
          podUsage: async (namespace, selector) =>
            (await ports.kubernetes!.podUsage(namespace, selector)).map((p) => ({
              ...p,
              cpuMillicores: 1_100,
              memoryBytes: Math.round((p.memoryLimitBytes ?? 8 * 2 ** 30) * 0.6),
            })),
        },
      });
    },
    expect: { cause: "enrichment", proposes: [] },
  },
  {
    id: "consumer-lag/not-consuming",
    runbook: "consumer-lag",
    title: "Job not consuming",
    story: "RecordsIn dropped to 0 a minute ago while orders keep arriving: the job stopped reading.",
    build: (clock) => {
      const ports = lagging(clock);
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, { RecordsIn: (i) => (i === 0 ? 0 : 60_000) }),
      });
    },
    expect: { cause: "not-consuming", proposes: [] },
  },
  {
    id: "consumer-lag/below-threshold",
    runbook: "consumer-lag",
    title: "Lag already back under the threshold",
    story: "Eight taskmanagers keep up; the lag that fired the alert has drained.",
    build: (clock) => healthyPlatform(clock).ports,
    expect: { cause: "below-threshold", severity: "ok", proposes: [] },
  },
];
