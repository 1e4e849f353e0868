/**
 * Drill scenarios of the memory-usage runbook: one per branch (the seed's A heap leak, B state
 * growing, C buffers full, "stable at 85%" spike, and the edges: under the threshold, no trend).
 */
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import { overridePorts, type SeriesScript, scriptedMetrics } from "./override-ports.ts";

const GI = 2 ** 30;

/** The healthy world with some metrics scripted by name. */
function withMetrics(clock: Clock, scripts: Readonly<Record<string, SeriesScript>>): Ports {
  const ports = healthyPlatform(clock).ports;
  return overridePorts(ports, { metrics: scriptedMetrics(ports.metrics!, scripts) });
}

/** 60% an hour ago, 88% now: the seed's example trend. */
const growing: SeriesScript = (i) => Math.round((88 - i * 0.47) * 10) / 10;
/** Around 86-87% all hour. */
const stableHigh: SeriesScript = (i) => 86 + (i % 3) * 0.5;

/** Pods at `fraction` of their limit (a growing heap shows in the pod's working set too). */
function podsAt(ports: Ports, fraction: number): Partial<NonNullable<Ports["kubernetes"]>> {
  return {
    podUsage: async (namespace, selector) =>
      (await ports.kubernetes!.podUsage(namespace, selector)).map((p, i) => ({
        ...p,
        memoryBytes: Math.round((p.memoryLimitBytes ?? 8 * GI) * (fraction - (i % 2) * 0.02)),
      })),
  };
}

export const memoryUsageDrills: readonly DrillScenario[] = [
  {
    id: "memory-usage/below-threshold",
    runbook: "memory-usage",
    title: "Memory back under 85%",
    story: "Taskmanagers sit at 71-73% all hour; the alert fired on a GC lag.",
    build: (clock) => healthyPlatform(clock).ports,
    expect: { cause: "below-threshold", severity: "ok", proposes: [] },
  },
  {
    id: "memory-usage/heap-leak",
    runbook: "memory-usage",
    title: "JVM heap leak",
    story:
      "A local customer cache without TTL: memory climbs from 60% to 88% in an hour, the heap is 94% full, state and buffers are steady.",
    build: (clock) => {
      const ports = withMetrics(clock, { memory_usage_percentage: growing });
      return overridePorts(ports, {
        flink: {
          taskmanagerMemory: async () =>
            (await ports.flink!.taskmanagerMemory()).map((m, i) => ({
              ...m,
              heapUsedBytes: Math.round((m.heapMaxBytes ?? 4 * GI) * (0.94 - (i % 3) * 0.01)),
            })),
        },
        kubernetes: podsAt(ports, 0.9),
      });
    },
    expect: {
      cause: "heap-leak",
      severity: "critical",
      proposes: ["set-taskmanager-resources", "restart-taskmanagers"],
    },
  },
  {
    id: "memory-usage/state-growth",
    runbook: "memory-usage",
    title: "State backend growing",
    story:
      "A window trigger was dropped in the last deploy: windows never emit, RocksDB state grows from 1.2 GB to 4.8 GB in an hour and memory follows.",
    build: (clock) => {
      const ports = withMetrics(clock, {
        memory_usage_percentage: growing,
        StateBackendUsedBytes: (i) => 4_800_000_000 - i * 60_000_000,
      });
      return overridePorts(ports, {
        kubernetes: {
          ...podsAt(ports, 0.88),
          podLogs: async (namespace, selector, query) =>
            (await ports.kubernetes!.podLogs(namespace, selector, query)).map((log) =>
              query?.grep === "window emitted" ? { ...log, lines: [], matched: 0, truncated: false } : log,
            ),
        },
      });
    },
    expect: { cause: "state-growth", severity: "critical", proposes: ["set-taskmanager-resources"] },
  },
  {
    id: "memory-usage/backpressure-buffers",
    runbook: "memory-usage",
    title: "Buffers full",
    story: "Firehose slowed down 5 minutes ago: output buffers are 93% full and memory holds at 87%.",
    build: (clock) =>
      withMetrics(clock, {
        memory_usage_percentage: stableHigh,
        task_buffer_out_pool_usage_percentage: (i) => (i < 5 ? 93 : 38),
      }),
    expect: { cause: "backpressure-buffers", severity: "warning", proposes: [] },
  },
  {
    id: "memory-usage/spike",
    runbook: "memory-usage",
    title: "Stable at 86%",
    story: "Black-Friday traffic keeps memory at 86-87% for the hour, flat; state and buffers are normal.",
    build: (clock) => withMetrics(clock, { memory_usage_percentage: stableHigh }),
    expect: { cause: "spike", severity: "warning", proposes: [] },
  },
  {
    id: "memory-usage/unknown",
    runbook: "memory-usage",
    title: "CloudWatch unreachable",
    story: "CloudWatch answers nothing (throttled); Flink and Kubernetes show nothing unusual.",
    build: (clock) => {
      const ports = healthyPlatform(clock).ports;
      const fail = async (): Promise<never> => {
        throw new Error("Rate exceeded (ThrottlingException)");
      };
      return overridePorts(ports, { metrics: { series: fail, seriesBatch: fail } });
    },
    expect: { cause: "unknown", severity: "warning", proposes: [] },
  },
];
