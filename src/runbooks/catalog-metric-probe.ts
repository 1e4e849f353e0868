/** Probes that read one catalogued metric (src/core/metric-catalog.ts) over the last minutes of the run. */
import type { AppConfig } from "../config/schema.ts";
import { type MetricId, metricOptionsFor, metricSelector } from "../core/metric-catalog.ts";
import { type Probe, type ProbeContext, probe } from "../core/runbook.ts";
import type { MetricPoint, MetricStatistic } from "../ports/metrics.ts";

/** The window of a metric query: the `minutes` before the run started. */
export function lastMinutes(ctx: ProbeContext, minutes: number): { start: Date; end: Date } {
  const end = ctx.startedAt;
  return { start: new Date(end.getTime() - minutes * 60_000), end };
}

export interface CatalogMetricProbeSpec {
  readonly id: string;
  readonly title: string;
  readonly metric: MetricId;
  readonly minutes: number;
  /** Default 60 s. */
  readonly periodSeconds?: number;
  /** Default: the catalogue's (or the config's override). */
  readonly stat?: MetricStatistic;
  /** Dimension values the catalogue entry needs (e.g. DeliveryStreamName). */
  readonly dimensions?: (config: AppConfig) => Readonly<Record<string, string>>;
}

export function catalogMetricProbe(spec: CatalogMetricProbeSpec): Probe<MetricPoint[]> {
  return probe<MetricPoint[]>({
    id: spec.id,
    title: spec.title,
    needs: ["metrics"],
    run: (ctx) =>
      ctx.ports.metrics!.series({
        ...metricSelector(
          spec.metric,
          metricOptionsFor(ctx.config),
          spec.dimensions?.(ctx.config) ?? {},
          spec.stat,
        ),
        periodSeconds: spec.periodSeconds ?? 60,
        ...lastMinutes(ctx, spec.minutes),
      }),
  });
}
