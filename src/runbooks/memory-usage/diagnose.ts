/**
 * The deciding logic of the memory-usage runbook, pure: signals in, likely cause out.
 *
 * The causes are the seed's Step 2/3 branches: A. JVM heap growing (leak), B. state backend
 * growing (state not cleared), C. buffers full (backpressure), and Step 1's "stable at 85% =
 * temporary spike"; added: memory already back under the threshold, and nothing to go on.
 */
import type { TrendDirection } from "../../core/metric-math.ts";

export type MemoryCause =
  | "below-threshold"
  | "state-growth"
  | "backpressure-buffers"
  | "heap-leak"
  | "spike"
  | "unknown";

export const MEMORY_RULES = {
  /** task_buffer_out_pool_usage_percentage above this = buffers full = downstream slow (seed). */
  bufferFullPercent: 80,
  /** Heap used / max at or above this supports "the JVM heap is what grows". */
  heapHighFraction: 0.85,
  /** The seed's OOMKill line: at 95% a taskmanager is killed. */
  oomPercent: 95,
  /** A stable level at or above this still gets more memory offered (close to the OOM line). */
  nearOomPercent: 90,
} as const;

export interface MemorySignals {
  readonly thresholdPercent: number;
  /** Latest memory_usage_percentage. */
  readonly latestPercent?: number;
  readonly memoryDirection?: TrendDirection;
  /** Least-squares change of memory_usage_percentage, in points per hour. */
  readonly memoryPointsPerHour?: number;
  readonly stateDirection?: TrendDirection;
  /** Least-squares change of StateBackendUsedBytes per hour. */
  readonly stateBytesPerHour?: number;
  readonly latestStateBytes?: number;
  /** Latest task_buffer_out_pool_usage_percentage. */
  readonly bufferPercent?: number;
  /** Highest heap used / heap max over the taskmanagers (Flink metrics). */
  readonly maxHeapFraction?: number;
  /** Highest pod memory / limit (metrics.k8s.io). */
  readonly maxPodMemoryFraction?: number;
}

export interface MemoryDiagnosis {
  readonly cause: MemoryCause;
  readonly because: string;
  /** Other branches whose signals are present too. */
  readonly alsoSeen: readonly MemoryCause[];
}

export function buffersFull(s: MemorySignals): boolean {
  return s.bufferPercent !== undefined && s.bufferPercent > MEMORY_RULES.bufferFullPercent;
}

export function stateGrowing(s: MemorySignals): boolean {
  return s.stateDirection === "rising";
}

export function memoryGrowing(s: MemorySignals): boolean {
  return s.memoryDirection === "rising";
}

export function diagnoseMemory(s: MemorySignals): MemoryDiagnosis {
  const d = (cause: MemoryCause, because: string, alsoSeen: MemoryCause[] = []): MemoryDiagnosis => ({
    cause,
    because,
    alsoSeen,
  });
  const level = s.latestPercent === undefined ? "memory use unknown" : `memory at ${fmtPct(s.latestPercent)}`;
  const growth =
    s.memoryPointsPerHour === undefined ? "" : ` (${perHour(s.memoryPointsPerHour)} points/hour)`;

  if (s.latestPercent !== undefined && s.latestPercent <= s.thresholdPercent && !memoryGrowing(s)) {
    return d(
      "below-threshold",
      `${level} is at or under the ${fmtPct(s.thresholdPercent)} threshold and not growing`,
    );
  }
  if (stateGrowing(s)) {
    return d(
      "state-growth",
      `the state backend grows by ${fmtBytes(s.stateBytesPerHour ?? 0)}/hour (now ${fmtBytes(s.latestStateBytes ?? 0)}) with ${level}${growth}: state is not being cleared`,
      buffersFull(s) ? ["backpressure-buffers"] : [],
    );
  }
  if (buffersFull(s)) {
    return d(
      "backpressure-buffers",
      `output buffers are ${fmtPct(s.bufferPercent ?? 0)} full (over ${MEMORY_RULES.bufferFullPercent}%) with ${level}: downstream is slow and records queue in network buffers`,
      memoryGrowing(s) ? ["heap-leak"] : [],
    );
  }
  if (memoryGrowing(s)) {
    const heap =
      s.maxHeapFraction === undefined
        ? ""
        : `; JVM heap ${fmtPct(s.maxHeapFraction * 100)} used on the fullest taskmanager`;
    return d(
      "heap-leak",
      `${level} and growing${growth} while the state backend and buffers are steady${heap}: a memory leak`,
    );
  }
  if (s.memoryDirection !== undefined) {
    return d(
      "spike",
      `${level} and ${s.memoryDirection === "flat" ? "stable" : "falling"}${growth} over the hour, state and buffers steady: a temporary spike to monitor`,
    );
  }
  return d("unknown", "the memory trend could not be read, and neither state nor buffers point to a cause");
}

/** A signed change to one decimal: "+28.2", "-3.0", "±0". */
export function perHour(n: number): string {
  const r = Math.round(n * 10) / 10;
  return r === 0 ? "±0" : `${r > 0 ? "+" : ""}${r.toFixed(1)}`;
}

export function fmtPct(percent: number): string {
  return `${Math.round(percent)}%`;
}

export function fmtBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (abs >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
