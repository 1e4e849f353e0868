/**
 * A recovery check on one catalogued CloudWatch metric: the newest datapoint whose period ends after
 * the fix, compared with the alert's threshold.
 */
import type { AppConfig } from "../config/schema.ts";
import { type MetricId, metricOptionsFor, metricSelector, resolveMetric } from "../core/metric-catalog.ts";
import type { RecoveryCheck, RecoveryContext, RecoveryReading } from "../core/verification.ts";
import type { MetricPoint, MetricStatistic } from "../ports/metrics.ts";

export interface MetricRecoverySpec {
  readonly metric: MetricId;
  readonly watches: string;
  /** "below": recovered at or under the threshold; "above": at or over it. */
  readonly direction: "below" | "above";
  readonly threshold: (config: AppConfig) => number;
  /** How a value reads: "42 records/min", "3.1 s", "97.0%". */
  readonly format: (value: number) => string;
  /** The threshold as the alert states it: "100 records/min". */
  readonly formatThreshold?: (threshold: number) => string;
  readonly withinMinutes: number;
  readonly everySeconds: number;
  readonly nextStep: string;
  readonly stat?: MetricStatistic;
  readonly dimensions?: (config: AppConfig) => Readonly<Record<string, string>>;
}

/** The newest point whose period ends after `since` (a bucket that saw the fixed system), if any. */
export function newestAfter(
  points: readonly MetricPoint[],
  since: Date,
  periodSeconds: number,
): MetricPoint | undefined {
  const after = points.filter((p) => p.at.getTime() + periodSeconds * 1000 > since.getTime());
  return after[after.length - 1];
}

export function metricRecovery(spec: MetricRecoverySpec): RecoveryCheck {
  const limit = (config: AppConfig) => (spec.formatThreshold ?? spec.format)(spec.threshold(config));
  return {
    watches: spec.watches,
    recoveredWhen: (config) =>
      `${spec.direction === "below" ? "at or below" : "at or above"} ${limit(config)}`,
    withinMinutes: spec.withinMinutes,
    everySeconds: spec.everySeconds,
    needs: ["metrics"],
    nextStep: spec.nextStep,
    async read(ctx: RecoveryContext): Promise<RecoveryReading> {
      const options = metricOptionsFor(ctx.config);
      const periodSeconds = resolveMetric(spec.metric, options).periodSeconds;
      const selector = metricSelector(spec.metric, options, spec.dimensions?.(ctx.config) ?? {}, spec.stat);
      // From one period before the fix, so the bucket the fix fell in is read too.
      const start = new Date(Math.min(ctx.since.getTime(), ctx.now.getTime()) - periodSeconds * 1000);
      const end = new Date(ctx.now.getTime() + 1);
      const points = await ctx.ports.metrics!.series({ ...selector, periodSeconds, start, end });
      const point = newestAfter(points, ctx.since, periodSeconds);
      if (!point) {
        return { recovered: false, text: `no ${selector.metric} datapoint since the fix yet` };
      }
      const threshold = spec.threshold(ctx.config);
      const recovered = spec.direction === "below" ? point.value <= threshold : point.value >= threshold;
      return {
        recovered,
        value: point.value,
        text: `${selector.metric} ${spec.format(point.value)} (alert ${spec.direction === "below" ? "above" : "below"} ${limit(ctx.config)})`,
      };
    },
  };
}
