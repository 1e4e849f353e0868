/**
 * The deciding logic of the latency-slo-breach runbook, pure: signals in, likely cause out.
 *
 * The causes are the seed's branches: Step 3 drills into the slow operator (enrichment: API
 * latency, cache hit rate, slow calls concentrated on a few customers), Step 4 fixes a slow
 * enrichment API, a slow Firehose, or backpressure (task manager full). Added: p99 already back
 * under the SLO, backpressure that is not CPU-bound, a slow operator the seed has no fix for.
 */

export type LatencyCause =
  | "below-threshold"
  | "enrichment-customer-hotspot"
  | "enrichment-cache-miss"
  | "enrichment-api-slow"
  | "enrichment"
  | "firehose-slow"
  | "backpressure-cpu"
  | "backpressure"
  | "operator-slow"
  | "unknown";

/** The seed's own numbers (Step 3 and the memory runbook's buffer rule). */
export const LATENCY_RULES = {
  /** "API latency is high (>1000ms)?" */
  apiLatencyHighMs: 1000,
  /** "Cache hit rate is low (<80%)?" */
  cacheHitLow: 0.8,
  /** Slow calls "all same customer": the top 3 customer_ids hold at least this share... */
  hotspotShare: 0.6,
  /** ...of at least this many slow samples. */
  hotspotMinSamples: 5,
  /** The slow-call bar of the seed's sample query (enrichment_api_latency > 2000). */
  slowCallMs: 2000,
  /** task_buffer_out_pool_usage_percentage above this = buffers full = downstream slow. */
  bufferFullPercent: 80,
  /** Firehose deliveries of the last 3 minutes under this fraction of the earlier average = falling. */
  firehoseDropRatio: 0.7,
} as const;

export interface OperatorLatency {
  readonly operator: string;
  readonly avgMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export interface LatencySignals {
  readonly thresholdMs: number;
  /** Latest LatencyP99 (ms). */
  readonly p99Ms?: number;
  /** Operators by p99, slowest first. */
  readonly operators?: readonly OperatorLatency[];
  /** Enrichment API latency, average of the last minutes (ms). */
  readonly enrichmentApiLatencyMs?: number;
  /** Enrichment cache hit rate of the last minutes, 0..1. */
  readonly enrichmentCacheHitRate?: number;
  /** Slow enrichment calls sampled (enrichment_api_latency > 2000). */
  readonly slowCallCount?: number;
  /** Share of the top 3 customer_ids among the sampled slow calls, 0..1. */
  readonly topCustomerShare?: number;
  /** Recent DeliveryToS3.Records as a fraction of the earlier level (1 = steady). */
  readonly firehoseRecentRatio?: number;
  /** Flink vertices whose back pressure is high. */
  readonly backpressuredVertices?: readonly string[];
  /** Latest task_buffer_out_pool_usage_percentage. */
  readonly bufferOutPoolPercent?: number;
  /** Highest taskmanager CPU as a fraction of its limit. */
  readonly maxCpuFraction?: number;
  readonly cpuThreshold: number;
}

export interface LatencyDiagnosis {
  readonly cause: LatencyCause;
  /** Why, in one sentence with the numbers. */
  readonly because: string;
  /** Other branches whose signals are present too (the conclusion is less sure). */
  readonly alsoSeen: readonly LatencyCause[];
}

export function slowestOperator(s: LatencySignals): OperatorLatency | undefined {
  return s.operators?.[0];
}

export function isHotspot(s: LatencySignals): boolean {
  return (
    s.slowCallCount !== undefined &&
    s.slowCallCount >= LATENCY_RULES.hotspotMinSamples &&
    s.topCustomerShare !== undefined &&
    s.topCustomerShare >= LATENCY_RULES.hotspotShare
  );
}

export function isCacheLow(s: LatencySignals): boolean {
  return s.enrichmentCacheHitRate !== undefined && s.enrichmentCacheHitRate < LATENCY_RULES.cacheHitLow;
}

export function isApiSlow(s: LatencySignals): boolean {
  return s.enrichmentApiLatencyMs !== undefined && s.enrichmentApiLatencyMs > LATENCY_RULES.apiLatencyHighMs;
}

export function isFirehoseFalling(s: LatencySignals): boolean {
  return s.firehoseRecentRatio !== undefined && s.firehoseRecentRatio < LATENCY_RULES.firehoseDropRatio;
}

export function isBackpressured(s: LatencySignals): boolean {
  return (
    (s.backpressuredVertices?.length ?? 0) > 0 ||
    (s.bufferOutPoolPercent !== undefined && s.bufferOutPoolPercent > LATENCY_RULES.bufferFullPercent)
  );
}

export function isCpuBound(s: LatencySignals): boolean {
  return s.maxCpuFraction !== undefined && s.maxCpuFraction >= s.cpuThreshold;
}

export function diagnoseLatency(s: LatencySignals): LatencyDiagnosis {
  const slow = slowestOperator(s);
  const enrichmentSlowest = slow?.operator === "enrichment";
  const firehoseSlowest = slow?.operator === "firehose_delay";
  const enrichmentSignals = enrichmentSlowest && (isHotspot(s) || isCacheLow(s) || isApiSlow(s));
  const firehoseSignals = firehoseSlowest || isFirehoseFalling(s);
  const d = (cause: LatencyCause, because: string, alsoSeen: LatencyCause[] = []): LatencyDiagnosis => ({
    cause,
    because,
    alsoSeen,
  });
  const slowText = slow ? `${slow.operator} is the slowest operator (p99 ${ms(slow.p99Ms)})` : "";

  if (s.p99Ms !== undefined && s.p99Ms <= s.thresholdMs) {
    return d(
      "below-threshold",
      `p99 latency is ${seconds(s.p99Ms)}, at or under the ${seconds(s.thresholdMs)} SLO`,
    );
  }
  if (enrichmentSignals) {
    const also: LatencyCause[] = firehoseSignals ? ["firehose-slow"] : [];
    if (isHotspot(s)) {
      return d(
        "enrichment-customer-hotspot",
        `${slowText}; ${Math.round((s.topCustomerShare ?? 0) * 100)}% of ${s.slowCallCount} slow enrichment calls (> ${LATENCY_RULES.slowCallMs} ms) are for 3 customers: the customer service is slow for them`,
        also,
      );
    }
    if (isCacheLow(s)) {
      return d(
        "enrichment-cache-miss",
        `${slowText}; the enrichment cache hit rate is ${pct(s.enrichmentCacheHitRate ?? 0)} (under ${pct(LATENCY_RULES.cacheHitLow)}), so most orders call the API${isApiSlow(s) ? ` (${ms(s.enrichmentApiLatencyMs ?? 0)} per call)` : ""}`,
        also,
      );
    }
    return d(
      "enrichment-api-slow",
      `${slowText}; the enrichment API averages ${ms(s.enrichmentApiLatencyMs ?? 0)} per call (over ${LATENCY_RULES.apiLatencyHighMs} ms) with the cache hit rate at ${s.enrichmentCacheHitRate === undefined ? "an unknown level" : pct(s.enrichmentCacheHitRate)}`,
      also,
    );
  }
  if (firehoseSignals) {
    const parts = [
      firehoseSlowest ? slowText : "",
      isFirehoseFalling(s)
        ? `Firehose delivered ${pct(s.firehoseRecentRatio ?? 0)} of its earlier rate to S3 in the last minutes`
        : "",
    ].filter(Boolean);
    return d("firehose-slow", parts.join("; "));
  }
  if (isBackpressured(s)) {
    const parts = [
      (s.backpressuredVertices?.length ?? 0) > 0
        ? `back pressure is high on ${s.backpressuredVertices!.join(", ")}`
        : "",
      s.bufferOutPoolPercent !== undefined && s.bufferOutPoolPercent > LATENCY_RULES.bufferFullPercent
        ? `output buffers are ${Math.round(s.bufferOutPoolPercent)}% full`
        : "",
    ].filter(Boolean);
    if (isCpuBound(s)) {
      return d(
        "backpressure-cpu",
        `${parts.join(" and ")}, and a taskmanager runs at ${pct(s.maxCpuFraction ?? 0)} CPU: the task managers are full`,
      );
    }
    return d(
      "backpressure",
      `${parts.join(" and ")}, while ${s.maxCpuFraction === undefined ? "taskmanager CPU is unknown" : `taskmanager CPU peaks at ${pct(s.maxCpuFraction)}`}: something downstream is slow`,
    );
  }
  if (enrichmentSlowest) {
    return d(
      "enrichment",
      `${slowText}, but its API latency (${s.enrichmentApiLatencyMs === undefined ? "unknown" : ms(s.enrichmentApiLatencyMs)}) and cache hit rate (${s.enrichmentCacheHitRate === undefined ? "unknown" : pct(s.enrichmentCacheHitRate)}) do not explain it`,
    );
  }
  if (slow) {
    return d("operator-slow", `${slowText}; the seed has no specific fix for it`);
  }
  return d("unknown", "the configured sources do not single out a slow operator");
}

export function ms(n: number): string {
  return n >= 1000 ? seconds(n) : `${Math.round(n)} ms`;
}

export function seconds(n: number): string {
  return `${(n / 1000).toFixed(n % 1000 === 0 ? 0 : 1)} s`;
}

export function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
