/** CloudWatch-style metrics, in our words. */

/** The five statistics CloudWatch keeps for every metric. */
export type MetricStat = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";

/**
 * A percentile statistic, "p50", "p95", "p99", "p99.9". CloudWatch computes percentiles only for
 * metrics published as individual values (or value/count arrays), not as statistic sets.
 */
export type PercentileStat = `p${number}`;

/** Any statistic a series can be read with. */
export type MetricStatistic = MetricStat | PercentileStat;

const BASIC_STATS: ReadonlySet<string> = new Set(["Sum", "Average", "Maximum", "Minimum", "SampleCount"]);

export function isBasicStat(stat: string): stat is MetricStat {
  return BASIC_STATS.has(stat);
}

/** "p99" -> 99, "p99.9" -> 99.9; undefined for anything that is not a percentile in (0, 100]. */
export function percentileOf(stat: string): number | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (!match) return undefined;
  const value = Number(match[1]);
  return value > 0 && value <= 100 ? value : undefined;
}

export function isMetricStatistic(stat: string): stat is MetricStatistic {
  return isBasicStat(stat) || percentileOf(stat) !== undefined;
}

/** Which series: namespace, metric name, the exact dimension set, and the statistic. */
export interface MetricSelector {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly stat: MetricStatistic;
}

/** The time window and bucket size; the window is start <= t < end. */
export interface MetricWindow {
  readonly periodSeconds: number;
  readonly start: Date;
  readonly end: Date;
}

export interface MetricQuery extends MetricSelector, MetricWindow {}

export interface MetricPoint {
  readonly at: Date;
  readonly value: number;
}

export interface MetricsPort {
  readonly describeTarget: string;
  /**
   * Datapoints of one metric over a window, sorted by time ascending, one per period bucket that
   * has data (buckets without data are left out). Empty when there are none. Any statistic,
   * percentiles included.
   */
  series(query: MetricQuery): Promise<MetricPoint[]>;
  /**
   * Several series over the same window in one round trip (CloudWatch GetMetricData), keyed as
   * the caller keyed the selectors. Each series is as `series()` would return it.
   */
  seriesBatch<K extends string>(
    window: MetricWindow,
    selectors: Readonly<Record<K, MetricSelector>>,
  ): Promise<Record<K, MetricPoint[]>>;
}

/**
 * `seriesBatch` done with one `series` call per selector: for simple fakes and adapters without a
 * batch API.
 */
export async function seriesBatchBySeries<K extends string>(
  series: (query: MetricQuery) => Promise<MetricPoint[]>,
  window: MetricWindow,
  selectors: Readonly<Record<K, MetricSelector>>,
): Promise<Record<K, MetricPoint[]>> {
  const entries = Object.entries(selectors) as [K, MetricSelector][];
  const results = await Promise.all(entries.map(([, selector]) => series({ ...selector, ...window })));
  const out = {} as Record<K, MetricPoint[]>;
  entries.forEach(([key], i) => {
    out[key] = results[i] ?? [];
  });
  return out;
}
