/** Read-only probes of the window-completeness runbook (I/O through ports only). */

import { type LogQueryId, logQueryRange, renderLogQuery } from "../../core/log-queries.ts";
import { type MetricId, metricOptionsFor, metricSelector } from "../../core/metric-catalog.ts";
import { type ProbeContext, probe, read } from "../../core/runbook.ts";
import type { CheckpointRecord } from "../../ports/flink.ts";
import type { RecordSample } from "../../ports/kafka.ts";
import type { LogQueryResult } from "../../ports/logs.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { catalogMetricProbe, lastMinutes } from "../catalog-metric-probe.ts";
import { windowIdAt, worstPoint } from "./windows.ts";

export interface CompletenessView {
  /** WindowCompleteness, Average, 5-min periods, last 30 minutes. */
  readonly series: readonly MetricPoint[];
  /** The lowest 5-min bucket and its window id (window-YYYY-MM-DD-HH-MM of the bucket start). */
  readonly worst?: { readonly windowId: string; readonly at: Date; readonly value: number };
  /** That window's own series (window_id dimension, 1-min periods, last hour); empty when not published. */
  readonly perWindow?: readonly MetricPoint[];
  readonly perWindowError?: string;
}

/** Step 1's two `get-metric-statistics` calls: the 30-minute overview, then the worst window. */
export const completenessProbe = probe<CompletenessView>({
  id: "completeness",
  title: "read WindowCompleteness",
  needs: ["metrics"],
  async run(ctx) {
    const metrics = ctx.ports.metrics!;
    const options = metricOptionsFor(ctx.config);
    const series = await metrics.series({
      ...metricSelector("windowCompleteness", options),
      periodSeconds: 300,
      ...lastMinutes(ctx, 30),
    });
    const low = worstPoint(series);
    if (low === undefined) return { series };
    const worst = { windowId: windowIdAt(low.at), at: low.at, value: low.value };
    try {
      const perWindow = await metrics.series({
        ...metricSelector("windowCompletenessByWindow", options, { window_id: worst.windowId }),
        periodSeconds: 60,
        ...lastMinutes(ctx, 60),
      });
      return { series, worst, perWindow };
    } catch (error) {
      return { series, worst, perWindowError: error instanceof Error ? error.message : String(error) };
    }
  },
});

function metricProbe(id: string, title: string, metric: MetricId, minutes: number, period: number) {
  return catalogMetricProbe({ id, title, metric, minutes, periodSeconds: period });
}

export const watermarkLagProbe = metricProbe(
  "watermark-lag",
  "read WatermarkLagMs",
  "watermarkLagMs",
  30,
  60,
);
export const stateReadsProbe = metricProbe(
  "state-reads",
  "read StateBackendReadCount",
  "stateBackendReadCount",
  10,
  60,
);
export const recordsInProbe = metricProbe("records-in", "read RecordsIn", "recordsIn", 10, 60);

/** A catalogued Logs Insights query, as run: its text and range go into the thread with the rows. */
export interface LogQueryRun {
  readonly query: string;
  readonly start: Date;
  readonly end: Date;
  readonly result: LogQueryResult;
}

async function runLogQuery(
  ctx: ProbeContext,
  id: LogQueryId,
  params: Readonly<Record<string, string | number | Date>> = {},
  range = logQueryRange(id, ctx.startedAt),
): Promise<LogQueryRun> {
  const query = renderLogQuery(id, params);
  const result = await ctx.ports.logs!.query({
    logGroups: [ctx.config.pipeline.logGroup],
    query,
    start: range.start,
    end: range.end,
    signal: ctx.signal,
  });
  return { query, start: range.start, end: range.end, result };
}

/**
 * Step 2: records in / out / late of the worst window. The seed looks 10 minutes back; the range
 * starts at the window's own start when that is earlier, so its log line is inside it.
 * Null when Step 1 found no window to look at.
 */
export const windowRecordsProbe = probe<(LogQueryRun & { readonly windowId: string }) | null>({
  id: "window-records",
  title: "query records in / out / late of the worst window",
  needs: ["logs"],
  async run(ctx) {
    const worst = read(ctx.prior, completenessProbe)?.worst;
    if (worst === undefined) return null;
    const seed = logQueryRange("window-records", ctx.startedAt);
    const start = new Date(Math.min(seed.start.getTime(), worst.at.getTime()));
    const run = await runLogQuery(
      ctx,
      "window-records",
      { windowId: worst.windowId },
      { start, end: seed.end },
    );
    return { ...run, windowId: worst.windowId };
  },
});

export const lateArrivalsProbe = probe<LogQueryRun>({
  id: "late-per-window",
  title: "query late arrivals per window",
  needs: ["logs"],
  run: (ctx) => runLogQuery(ctx, "late-arrivals-per-window"),
});

export const windowEmitsProbe = probe<LogQueryRun>({
  id: "window-emits",
  title: "query which windows emitted",
  needs: ["logs"],
  run: (ctx) => runLogQuery(ctx, "window-emit-counts"),
});

/** Step 5: windows emitted per 5 minutes over the last 30 minutes. */
export const windowsSinceProbe = probe<LogQueryRun>({
  id: "windows-since",
  title: "query windows emitted per 5 minutes",
  needs: ["logs"],
  run: (ctx) =>
    runLogQuery(ctx, "windows-emitted-since", {
      since: new Date(ctx.startedAt.getTime() - 30 * 60_000),
    }),
});

export interface SourceSample {
  readonly sample: RecordSample;
  /** When the sample was taken (ages are measured from here). */
  readonly at: Date;
}

/** `kafka-console-consumer --topic orders.raw --max-messages 5`: is Kafka still receiving? */
export const sourceNewestProbe = probe<SourceSample>({
  id: "source-newest",
  title: "read the newest records of the source topic",
  needs: ["kafka"],
  async run({ ports, config }) {
    const sample = await ports.kafka!.sampleNewest(config.pipeline.sourceTopic, 5, { maxValueChars: 300 });
    return { sample, at: ports.clock.now() };
  },
});

export { type FlinkWatermarks, flinkWatermarksProbe } from "../flink-watermarks.ts";

export interface LatestCheckpoint {
  readonly jobId: string;
  readonly jobName: string;
  readonly completed: CheckpointRecord | null;
}

/** The checkpoint a restart restores from (the seed's `aws s3 ls s3://checkpoint-bucket/`). */
export const latestCheckpointProbe = probe<LatestCheckpoint>({
  id: "latest-checkpoint",
  title: "read the latest completed checkpoint",
  needs: ["flink"],
  async run({ ports, config }) {
    const flink = ports.flink!;
    const job = await flink.findJob(config.flink?.jobName);
    const stats = await flink.checkpoints(job.id);
    return { jobId: job.id, jobName: job.name, completed: stats.latest.completed };
  },
});
