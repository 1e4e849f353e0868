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
