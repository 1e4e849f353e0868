import { type LogQueryId, logQueryRange, renderLogQuery } from "../../core/log-queries.ts";
import { metricOptionsFor, metricSelector } from "../../core/metric-catalog.ts";
import { type ProbeContext, type ProbeResults, probe, read } from "../../core/runbook.ts";
import type { RecordSample } from "../../ports/kafka.ts";
import type { LogQueryResult } from "../../ports/logs.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { type ErrorTypeCount, PARSE_ERROR_SHARE, type RolloutHistory, totalOf } from "./diagnose.ts";
import { errorCounts } from "./error-counts.ts";

/** Minutes of DLQRecordCount read: the seed's 10 shown, the rest finds where the spike began. */
export const DLQ_HISTORY_MINUTES = 60;
/** The seed's Step 1 tails the last 5 minutes of error logs. */
export const RECENT_ERRORS_MINUTES = 5;
/** Newest source records compared with the expected schema. */
export const SOURCE_SAMPLE_SIZE = 20;

export const dlqRateProbe = probe<MetricPoint[]>({
  id: "dlq-rate",
  title: "read DLQRecordCount",
  needs: ["metrics"],
  run: ({ ports, config, startedAt }) =>
    ports.metrics!.series({
      ...metricSelector("dlqRecordCount", metricOptionsFor(config)),
      periodSeconds: 60,
      start: new Date(startedAt.getTime() - DLQ_HISTORY_MINUTES * 60_000),
      end: startedAt,
    }),
});

function logQuery(ctx: ProbeContext, id: LogQueryId, minutes?: number): Promise<LogQueryResult> {
  const range =
    minutes === undefined
      ? logQueryRange(id, ctx.startedAt)
      : { start: new Date(ctx.startedAt.getTime() - minutes * 60_000), end: ctx.startedAt };
  return ctx.ports.logs!.query({
    logGroups: [ctx.config.pipeline.logGroup],
    query: renderLogQuery(id),
    ...range,
    signal: ctx.signal,
  });
}

export const recentErrorsProbe = probe<LogQueryResult>({
  id: "recent-errors",
  title: "count the last 5 minutes of errors by error_type",
  needs: ["logs"],
  run: (ctx) => logQuery(ctx, "recent-error-types", RECENT_ERRORS_MINUTES),
});

export const rolloutHistoryProbe = probe<RolloutHistory>({
  id: "rollout-history",
  title: "read the taskmanager deployment's rollout history",
  needs: ["kubernetes"],
  run: async ({ ports, config, startedAt }) => ({
    revisions: await ports.kubernetes!.rolloutHistory(
      config.pipeline.namespace,
      config.pipeline.taskmanagerDeployment,
    ),
    readAt: startedAt,
  }),
});

export const breakdownProbe = probe<LogQueryResult>({
  id: "dlq-breakdown",
  title: "break the DLQ down by error_type",
  needs: ["logs"],
  run: (ctx) => logQuery(ctx, "dlq-by-error-type"),
});

/** Step 3 digs into parse errors only when they are over 80% of the DLQ (or the breakdown is unknown). */
export function parseErrorsDominate(prior: ProbeResults): boolean {
  const rows = breakdownOf(prior);
  if (rows === undefined || totalOf(rows) === 0) return true;
  const parse = rows.find((r) => r.type === "parse_error")?.count ?? 0;
  return parse / totalOf(rows) > PARSE_ERROR_SHARE;
}

/** Share of the DLQ from which validation failures are worth sampling (Option C). */
export const VALIDATION_SAMPLE_SHARE = 0.2;

function validationErrorsMatter(prior: ProbeResults): boolean {
  const rows = breakdownOf(prior);
  if (rows === undefined || totalOf(rows) === 0) return true;
  const count = rows.find((r) => r.type === "validation_error")?.count ?? 0;
  return count / totalOf(rows) >= VALIDATION_SAMPLE_SHARE;
}

/** null = not needed (parse errors are not the story). */
export const parseSamplesProbe = probe<LogQueryResult | null>({
  id: "parse-samples",
  title: "sample records that failed to parse",
  needs: ["logs"],
  run: (ctx) =>
    parseErrorsDominate(ctx.prior) ? logQuery(ctx, "parse-error-samples") : Promise.resolve(null),
});

export const sourceSampleProbe = probe<RecordSample | null>({
  id: "source-sample",
  title: "read the newest records of the source topic",
  needs: ["kafka"],
  run: (ctx) =>
    parseErrorsDominate(ctx.prior)
      ? ctx.ports.kafka!.sampleNewest(ctx.config.pipeline.sourceTopic, SOURCE_SAMPLE_SIZE, {
          maxValueChars: 4000,
        })
      : Promise.resolve(null),
});

export const validationSamplesProbe = probe<LogQueryResult | null>({
  id: "validation-samples",
  title: "sample orders failing validation",
  needs: ["logs"],
  run: (ctx) =>
    validationErrorsMatter(ctx.prior) ? logQuery(ctx, "validation-failures") : Promise.resolve(null),
});

export const verifyErrorsProbe = probe<LogQueryResult>({
  id: "verify-errors",
  title: "count the last 3 minutes of errors by error_type",
  needs: ["logs"],
  run: (ctx) => logQuery(ctx, "recent-error-types"),
});

/** The DLQ breakdown of Step 2, as counts per error type; undefined when it was not read. */
export function breakdownOf(results: ProbeResults): ErrorTypeCount[] | undefined {
  const result = read(results, breakdownProbe);
  return result === undefined ? undefined : errorCounts(result.rows);
}
