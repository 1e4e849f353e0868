/** Pure: probe results -> the signals the latency diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { averageOf, latestOf } from "../../core/metric-math.ts";
import { type Probe, type ProbeResults, read } from "../../core/runbook.ts";
import type { PodUsage } from "../../ports/kubernetes.ts";
import type { LogRow } from "../../ports/logs.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { podUsageProbe } from "../taskmanager-probes.ts";
import type { LatencySignals, OperatorLatency } from "./diagnose.ts";
import {
  backpressureProbe,
  bufferUsageProbe,
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  type LogQueryAnswer,
  operatorLatencyProbe,
  percentilesProbe,
  slowEnrichmentProbe,
} from "./probes.ts";

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Rows of the per-operator query, slowest (by p99) first; rows without numbers are left out. */
export function parseOperators(rows: readonly LogRow[]): OperatorLatency[] {
  const out: OperatorLatency[] = [];
  for (const row of rows) {
    const operator = row.operator;
    const avgMs = num(row.avg);
    const p95Ms = num(row.p95);
    const p99Ms = num(row.p99);
    if (!operator || avgMs === undefined || p95Ms === undefined || p99Ms === undefined) continue;
    out.push({ operator, avgMs, p95Ms, p99Ms });
  }
  return out.sort((a, b) => b.p99Ms - a.p99Ms);
}

export interface EnrichmentMinute {
  readonly bin: string;
  readonly apiLatencyMs: number | undefined;
  /** 0..1 */
  readonly cacheHitRate: number | undefined;
}

/** A hit rate as 0..1 (Logs Insights averages 0/1 flags; a 0..100 percentage is accepted too). */
function rate(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value > 1 ? value / 100 : value;
}

export function parseEnrichmentMinutes(rows: readonly LogRow[]): EnrichmentMinute[] {
  return rows
    .map((row) => ({
      bin: row["bin(1m)"] ?? "",
      apiLatencyMs: num(row.api_latency),
      cacheHitRate: rate(num(row.cache_hit_rate)),
    }))
    .sort((a, b) => a.bin.localeCompare(b.bin));
}

/** How many minutes at the end the "now" values average over. */
export const RECENT_MINUTES = 3;

function recentMean(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined).slice(-RECENT_MINUTES);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0) / present.length;
}

export interface CustomerCount {
  readonly customer: string;
  readonly calls: number;
}

/** Slow calls per customer_id, most first. */
export function slowCallsByCustomer(rows: readonly LogRow[]): CustomerCount[] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const customer = row.customer_id ?? "(none)";
    counts.set(customer, (counts.get(customer) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([customer, calls]) => ({ customer, calls }))
    .sort((a, b) => b.calls - a.calls || a.customer.localeCompare(b.customer));
}

/** Share of the top 3 customers among the slow calls; undefined without calls. */
export function topCustomerShare(rows: readonly LogRow[]): number | undefined {
  if (rows.length === 0) return undefined;
  const top = slowCallsByCustomer(rows)
    .slice(0, 3)
    .reduce((a, c) => a + c.calls, 0);
  return top / rows.length;
}

/**
 * The last 3 minutes of deliveries against the average of the minutes before them; undefined with
 * fewer than 6 minutes of data or no earlier deliveries.
 */
export function recentDeliveryRatio(points: readonly MetricPoint[]): number | undefined {
  if (points.length < 6) return undefined;
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  const earlier = averageOf(sorted.slice(0, -3));
  const recent = averageOf(sorted.slice(-3));
  if (earlier === undefined || recent === undefined || earlier <= 0) return undefined;
  return recent / earlier;
}

export function cpuFraction(pod: PodUsage): number | undefined {
  return pod.cpuLimitMillicores ? pod.cpuMillicores / pod.cpuLimitMillicores : undefined;
}

function rowsOf(results: ProbeResults, p: Probe<LogQueryAnswer>): readonly LogRow[] | undefined {
  return read(results, p)?.result.rows;
}

export function latencySignals(results: ProbeResults, config: AppConfig): LatencySignals {
  const percentiles = read(results, percentilesProbe);
  const p99 = percentiles === undefined ? undefined : latestOf(percentiles.p99);
  const operatorRows = rowsOf(results, operatorLatencyProbe);
  const operators = operatorRows === undefined ? undefined : parseOperators(operatorRows);
  const enrichmentRows = rowsOf(results, enrichmentLatencyProbe);
  const minutes = enrichmentRows === undefined ? [] : parseEnrichmentMinutes(enrichmentRows);
  const apiLatency = recentMean(minutes.map((m) => m.apiLatencyMs));
  const cacheHit = recentMean(minutes.map((m) => m.cacheHitRate));
  const slowRows = rowsOf(results, slowEnrichmentProbe);
  const share = slowRows === undefined ? undefined : topCustomerShare(slowRows);
  const firehose = read(results, firehoseDeliveryProbe);
  const firehoseRatio = firehose === undefined ? undefined : recentDeliveryRatio(firehose);
  const bp = read(results, backpressureProbe);
  const buffers = read(results, bufferUsageProbe);
  const buffer = buffers === undefined ? undefined : latestOf(buffers);
  const pods = read(results, podUsageProbe);
  const cpus = (pods ?? []).map(cpuFraction).filter((c): c is number => c !== undefined);
  return {
    thresholdMs: config.thresholds.latencyP99Seconds * 1000,
    cpuThreshold: config.runbooks.resourcePressurePercent / 100,
    ...(p99 === undefined ? {} : { p99Ms: p99.value }),
    ...(operators === undefined || operators.length === 0 ? {} : { operators }),
    ...(apiLatency === undefined ? {} : { enrichmentApiLatencyMs: apiLatency }),
    ...(cacheHit === undefined ? {} : { enrichmentCacheHitRate: cacheHit }),
    ...(slowRows === undefined ? {} : { slowCallCount: slowRows.length }),
    ...(share === undefined ? {} : { topCustomerShare: share }),
    ...(firehoseRatio === undefined ? {} : { firehoseRecentRatio: firehoseRatio }),
    ...(bp === undefined
      ? {}
      : { backpressuredVertices: bp.vertices.filter((v) => v.level === "high").map((v) => v.name) }),
    ...(buffer === undefined ? {} : { bufferOutPoolPercent: buffer.value }),
    ...(cpus.length === 0 ? {} : { maxCpuFraction: Math.max(...cpus) }),
  };
}
