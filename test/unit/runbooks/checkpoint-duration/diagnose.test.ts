import { describe, expect, it } from "vitest";
import type { PodLog } from "../../../../src/ports/kubernetes.ts";
import type { MetricPoint } from "../../../../src/ports/metrics.ts";
import {
  type DurationCause,
  type DurationSignals,
  diagnoseDuration,
} from "../../../../src/runbooks/checkpoint-duration/diagnose.ts";
import { correlation, maxCompactionLines } from "../../../../src/runbooks/checkpoint-duration/signals.ts";

const MB = 2 ** 20;
const base: DurationSignals = {
  thresholdMs: 30_000,
  throughputFloorBytesPerSecond: (500 * MB) / 30,
  compactionBusyLines: 5,
  rateMinBytes: 16 * MB,
  dominantShare: 0.5,
  // Big checkpoints: their upload rate means something.
  checkpointBytes: 500 * MB,
};
const slowAndRising = { latestDurationMs: 42_000, durationTrend: "rising" } as const;

interface Case {
  readonly name: string;
  readonly signals: Partial<DurationSignals>;
  readonly cause: DurationCause;
  readonly confidence: "high" | "medium" | "low";
  readonly open?: readonly DurationCause[];
}

const cases: Case[] = [
  {
    name: "6 s and flat: under the threshold",
    signals: { latestDurationMs: 6_000, durationTrend: "flat" },
    cause: "below-threshold",
    confidence: "high",
  },
  {
    name: "exactly 30 s (the alert is > 30 s)",
    signals: { latestDurationMs: 30_000, durationTrend: "flat" },
    cause: "below-threshold",
    confidence: "high",
  },
  {
    name: "under the threshold from Flink only, trend unknown",
    signals: { latestDurationMs: 6_000 },
    cause: "below-threshold",
    confidence: "medium",
  },
  {
    name: "under the threshold but rising with the state: look for the cause",
    signals: { latestDurationMs: 25_000, durationTrend: "rising", stateTrend: "rising" },
    cause: "state-leak",
    confidence: "high",
  },
  {
    name: "state metric and checkpoint sizes both rising",
    signals: {
      ...slowAndRising,
      stateTrend: "rising",
      checkpointSizeTrend: "rising",
      throughputBytesPerSecond: 30 * MB,
    },
    cause: "state-leak",
    confidence: "high",
    open: [],
  },
  {
    name: "only Flink's checkpoint sizes rising (no state metric), duration flat",
    signals: { latestDurationMs: 40_000, durationTrend: "flat", checkpointSizeTrend: "rising" },
    cause: "state-leak",
    confidence: "medium",
    open: ["network-slow", "compaction"],
  },
  {
    name: "state leak wins over busy compaction and slow uploads",
    signals: {
      ...slowAndRising,
      stateTrend: "rising",
      maxCompactionLines: 30,
      throughputBytesPerSecond: 2 * MB,
    },
    cause: "state-leak",
    confidence: "high",
  },
  {
    name: "state flat, compaction busy",
    signals: {
      ...slowAndRising,
      stateTrend: "flat",
      maxCompactionLines: 12,
      throughputBytesPerSecond: 3 * MB,
    },
    cause: "compaction",
    confidence: "medium",
    open: ["network-slow"],
  },
  {
    name: "4 compaction lines is not busy; slow uploads with flat state",
    signals: {
      ...slowAndRising,
      stateTrend: "flat",
      maxCompactionLines: 4,
      throughputBytesPerSecond: 3 * MB,
    },
    cause: "network-slow",
    confidence: "medium",
    open: [],
  },
  {
    name: "slow uploads, state and compaction unknown",
    signals: { ...slowAndRising, throughputBytesPerSecond: 3 * MB },
    cause: "network-slow",
    confidence: "low",
    open: ["state-leak", "compaction"],
  },
  {
    name: "slow but nothing explains it",
    signals: {
      latestDurationMs: 40_000,
      durationTrend: "flat",
      stateTrend: "flat",
      maxCompactionLines: 1,
      throughputBytesPerSecond: 30 * MB,
    },
    cause: "unknown",
    confidence: "low",
    open: ["state-leak", "network-slow", "compaction"],
  },
  { name: "nothing read", signals: {}, cause: "unknown", confidence: "low" },
];

describe("diagnoseDuration", () => {
  it.each(cases)("$name", ({ signals, cause, confidence, open }) => {
    const d = diagnoseDuration({ ...base, ...signals });
    expect(d.cause).toBe(cause);
    expect(d.confidence).toBe(confidence);
    if (open) expect(d.openBranches).toEqual(open);
  });

  it("says what it could not read when it cannot decide", () => {
    expect(diagnoseDuration({ ...base, latestDurationMs: 40_000 }).because).toBe(
      "the state trend, the upload throughput, the compaction logs could not be read, and what was read does not single out a branch",
    );
  });

  it("states the throughput against the seed's 500 MB in 30 s", () => {
    expect(
      diagnoseDuration({
        ...base,
        ...slowAndRising,
        stateTrend: "flat",
        maxCompactionLines: 0,
        throughputBytesPerSecond: 3 * MB,
      }).because,
    ).toBe(
      "the state is flat but checkpoints upload at only 3.0 MB/s (under 16.7 MB/s, the seed's 500 MB in 30 s): the upload to S3 is slow",
    );
  });
});

const at = (minute: number) => new Date(Date.UTC(2026, 0, 13, 10, minute));
const series = (values: readonly number[]): MetricPoint[] => values.map((value, i) => ({ at: at(i), value }));

describe("correlation", () => {
  it("is 1 for series that move together and -1 for opposite ones, on common timestamps", () => {
    expect(correlation(series([1, 2, 3, 4]), series([10, 20, 30, 40]))).toBeCloseTo(1);
    expect(correlation(series([1, 2, 3, 4]), series([4, 3, 2, 1]))).toBeCloseTo(-1);
    expect(correlation(series([1, 2, 3, 4]), series([10, 20, 30, 40]).slice(2))).toBeUndefined();
    expect(correlation(series([1, 2, 3]), series([5, 5, 5]))).toBeUndefined();
  });
});

describe("maxCompactionLines", () => {
  const log = (matched: number, error: string | null = null): PodLog => ({
    pod: "p",
    container: "c",
    lines: [],
    matched,
    truncated: false,
    error,
  });
  it("takes the busiest taskmanager and ignores pods whose log could not be read", () => {
    expect(maxCompactionLines([log(2), log(7), log(99, "container not found")])).toBe(7);
    expect(maxCompactionLines([log(0, "forbidden")])).toBeUndefined();
  });
});
