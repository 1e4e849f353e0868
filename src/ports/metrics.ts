/** CloudWatch-style metrics, in our words. */

export type MetricStat = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";

export interface MetricQuery {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly stat: MetricStat;
  readonly periodSeconds: number;
  readonly start: Date;
  readonly end: Date;
}

export interface MetricPoint {
  readonly at: Date;
  readonly value: number;
}

export interface MetricsPort {
  readonly describeTarget: string;
  /** Datapoints of one metric over a window, sorted by time ascending. Empty when there are none. */
  series(query: MetricQuery): Promise<MetricPoint[]>;
}
