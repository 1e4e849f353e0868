/** Pure arithmetic over metric series: totals, latest values, trends. */
import type { MetricPoint } from "../ports/metrics.ts";

export function sumOf(points: readonly MetricPoint[]): number {
  return points.reduce((acc, p) => acc + p.value, 0);
}

export function latestOf(points: readonly MetricPoint[]): MetricPoint | undefined {
  return points.at(-1);
}

export function maxOf(points: readonly MetricPoint[]): number | undefined {
  return points.length === 0 ? undefined : Math.max(...points.map((p) => p.value));
}

export type TrendDirection = "rising" | "falling" | "flat";

export interface Trend {
  readonly direction: TrendDirection;
  /** Least-squares slope, in value units per minute. */
  readonly slopePerMinute: number;
}

/**
 * Direction of a series by least-squares slope; `flat` when the change over the window is below
 * `flatFraction` of the mean level (default 5%).
 */
export function trendOf(points: readonly MetricPoint[], flatFraction = 0.05): Trend | undefined {
  if (points.length < 2) return undefined;
  const t0 = points[0]!.at.getTime();
  const xs = points.map((p) => (p.at.getTime() - t0) / 60_000);
  const ys = points.map((p) => p.value);
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  const span = xs[n - 1]! - xs[0]!;
  const change = Math.abs(slope * span);
  const level = Math.abs(my);
  const direction: TrendDirection =
    change <= flatFraction * (level === 0 ? 1 : level) ? "flat" : slope > 0 ? "rising" : "falling";
  return { direction, slopePerMinute: slope };
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function minOf(points: readonly MetricPoint[]): number | undefined {
  return points.length === 0 ? undefined : Math.min(...points.map((p) => p.value));
}

export function averageOf(points: readonly MetricPoint[]): number | undefined {
  return points.length === 0 ? undefined : sumOf(points) / points.length;
}

/** The first point strictly above `threshold`, in time order; undefined when none is. */
export function firstAbove(points: readonly MetricPoint[], threshold: number): MetricPoint | undefined {
  return sortedByTime(points).find((p) => p.value > threshold);
}

/**
 * Where the current breach began: the first point of the run of points above `threshold` that
 * reaches the latest point ("DLQ above 100/min since 10:07"). Undefined when the latest point is
 * not above the threshold (the series has recovered, or never breached).
 */
export function breachStart(points: readonly MetricPoint[], threshold: number): MetricPoint | undefined {
  const sorted = sortedByTime(points);
  let start: MetricPoint | undefined;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const point = sorted[i]!;
    if (point.value <= threshold) break;
    start = point;
  }
  return start;
}

/** One period bucket of two series side by side; a missing value counts as 0 in the deficit. */
export interface BucketComparison {
  readonly at: Date;
  readonly a: number | undefined;
  readonly b: number | undefined;
  /** a - b (missing as 0): positive when b falls short of a. */
  readonly deficit: number;
}

export interface SeriesComparison {
  readonly totalA: number;
  readonly totalB: number;
  /** totalA - totalB. */
  readonly deficit: number;
  /** totalB / totalA (e.g. RecordsOut as a fraction of RecordsIn); undefined when totalA is 0. */
  readonly ratio: number | undefined;
  /** Every bucket present in either series, in time order. */
  readonly buckets: readonly BucketComparison[];
  /** Buckets where b fell short of a. */
  readonly bucketsShort: number;
  /** Buckets with a value in only one of the series. */
  readonly onlyInA: number;
  readonly onlyInB: number;
}

/**
 * Compares two series bucket by bucket, e.g. RecordsIn (a) against RecordsOut (b), or Flink's
 * RecordsOut against Firehose DeliveryToS3.Records. Buckets are matched by timestamp.
 */
export function compareSeries(a: readonly MetricPoint[], b: readonly MetricPoint[]): SeriesComparison {
  const byTime = new Map<number, { a?: number; b?: number }>();
  for (const p of a) {
    const slot = byTime.get(p.at.getTime()) ?? {};
    slot.a = (slot.a ?? 0) + p.value;
    byTime.set(p.at.getTime(), slot);
  }
  for (const p of b) {
    const slot = byTime.get(p.at.getTime()) ?? {};
    slot.b = (slot.b ?? 0) + p.value;
    byTime.set(p.at.getTime(), slot);
  }
  const buckets = [...byTime.entries()]
    .sort(([x], [y]) => x - y)
    .map(([t, slot]) => ({
      at: new Date(t),
      a: slot.a,
      b: slot.b,
      deficit: (slot.a ?? 0) - (slot.b ?? 0),
    }));
  const totalA = sumOf(a);
  const totalB = sumOf(b);
  return {
    totalA,
    totalB,
    deficit: totalA - totalB,
    ratio: totalA === 0 ? undefined : totalB / totalA,
    buckets,
    bucketsShort: buckets.filter((x) => x.deficit > 0).length,
    onlyInA: buckets.filter((x) => x.a !== undefined && x.b === undefined).length,
    onlyInB: buckets.filter((x) => x.a === undefined && x.b !== undefined).length,
  };
}

function sortedByTime(points: readonly MetricPoint[]): MetricPoint[] {
  return [...points].sort((x, y) => x.at.getTime() - y.at.getTime());
}
