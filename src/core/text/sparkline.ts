/** Metric series as a compact sparkline (▁▂▃▄▅▆▇█) with min/max/latest. */
import { elapsedBetween, formatElapsed, formatWithUnit } from "./format-quantity.ts";

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/** Default number of characters a sparkline may take. */
export const SPARKLINE_WIDTH = 40;

/**
 * One character per value (averaged into `width` buckets when there are more values).
 * Non-finite values render as a space; a flat series renders at the lowest bar.
 */
export function sparkline(values: readonly number[], width = SPARKLINE_WIDTH): string {
  const buckets = bucketMeans(values, Math.max(1, width));
  const finite = buckets.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return " ".repeat(buckets.length);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  return buckets
    .map((v) => {
      if (!Number.isFinite(v)) return " ";
      const idx = span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, idx))];
    })
    .join("");
}

function bucketMeans(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n === 0 ? Number.NaN : sum / n);
  }
  return out;
}

export interface SeriesSummary {
  readonly spark: string;
  /** "min 12,000 · max 95,000 · latest 95,000 records", or "no data points". */
  readonly stats: string;
  /** "30 points over 29 min", "1 point", or "". */
  readonly span: string;
}

export function summarizeSeries(
  points: readonly { readonly at: string; readonly value: number }[],
  unit: string | undefined,
  width = SPARKLINE_WIDTH,
): SeriesSummary {
  const values = points.map((p) => p.value);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { spark: "", stats: "no data points", span: "" };
  const latest = [...values].reverse().find((v) => Number.isFinite(v)) ?? Number.NaN;
  const stats = `min ${formatWithUnit(Math.min(...finite), unit)} · max ${formatWithUnit(Math.max(...finite), unit)} · latest ${formatWithUnit(latest, unit)}`;
  const first = points[0];
  const last = points[points.length - 1];
  const ms = first !== undefined && last !== undefined ? elapsedBetween(first.at, last.at) : undefined;
  const count = points.length === 1 ? "1 point" : `${points.length} points`;
  const span = ms === undefined || ms === 0 ? count : `${count} over ${formatElapsed(ms)}`;
  return { spark: sparkline(values, width), stats, span };
}
