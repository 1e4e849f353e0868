/**
 * CloudWatch metrics in the sandbox, following the consumer-lag scenario: orders arrive faster
 * than four CPU-bound taskmanagers process them, so RecordsOut (and Firehose's delivered records)
 * trail RecordsIn; latency is high but under the 5 s SLO and falls once the job is scaled; DLQ,
 * memory, checkpoints, state and buffers are normal.
 *
 * Each metric is modelled as samples published every minute (counters once, gauges six times),
 * around a level with a spread, so every statistic is consistent with every other, as CloudWatch's
 * are: Sum = Average x SampleCount, Minimum <= p50 <= p99 <= Maximum (values spread evenly between
 * Minimum and Maximum). Buckets are aligned to the period; the window is start <= t < end; a
 * metric or dimension set outside the story has no data (an empty series), as in CloudWatch.
 */
import {
  isBasicStat,
  type MetricPoint,
  type MetricQuery,
  type MetricSelector,
  type MetricsPort,
  type MetricWindow,
  percentileOf,
} from "../../ports/metrics.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

export interface SimulatedMetricsOptions {
  /** The pipeline's namespace; without it any namespace other than AWS/... counts as the pipeline's. */
  readonly namespace?: string;
  /** The Firehose stream of the story. Default order-firehose. */
  readonly deliveryStream?: string;
}

interface Model {
  /** Samples published per minute. */
  readonly perMinute: number;
  /** Level of bucket i (i counts buckets from the window's first). */
  readonly level: (i: number) => number;
  /** Half-width of the spread of samples around the level, as a fraction of it. */
  readonly spread: number;
}

export class SimulatedMetrics implements MetricsPort {
  readonly describeTarget = "simulated CloudWatch (sandbox)";
  constructor(
    private readonly scenario: ConsumerLagScenario,
    private readonly options: SimulatedMetricsOptions = {},
  ) {}

  private model(selector: MetricSelector): Model | undefined {
    const dims = selector.dimensions ?? {};
    const dimNames = Object.keys(dims).sort().join(",");
    const stream = this.options.deliveryStream ?? "order-firehose";
    if (selector.namespace === "AWS/Firehose") {
      if (dimNames !== "DeliveryStreamName" || dims.DeliveryStreamName !== stream) return undefined;
    } else if (selector.namespace.startsWith("AWS/")) {
      return undefined;
    } else if (this.options.namespace !== undefined && selector.namespace !== this.options.namespace) {
      return undefined;
    } else if (dimNames !== "" && !(selector.metric === "WindowCompleteness" && dimNames === "window_id")) {
      return undefined;
    }
    const s = this.scenario;
    const perMinuteIn = s.arrivalPerSecond * 60;
    const perMinuteOut = Math.min(perMinuteIn, s.processingPerSecond() * 60);
    // How hard the taskmanagers work drives latency: 0.97 while lagging, about 0.6 once scaled.
    const load = s.cpuFraction() / 0.97;
    const counter = (level: (i: number) => number): Model => ({ perMinute: 1, level, spread: 0 });
    const gauge = (level: (i: number) => number, spread = 0.1): Model => ({ perMinute: 6, level, spread });
    if (selector.namespace === "AWS/Firehose") {
      switch (selector.metric) {
        case "DeliveryToS3.Records":
          return counter((i) => perMinuteOut + ((i * 53) % 7) * 100);
        case "DeliveryToS3.Success":
          return counter(() => 1);
        default:
          return undefined;
      }
    }
    switch (selector.metric) {
      case "RecordsIn":
        return counter((i) => perMinuteIn + ((i * 37) % 11) * 100);
      case "RecordsOut":
        return counter((i) => perMinuteOut + ((i * 53) % 7) * 100);
      case "StateBackendReadCount":
        return counter((i) => perMinuteOut + ((i * 53) % 7) * 100);
      case "DLQRecordCount":
        return counter((i) => 2 + (i % 3));
      case "window_emit_count":
        return counter(() => 12);
      case "WatermarkLagMs":
        return gauge((i) => 1800 + ((i * 29) % 5) * 100, 0.05);
      case "LatencyP50":
        return gauge((i) => Math.round(450 * load) + ((i * 7) % 3) * 10);
      case "LatencyP95":
        return gauge((i) => Math.round(1600 * load) + ((i * 11) % 4) * 25);
      case "LatencyP99":
        return gauge((i) => Math.round(3300 * load) + ((i * 13) % 5) * 40);
      case "WindowCompleteness":
        return gauge((i) => 99.2 + ((i * 3) % 4) * 0.1, 0.005);
      case "memory_usage_percentage":
        return gauge((i) => 71 + ((i * 5) % 3), 0.02);
      case "StateBackendUsedBytes":
        return gauge((i) => 1_200_000_000 + ((i * 17) % 5) * 2_000_000, 0.01);
      case "checkpoint_duration_ms":
        return gauge((i) => 6000 + ((i * 19) % 6) * 150);
      case "task_buffer_out_pool_usage_percentage":
        return gauge((i) => 35 + ((i * 23) % 4) * 2);
      default:
        return undefined;
    }
  }

  private points(window: MetricWindow, selector: MetricSelector): MetricPoint[] {
    if (window.start.getTime() >= window.end.getTime()) {
      // CloudWatch's answer to the same window (InvalidParameterValue).
      throw new Error("The parameter StartTime must be less than the parameter EndTime.");
    }
    const percentile = percentileOf(selector.stat);
    if (!isBasicStat(selector.stat) && percentile === undefined) {
      throw new Error(`"${selector.stat}" is not a statistic`);
    }
    const model = this.model(selector);
    if (model === undefined) return [];
    const points: MetricPoint[] = [];
    const step = window.periodSeconds * 1000;
    const samples = Math.max(1, Math.round((model.perMinute * window.periodSeconds) / 60));
    const first = Math.ceil(window.start.getTime() / step) * step;
    for (let t = first, i = 0; t < window.end.getTime(); t += step, i++) {
      const level = model.level(i);
      const half = samples === 1 ? 0 : level * model.spread;
      const min = level - half;
      const max = level + half;
      let value: number;
      switch (selector.stat) {
        case "Sum":
          value = level * samples;
          break;
        case "Average":
          value = level;
          break;
        case "Minimum":
          value = min;
          break;
        case "Maximum":
          value = max;
          break;
        case "SampleCount":
          value = samples;
          break;
        default:
          value = min + ((max - min) * (percentile ?? 50)) / 100;
      }
      points.push({ at: new Date(t), value });
    }
    return points;
  }

  async series(q: MetricQuery): Promise<MetricPoint[]> {
    return this.points(q, q);
  }

  async seriesBatch<K extends string>(
    window: MetricWindow,
    selectors: Readonly<Record<K, MetricSelector>>,
  ): Promise<Record<K, MetricPoint[]>> {
    const result = {} as Record<K, MetricPoint[]>;
    for (const [key, selector] of Object.entries(selectors) as [K, MetricSelector][]) {
      result[key] = this.points(window, selector);
    }
    return result;
  }
}
