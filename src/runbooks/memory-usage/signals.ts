/** Pure: probe results -> the signals the memory diagnosis decides on, and the mitigation's numbers. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { PodInfo, PodUsage } from "../../ports/kubernetes.ts";
import type { MemorySignals } from "./diagnose.ts";
import {
  bufferUsageProbe,
  memoryTrendProbe,
  podsProbe,
  podUsageProbe,
  stateSizeProbe,
  type TaskmanagerBreakdown,
  taskmanagerMemoryProbe,
} from "./probes.ts";

export function heapFraction(m: TaskmanagerBreakdown): number | undefined {
  return m.heapUsedBytes !== null && m.heapMaxBytes ? m.heapUsedBytes / m.heapMaxBytes : undefined;
}

export function podMemoryFraction(p: PodUsage): number | undefined {
  return p.memoryLimitBytes ? p.memoryBytes / p.memoryLimitBytes : undefined;
}

function max(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : Math.max(...present);
}

export function memorySignals(results: ProbeResults, config: AppConfig): MemorySignals {
  const memory = read(results, memoryTrendProbe);
  const latest = memory === undefined ? undefined : latestOf(memory);
  const memoryTrend = memory === undefined ? undefined : trendOf(memory);
  const state = read(results, stateSizeProbe);
  const stateTrend = state === undefined ? undefined : trendOf(state);
  const stateLatest = state === undefined ? undefined : latestOf(state);
  const buffers = read(results, bufferUsageProbe);
  const buffer = buffers === undefined ? undefined : latestOf(buffers);
  const tms = read(results, taskmanagerMemoryProbe);
  const heap = max((tms ?? []).map(heapFraction));
  const pods = read(results, podUsageProbe);
  const podMemory = max((pods ?? []).map(podMemoryFraction));
  return {
    thresholdPercent: config.thresholds.memoryUsagePercent,
    ...(latest === undefined ? {} : { latestPercent: latest.value }),
    ...(memoryTrend === undefined
      ? {}
      : { memoryDirection: memoryTrend.direction, memoryPointsPerHour: memoryTrend.slopePerMinute * 60 }),
    ...(stateTrend === undefined
      ? {}
      : { stateDirection: stateTrend.direction, stateBytesPerHour: stateTrend.slopePerMinute * 60 }),
    ...(stateLatest === undefined ? {} : { latestStateBytes: stateLatest.value }),
    ...(buffer === undefined ? {} : { bufferPercent: buffer.value }),
    ...(heap === undefined ? {} : { maxHeapFraction: heap }),
    ...(podMemory === undefined ? {} : { maxPodMemoryFraction: podMemory }),
  };
}

/** Most memory a proposal may set per taskmanager (the seed doubles 8Gi to 16Gi). */
export const MAX_TASKMANAGER_MEMORY_BYTES = 32 * 2 ** 30;

/** A Kubernetes quantity: whole Gi when it divides, else Mi rounded up. */
export function formatQuantity(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}Gi`;
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

export interface ResourcePlan {
  readonly currentLimitBytes: number;
  readonly limitBytes: number;
  readonly requestBytes: number;
}

/**
 * The seed's `--limits memory=16Gi --requests memory=8Gi` from an 8Gi limit: the limit doubled (at
 * most 32Gi), the request at the old limit. Undefined when the limit is unknown or already at the cap.
 */
export function resourcePlan(pods: readonly PodUsage[] | undefined): ResourcePlan | undefined {
  const limits = (pods ?? []).map((p) => p.memoryLimitBytes).filter((l): l is number => l !== null && l > 0);
  if (limits.length === 0) return undefined;
  const current = Math.max(...limits);
  const limit = Math.min(current * 2, MAX_TASKMANAGER_MEMORY_BYTES);
  if (limit <= current) return undefined;
  return { currentLimitBytes: current, limitBytes: limit, requestBytes: current };
}

/** The taskmanager container: the one named like it, else the only one. */
export function taskmanagerContainer(pods: readonly PodInfo[] | undefined): string | undefined {
  const names = [...new Set((pods ?? []).flatMap((p) => p.containers.map((c) => c.name)))];
  return (
    names.find((n) => n === "taskmanager") ??
    names.find((n) => n.includes("taskmanager")) ??
    names.find((n) => n === "flink-main-container") ??
    (names.length === 1 ? names[0] : undefined)
  );
}

/** Pods whose last container run ended OOMKilled. */
export function oomKilledPods(pods: readonly PodInfo[] | undefined): string[] {
  return (pods ?? [])
    .filter((p) =>
      p.containers.some((c) => c.lastTerminationReason === "OOMKilled" || c.reason === "OOMKilled"),
    )
    .map((p) => p.name);
}

/** The pod using the most memory (the one to take a heap dump from). */
export function fullestPod(results: ProbeResults): string | undefined {
  const pods = read(results, podUsageProbe);
  if (pods !== undefined && pods.length > 0) {
    return [...pods].sort((a, b) => (podMemoryFraction(b) ?? 0) - (podMemoryFraction(a) ?? 0))[0]!.pod;
  }
  return read(results, podsProbe)?.[0]?.name;
}
