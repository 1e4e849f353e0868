/**
 * Every CloudWatch metric the runbooks read, as data: where it lives (namespace, metric name,
 * which dimensions select a series), the statistic and period the runbook reads it with, and what
 * it means. Keyed by a stable id, so a deployment whose job publishes under other names can
 * override namespace / metric / statistic per id (config), while runbooks keep saying
 * `metricSelector("recordsIn", ...)`.
 *
 * "pipeline" as namespace means the pipeline's own namespace (config `pipeline.metricsNamespace`,
 * default ecommerce-streaming); AWS service metrics name their namespace.
 */
import type { AppConfig } from "../config/schema.ts";
import type { MetricSelector, MetricStatistic } from "../ports/metrics.ts";

export type MetricUnit = "Count" | "Milliseconds" | "Percent" | "Bytes";

export interface MetricCatalogEntry {
  /** "pipeline" = the pipeline's namespace from config; otherwise the literal namespace. */
  readonly namespace: "pipeline" | "AWS/Firehose";
  readonly metric: string;
  /** Dimension names a caller must give values for; empty = the dimensionless series. */
  readonly dimensions: readonly string[];
  /** The statistic the seed's runbooks read it with. */
  readonly stat: MetricStatistic;
  /** The period the seed's runbooks read it with. */
  readonly periodSeconds: number;
  readonly unit: MetricUnit;
  /** What it means, in one line (shown next to evidence). */
  readonly what: string;
  /** Runbook ids reading it. */
  readonly runbooks: readonly string[];
}

export const DEFAULT_METRIC_CATALOG = {
  dlqRecordCount: {
    namespace: "pipeline",
    metric: "DLQRecordCount",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "records sent to the dead-letter queue",
    runbooks: ["dlq-spike"],
  },
  recordsIn: {
    namespace: "pipeline",
    metric: "RecordsIn",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "records the Flink job read",
    runbooks: ["consumer-lag", "window-completeness"],
  },
  recordsOut: {
    namespace: "pipeline",
    metric: "RecordsOut",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "records the Flink job wrote",
    runbooks: ["consumer-lag", "window-completeness", "firehose-delivery-failure"],
  },
  latencyP50: {
    namespace: "pipeline",
    metric: "LatencyP50",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Milliseconds",
    what: "median end-to-end processing latency",
    runbooks: ["latency-slo-breach"],
  },
  latencyP95: {
    namespace: "pipeline",
    metric: "LatencyP95",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Milliseconds",
    what: "95th percentile processing latency",
    runbooks: ["latency-slo-breach"],
  },
  latencyP99: {
    namespace: "pipeline",
    metric: "LatencyP99",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Milliseconds",
    what: "99th percentile processing latency (SLO: under 5 s)",
    runbooks: ["latency-slo-breach", "checkpoint-duration"],
  },
  windowCompleteness: {
    namespace: "pipeline",
    metric: "WindowCompleteness",
    dimensions: [],
    stat: "Average",
    periodSeconds: 300,
    unit: "Percent",
    what: "share of a window's records that made it into its aggregate",
    runbooks: ["window-completeness"],
  },
  windowCompletenessByWindow: {
    namespace: "pipeline",
    metric: "WindowCompleteness",
    dimensions: ["window_id"],
    stat: "Average",
    periodSeconds: 60,
    unit: "Percent",
    what: "completeness of one window (window_id dimension)",
    runbooks: ["window-completeness"],
  },
  watermarkLagMs: {
    namespace: "pipeline",
    metric: "WatermarkLagMs",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Milliseconds",
    what: "how far the event-time watermark trails wall-clock time",
    runbooks: ["consumer-lag", "window-completeness"],
  },
  memoryUsagePercentage: {
    namespace: "pipeline",
    metric: "memory_usage_percentage",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Percent",
    what: "taskmanager memory use",
    runbooks: ["memory-usage"],
  },
  stateBackendUsedBytes: {
    namespace: "pipeline",
    metric: "StateBackendUsedBytes",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Bytes",
    what: "size of the RocksDB state backend",
    runbooks: ["memory-usage", "checkpoint-duration"],
  },
  stateBackendReadCount: {
    namespace: "pipeline",
    metric: "StateBackendReadCount",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "reads from the state backend",
    runbooks: ["window-completeness"],
  },
  checkpointDurationMs: {
    namespace: "pipeline",
    metric: "checkpoint_duration_ms",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Milliseconds",
    what: "time a checkpoint takes (alert above 30 s)",
    runbooks: ["checkpoint-duration"],
  },
  taskBufferOutPoolUsage: {
    namespace: "pipeline",
    metric: "task_buffer_out_pool_usage_percentage",
    dimensions: [],
    stat: "Average",
    periodSeconds: 60,
    unit: "Percent",
    what: "output network buffer use (above 80% = backpressure)",
    runbooks: ["memory-usage"],
  },
  windowEmitCount: {
    namespace: "pipeline",
    metric: "window_emit_count",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 300,
    unit: "Count",
    what: "windows emitted (one every 5 minutes expected)",
    runbooks: ["consumer-lag"],
  },
  firehoseDeliveryRecords: {
    namespace: "AWS/Firehose",
    metric: "DeliveryToS3.Records",
    dimensions: ["DeliveryStreamName"],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "records Firehose delivered to S3",
    runbooks: ["firehose-delivery-failure", "consumer-lag"],
  },
  firehoseDeliverySuccess: {
    namespace: "AWS/Firehose",
    metric: "DeliveryToS3.Success",
    dimensions: ["DeliveryStreamName"],
    stat: "Sum",
    periodSeconds: 60,
    unit: "Count",
    what: "successful S3 puts over all S3 puts (1 per successful put)",
    runbooks: ["firehose-delivery-failure"],
  },
} as const satisfies Record<string, MetricCatalogEntry>;

export type MetricId = keyof typeof DEFAULT_METRIC_CATALOG;

export const METRIC_IDS = Object.keys(DEFAULT_METRIC_CATALOG) as MetricId[];

/** What a deployment may change per metric id (config). */
export interface MetricOverride {
  readonly namespace?: string | undefined;
  readonly metric?: string | undefined;
  readonly stat?: MetricStatistic | undefined;
}

export interface MetricResolveOptions {
  /** The pipeline's namespace, e.g. ecommerce-streaming. */
  readonly pipelineNamespace: string;
  readonly overrides?: Partial<Readonly<Record<MetricId, MetricOverride>>>;
}

/** The resolve options of a deployment: its pipeline namespace and its `metrics` overrides. */
export function metricOptionsFor(config: AppConfig): MetricResolveOptions {
  return { pipelineNamespace: config.pipeline.metricsNamespace, overrides: config.metrics };
}

/** The catalogue entry with overrides applied and "pipeline" resolved to a namespace. */
export function resolveMetric(
  id: MetricId,
  options: MetricResolveOptions,
): Omit<MetricCatalogEntry, "namespace"> & { readonly namespace: string } {
  const entry: MetricCatalogEntry = DEFAULT_METRIC_CATALOG[id];
  const override = options.overrides?.[id] ?? {};
  return {
    ...entry,
    namespace:
      override.namespace ?? (entry.namespace === "pipeline" ? options.pipelineNamespace : entry.namespace),
    metric: override.metric ?? entry.metric,
    stat: override.stat ?? entry.stat,
  };
}

/**
 * The selector for a catalogued metric. Every dimension the entry names must be given (e.g.
 * DeliveryStreamName for the Firehose metrics); extra ones are refused, since CloudWatch selects
 * series by their exact dimension set.
 */
export function metricSelector(
  id: MetricId,
  options: MetricResolveOptions,
  dimensionValues: Readonly<Record<string, string>> = {},
  stat?: MetricStatistic,
): MetricSelector {
  const entry = resolveMetric(id, options);
  const wanted = new Set(entry.dimensions);
  for (const name of Object.keys(dimensionValues)) {
    if (!wanted.has(name)) throw new Error(`metric ${id} (${entry.metric}) has no dimension ${name}`);
  }
  const missing = entry.dimensions.filter((name) => dimensionValues[name] === undefined);
  if (missing.length > 0)
    throw new Error(`metric ${id} (${entry.metric}) needs dimension ${missing.join(", ")}`);
  return {
    namespace: entry.namespace,
    metric: entry.metric,
    ...(entry.dimensions.length > 0 ? { dimensions: { ...dimensionValues } } : {}),
    stat: stat ?? entry.stat,
  };
}
