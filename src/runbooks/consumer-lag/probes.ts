/** Read-only probes of the consumer-lag runbook (I/O through ports only). */

import { logQueryRange, renderLogQuery } from "../../core/log-queries.ts";
import { probe } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import { catalogMetricProbe } from "../catalog-metric-probe.ts";
import { readEachVertex } from "../flink-vertices.ts";

export interface LagSamples {
  readonly first: GroupLag;
  /** Second sample, `intervalSeconds` later; absent when it could not be taken. */
  readonly second?: GroupLag;
  readonly secondError?: string;
  readonly intervalSeconds: number;
}

export const lagProbe = probe<LagSamples>({
  id: "lag",
  title: "read the consumer group's lag",
  needs: ["kafka"],
  timeoutMs: (config) =>
    (config.runbooks.probeTimeoutSeconds * 2 + config.runbooks.lagSampleIntervalSeconds) * 1000,
  async run({ ports, config, signal }) {
    const kafka = ports.kafka!;
    const { consumerGroup, sourceTopic } = config.pipeline;
    const first = await kafka.groupLag(consumerGroup, [sourceTopic]);
    const intervalSeconds = config.runbooks.lagSampleIntervalSeconds;
    if (intervalSeconds === 0) return { first, intervalSeconds };
    await ports.clock.sleep(intervalSeconds * 1000, signal);
    try {
      const second = await kafka.groupLag(consumerGroup, [sourceTopic]);
      return { first, second, intervalSeconds };
    } catch (error) {
      return { first, secondError: error instanceof Error ? error.message : String(error), intervalSeconds };
    }
  },
});

// The seed's metrics, by catalogue id (names and namespaces overridable in config.metrics).
export const recordsInProbe = catalogMetricProbe({
  id: "records-in",
  title: "read RecordsIn",
  metric: "recordsIn",
  minutes: 10,
});
export const recordsOutProbe = catalogMetricProbe({
  id: "records-out",
  title: "read RecordsOut",
  metric: "recordsOut",
  minutes: 10,
});
export const watermarkProbe = catalogMetricProbe({
  id: "watermark-lag",
  title: "read WatermarkLagMs",
  metric: "watermarkLagMs",
  minutes: 10,
});
export const windowEmitProbe = catalogMetricProbe({
  id: "window-emits",
  title: "read window_emit_count",
  metric: "windowEmitCount",
  minutes: 30,
  periodSeconds: 300,
});
export const firehoseDeliveryProbe = catalogMetricProbe({
  id: "firehose-delivered",
  title: "read Firehose DeliveryToS3.Records",
  metric: "firehoseDeliveryRecords",
  minutes: 10,
  dimensions: (config) => ({ DeliveryStreamName: config.pipeline.deliveryStream }),
});

export interface EnrichmentLatency {
  /** The Logs Insights query as sent (shown in the thread so a human can rerun it). */
  readonly query: string;
  readonly rows: readonly {
    readonly bin: string;
    readonly apiLatencyMs: number;
    readonly cacheHitRate: number;
  }[];
}

/** Seed Step 3A: enrichment API latency and cache hit rate per minute (Logs Insights). */
export const enrichmentLatencyProbe = probe<EnrichmentLatency>({
  id: "enrichment-latency",
  title: "query the enrichment API latency (Logs Insights)",
  needs: ["logs"],
  timeoutMs: (config) => (config.aws?.logsQueryDeadlineMs ?? 30_000) + 5_000,
  async run({ ports, config, startedAt, signal }) {
    const query = renderLogQuery("enrichment-latency-per-minute");
    const { start, end } = logQueryRange("enrichment-latency-per-minute", startedAt);
    const result = await ports.logs!.query({
      logGroups: [config.pipeline.logGroup],
      query,
      start,
      end,
      signal,
    });
    const rows = result.rows
      .map((r) => ({
        bin: r["bin(1m)"] ?? "",
        apiLatencyMs: Number(r.api_latency),
        cacheHitRate: Number(r.cache_hit_rate),
      }))
      .filter((r) => Number.isFinite(r.apiLatencyMs));
    return { query, rows };
  },
});

export interface JobBackpressure {
  readonly job: string;
  readonly vertices: readonly { readonly name: string; readonly level: string }[];
}

/** Flink's own view of back pressure per vertex (corroborates the Step 3 branches). */
export const flinkBackpressureProbe = probe<JobBackpressure>({
  id: "flink-backpressure",
  title: "read Flink back pressure per vertex",
  needs: ["flink"],
  async run(ctx) {
    const { job, vertices } = await readEachVertex(ctx, async (flink, jobId, v) => {
      const bp = await flink.vertexBackpressure(jobId, v.id);
      return { name: v.name, level: bp.level ?? "unavailable" };
    });
    return { job: job.name, vertices };
  },
});
