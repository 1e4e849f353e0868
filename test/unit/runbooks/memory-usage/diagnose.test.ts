import { describe, expect, it } from "vitest";
import {
  diagnoseMemory,
  type MemoryCause,
  type MemorySignals,
} from "../../../../src/runbooks/memory-usage/diagnose.ts";
import {
  formatQuantity,
  resourcePlan,
  taskmanagerContainer,
} from "../../../../src/runbooks/memory-usage/signals.ts";

const base: MemorySignals = { thresholdPercent: 85 };
const GI = 2 ** 30;

interface Case {
  readonly name: string;
  readonly signals: Partial<MemorySignals>;
  readonly cause: MemoryCause;
  readonly alsoSeen?: readonly MemoryCause[];
  readonly because?: RegExp;
}

const rising = { memoryDirection: "rising", memoryPointsPerHour: 28 } as const;
const flat = { memoryDirection: "flat", memoryPointsPerHour: 0.2 } as const;
const steadyState = { stateDirection: "flat", stateBytesPerHour: 1e6, latestStateBytes: 1.2e9 } as const;

const cases: Case[] = [
  {
    name: "72% and flat",
    signals: { latestPercent: 72, ...flat },
    cause: "below-threshold",
    because: /memory at 72% is at or under the 85% threshold and not growing/,
  },
  {
    name: "exactly 85% (the alert is > 85%)",
    signals: { latestPercent: 85, ...flat },
    cause: "below-threshold",
  },
  {
    name: "under the threshold but growing: a leak in progress",
    signals: { latestPercent: 80, ...rising, ...steadyState, bufferPercent: 40 },
    cause: "heap-leak",
  },
  {
    name: "the seed's trend (60% -> 88%) with state and buffers steady",
    signals: { latestPercent: 88, ...rising, ...steadyState, bufferPercent: 40, maxHeapFraction: 0.94 },
    cause: "heap-leak",
    because: /memory at 88% and growing \(\+28\.0 points\/hour\) .*JVM heap 94% used/,
  },
  {
    name: "state backend growing",
    signals: {
      latestPercent: 88,
      ...rising,
      stateDirection: "rising",
      stateBytesPerHour: 3.6 * GI,
      latestStateBytes: 4.5 * GI,
      bufferPercent: 40,
    },
    cause: "state-growth",
    because: /grows by 3\.6 GiB\/hour \(now 4\.5 GiB\)/,
  },
  {
    name: "state growing and buffers full: state first, buffers noted",
    signals: { latestPercent: 88, ...flat, stateDirection: "rising", bufferPercent: 93 },
    cause: "state-growth",
    alsoSeen: ["backpressure-buffers"],
  },
  {
    name: "buffers over 80% at a stable level",
    signals: { latestPercent: 87, ...flat, ...steadyState, bufferPercent: 93 },
    cause: "backpressure-buffers",
    because: /output buffers are 93% full/,
  },
  {
    name: "buffers full while memory grows: buffers first, leak noted",
    signals: { latestPercent: 88, ...rising, ...steadyState, bufferPercent: 93 },
    cause: "backpressure-buffers",
    alsoSeen: ["heap-leak"],
  },
  {
    name: "buffers exactly 80% are not full",
    signals: { latestPercent: 87, ...flat, ...steadyState, bufferPercent: 80 },
    cause: "spike",
  },
  {
    name: "stable at 86%",
    signals: { latestPercent: 86, ...flat, ...steadyState, bufferPercent: 40 },
    cause: "spike",
    because: /stable .* a temporary spike to monitor/,
  },
  {
    name: "falling from a peak over the threshold",
    signals: { latestPercent: 87, memoryDirection: "falling", memoryPointsPerHour: -6 },
    cause: "spike",
    because: /falling/,
  },
  { name: "no trend, no state, no buffers", signals: {}, cause: "unknown" },
  {
    name: "no memory trend, but state grows",
    signals: { stateDirection: "rising", latestStateBytes: 4e9, stateBytesPerHour: 3e9 },
    cause: "state-growth",
  },
  { name: "no memory trend, buffers full", signals: { bufferPercent: 95 }, cause: "backpressure-buffers" },
];

describe("diagnoseMemory", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseMemory({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    expect(d.alsoSeen).toEqual(c.alsoSeen ?? []);
    if (c.because) expect(d.because).toMatch(c.because);
  });
});

describe("set-taskmanager-resources numbers", () => {
  const pod = (limit: number | null) => ({
    pod: "tm-0",
    cpuMillicores: 1000,
    memoryBytes: 1,
    cpuLimitMillicores: 2000,
    memoryLimitBytes: limit,
  });

  it.each([
    ["8Gi doubles to 16Gi with the request at 8Gi (the seed)", [8 * GI], { limit: "16Gi", request: "8Gi" }],
    ["20Gi is capped at 32Gi", [20 * GI], { limit: "32Gi", request: "20Gi" }],
    ["the largest limit of the pods counts", [4 * GI, 6 * GI], { limit: "12Gi", request: "6Gi" }],
    ["3000Mi doubles to 6000Mi", [3000 * 2 ** 20], { limit: "6000Mi", request: "3000Mi" }],
  ] as const)("%s", (_name, limits, want) => {
    const plan = resourcePlan(limits.map((l) => pod(l)));
    expect(
      plan && { limit: formatQuantity(plan.limitBytes), request: formatQuantity(plan.requestBytes) },
    ).toEqual(want);
  });

  it("offers nothing at the 32Gi cap or without a limit", () => {
    expect(resourcePlan([pod(32 * GI)])).toBeUndefined();
    expect(resourcePlan([pod(null)])).toBeUndefined();
    expect(resourcePlan(undefined)).toBeUndefined();
  });

  it("finds the taskmanager container", () => {
    const info = (names: string[]) => ({
      name: "tm-0",
      phase: "Running" as const,
      ready: true,
      restarts: 0,
      node: null,
      startedAt: null,
      problem: null,
      containers: names.map((name) => ({
        name,
        image: "flink",
        ready: true,
        restarts: 0,
        state: "running" as const,
        reason: null,
        exitCode: null,
        lastTerminationReason: null,
      })),
    });
    expect(taskmanagerContainer([info(["taskmanager", "sidecar"])])).toBe("taskmanager");
    expect(taskmanagerContainer([info(["log-shipper", "flink-taskmanager"])])).toBe("flink-taskmanager");
    expect(taskmanagerContainer([info(["flink-main-container", "istio-proxy"])])).toBe(
      "flink-main-container",
    );
    expect(taskmanagerContainer([info(["main"])])).toBe("main");
    expect(taskmanagerContainer([info(["a", "b"])])).toBeUndefined();
  });
});
