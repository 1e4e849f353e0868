/** Read-only probes of the latency-slo-breach runbook (I/O through ports only). */

import { type LogQueryId, logQueryRange, renderLogQuery } from "../../core/log-queries.ts";
import { type MetricId, metricOptionsFor, metricSelector } from "../../core/metric-catalog.ts";
import { type ProbeContext, probe } from "../../core/runbook.ts";
import type { DeliveryStreamInfo } from "../../ports/firehose.ts";
import type { BackpressureLevel } from "../../ports/flink.ts";
import type { LogQueryResult } from "../../ports/logs.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { catalogMetricProbe } from "../catalog-metric-probe.ts";
import { readEachVertex } from "../flink-vertices.ts";
import { LATENCY_RULES } from "./diagnose.ts";

function window(ctx: ProbeContext, minutes: number, periodSeconds = 60) {
  const end = ctx.startedAt;
  return { start: new Date(end.getTime() - minutes * 60_000), end, periodSeconds };
}

export interface Percentiles {
  readonly p50: MetricPoint[];
  readonly p95: MetricPoint[];
  readonly p99: MetricPoint[];
}

/** Step 1: LatencyP50 / P95 / P99 over the last 10 minutes, in one GetMetricData call. */
export const percentilesProbe = probe<Percentiles>({
  id: "latency-percentiles",
  title: "read LatencyP50 / P95 / P99",
  needs: ["metrics"],
  run: async (ctx) => {
    const o = metricOptionsFor(ctx.config);
    return ctx.ports.metrics!.seriesBatch(window(ctx, 10), {
      p50: metricSelector("latencyP50", o),
      p95: metricSelector("latencyP95", o),
      p99: metricSelector("latencyP99", o),
    });
  },
});

function metricProbe(id: string, title: string, metric: MetricId, minutes: number) {
  return catalogMetricProbe({ id, title, metric, minutes });
}

export const bufferUsageProbe = metricProbe(
  "buffer-usage",
  "read task_buffer_out_pool_usage_percentage",
  "taskBufferOutPoolUsage",
  10,
);

/** 30 minutes, so a falling delivery rate shows against the level before it. */
export const firehoseDeliveryProbe = probe<MetricPoint[]>({
  id: "firehose-delivered",
  title: "read Firehose DeliveryToS3.Records",
  needs: ["metrics"],
  run: (ctx) =>
    ctx.ports.metrics!.series({
      ...metricSelector("firehoseDeliveryRecords", metricOptionsFor(ctx.config), {
        DeliveryStreamName: ctx.config.pipeline.deliveryStream,
      }),
      ...window(ctx, 30),
    }),
});

export interface LogQueryAnswer {
  readonly query: string;
  readonly start: Date;
  readonly end: Date;
  readonly result: LogQueryResult;
}

/** The query text each log probe sends (also shown in the thread for a human to rerun). */
export const LOG_PROBE_QUERIES = {
  "operator-latency": () => renderLogQuery("operator-latency"),
  "enrichment-latency": () => renderLogQuery("enrichment-latency-per-minute"),
  "slow-enrichment": () =>
    renderLogQuery("slow-enrichment-samples", { thresholdMs: LATENCY_RULES.slowCallMs }),
} as const;

function logProbe(id: keyof typeof LOG_PROBE_QUERIES, template: LogQueryId, title: string) {
  return probe<LogQueryAnswer>({
    id,
    title,
    needs: ["logs"],
    // A Logs Insights query may run up to the configured deadline; leave room for the stop.
    timeoutMs: (config) => (config.aws?.logsQueryDeadlineMs ?? 30_000) + 5_000,
    async run({ ports, config, startedAt, signal }) {
      const query = LOG_PROBE_QUERIES[id]();
      const { start, end } = logQueryRange(template, startedAt);
      const result = await ports.logs!.query({
        logGroups: [config.pipeline.logGroup],
        query,
        start,
        end,
        signal,
      });
      return { query, start, end, result };
    },
  });
}

/** Step 2: latency percentiles per operator (the seed's Logs Insights query). */
export const operatorLatencyProbe = logProbe(
  "operator-latency",
  "operator-latency",
  "query latency per operator (Logs Insights)",
);
export const enrichmentLatencyProbe = logProbe(
  "enrichment-latency",
  "enrichment-latency-per-minute",
  "query enrichment API latency and cache hit rate (Logs Insights)",
);
export const slowEnrichmentProbe = logProbe(
  "slow-enrichment",
  "slow-enrichment-samples",
  "sample slow enrichment calls (Logs Insights)",
);

export interface VertexPressure {
  readonly id: string;
  readonly name: string;
  readonly level: BackpressureLevel | null;
  /** Highest subtask back-pressured share, 0..1. */
  readonly maxRatio: number | null;
  readonly error?: string;
}

export interface JobBackpressure {
  readonly jobId: string;
  readonly jobName: string;
  readonly vertices: readonly VertexPressure[];
}

/** Back pressure of every vertex of the job (Flink's Back Pressure tab). */
export const backpressureProbe = probe<JobBackpressure>({
  id: "backpressure",
  title: "read Flink back pressure per vertex",
  needs: ["flink"],
  async run(ctx) {
    const { job, vertices } = await readEachVertex(ctx, async (flink, jobId, v): Promise<VertexPressure> => {
      try {
        const bp = await flink.vertexBackpressure(jobId, v.id);
        const ratios = bp.subtasks.map((s) => s.ratio);
        return {
          id: v.id,
          name: v.name,
          level: bp.status === "ok" ? bp.level : null,
          maxRatio: ratios.length === 0 ? null : Math.max(...ratios),
        };
      } catch (error) {
        return {
          id: v.id,
          name: v.name,
          level: null,
          maxRatio: null,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    });
    return { jobId: job.id, jobName: job.name, vertices };
  },
});

export const firehoseStreamProbe = probe<DeliveryStreamInfo>({
  id: "firehose-stream",
  title: "describe the Firehose delivery stream",
  needs: ["firehose"],
  run: ({ ports, config }) => ports.firehose!.describeDeliveryStream(config.pipeline.deliveryStream),
});
