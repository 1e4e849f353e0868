import { describe, expect, it } from "vitest";
import {
  diagnoseLag,
  isBehind,
  isGrowing,
  type LagCause,
  type LagSignals,
} from "../../../../src/runbooks/consumer-lag/diagnose.ts";

/** The thresholds of the default config; every case adds the signals it has. */
const base: LagSignals = {
  threshold: 50_000,
  growthThreshold: 10,
  throughputFloor: 0.95,
  pressureThreshold: 0.8,
  watermarkStuckMs: 60_000,
};

type Extra = Omit<Partial<LagSignals>, keyof typeof base> & Partial<typeof base>;

const healthyFirehose = [44_000, 45_000, 44_500];

interface Case {
  readonly name: string;
  readonly signals: Extra;
  readonly cause: LagCause;
  readonly growing?: boolean | undefined;
  readonly behind?: boolean | undefined;
  readonly because?: string;
}

const cases: Case[] = [
  // below-threshold
  {
    name: "lag under threshold and stable",
    signals: { totalLag: 40_000, growthPerSecond: 0 },
    cause: "below-threshold",
    growing: false,
    because: "total lag 40,000 is at or below the 50,000 threshold",
  },
  {
    name: "lag exactly at the threshold (the alert is > threshold)",
    signals: { totalLag: 50_000 },
    cause: "below-threshold",
    growing: undefined,
    because: "total lag 50,000 is at or below the 50,000 threshold",
  },
  {
    name: "lag under threshold, growth exactly at the growth threshold (not growing)",
    signals: { totalLag: 49_000, growthPerSecond: 10, maxPodPressure: 0.95 },
    cause: "below-threshold",
    growing: false,
  },
  {
    name: "lag under threshold but growing: look for a cause",
    signals: { totalLag: 40_000, growthPerSecond: 10.5, maxPodPressure: 0.95 },
    cause: "resource",
    growing: true,
  },
  {
    name: "zero lag, shrinking",
    signals: { totalLag: 0, growthPerSecond: -200 },
    cause: "below-threshold",
    growing: false,
  },
  {
    name: "one record over the threshold with nothing else known",
    signals: { totalLag: 50_001 },
    cause: "unknown",
    growing: undefined,
    behind: undefined,
    because: "the configured sources do not single out a cause",
  },
  // not-consuming
  {
    name: "job read 0 records in the latest minute with lag over threshold, even with every other cause present",
    signals: {
      totalLag: 95_000,
      latestRecordsIn: 0,
      logEndGrowth: 6_000,
      growthPerSecond: 200,
      recentFirehoseDeliveries: [0, 0, 0],
      watermarkLagMs: 300_000,
      maxPodPressure: 0.99,
      recordsIn: 600_000,
      recordsOut: 0,
    },
    cause: "not-consuming",
    growing: true,
    behind: true,
    because:
      "the job read 0 records (RecordsIn) in the latest minute while the topic has records waiting: the Flink job is not consuming",
  },
  {
    name: "RecordsIn 0 and records appended, lag unknown",
    signals: { latestRecordsIn: 0, logEndGrowth: 10 },
    cause: "not-consuming",
  },
  {
    name: "RecordsIn 0, nothing appended and no lag: nothing to consume",
    signals: { latestRecordsIn: 0, logEndGrowth: 0, totalLag: 0, growthPerSecond: 0 },
    cause: "below-threshold",
  },
  {
    name: "RecordsIn above 0: the job consumes, whatever the group's member count",
    signals: { totalLag: 95_000, latestRecordsIn: 1, growthPerSecond: 0 },
    cause: "transient",
  },
  // enrichment, measured with Logs Insights
  {
    name: "enrichment calls over 500 ms while falling behind, even with hot pods",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 200,
      recordsIn: 600_000,
      recordsOut: 420_000,
      maxPodPressure: 0.9,
      enrichmentLatencyMs: 1_450,
    },
    cause: "enrichment",
    because: "enrichment API calls take 1,450 ms on average (over 500 ms per call is the bottleneck)",
  },
  {
    name: "enrichment at exactly 500 ms is not slow",
    signals: { totalLag: 95_000, growthPerSecond: 200, maxPodPressure: 0.9, enrichmentLatencyMs: 500 },
    cause: "resource",
  },
  {
    name: "falling behind with a healthy enrichment API measured and nothing else: unknown, not enrichment",
    signals: { totalLag: 95_000, recordsIn: 600_000, recordsOut: 420_000, enrichmentLatencyMs: 140 },
    cause: "unknown",
    because:
      "Flink processes fewer records than arrive, yet resources, watermark, Firehose and the enrichment API (140 ms) look healthy",
  },
  // backpressure
  {
    name: "Firehose delivered 0 in the last 3 minutes while records arrive",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 200,
      recentFirehoseDeliveries: [44_000, 12_000, 0, 0, 0],
      recordsIn: 600_000,
      recordsOut: 300_000,
      watermarkLagMs: 300_000,
      maxPodPressure: 0.99,
    },
    cause: "backpressure",
    growing: true,
    behind: true,
    because: "Firehose delivered 0 records to S3 in the last minutes while records keep arriving",
  },
  {
    name: "Firehose zero with RecordsIn unknown still counts",
    signals: { totalLag: 95_000, recentFirehoseDeliveries: [0, 0, 0] },
    cause: "backpressure",
  },
  {
    name: "Firehose zero with fewer than 3 datapoints",
    signals: { totalLag: 95_000, recentFirehoseDeliveries: [0, 0] },
    cause: "backpressure",
  },
  {
    name: "Firehose zero but RecordsIn 0 too: nothing to deliver, not backpressure",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 0,
      recentFirehoseDeliveries: [0, 0, 0],
      recordsIn: 0,
      recordsOut: 0,
    },
    cause: "transient",
    behind: false,
  },
  {
    name: "Firehose delivered something in the last minute",
    signals: { totalLag: 95_000, growthPerSecond: 0, recentFirehoseDeliveries: [0, 0, 1] },
    cause: "transient",
  },
  {
    name: "Firehose with no datapoints is not evidence",
    signals: { totalLag: 95_000, growthPerSecond: 0, recentFirehoseDeliveries: [] },
    cause: "transient",
  },
  // windowing
  {
    name: "watermark lag over the stuck threshold",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 50,
      watermarkLagMs: 180_000,
      maxPodPressure: 0.99,
      recentFirehoseDeliveries: healthyFirehose,
      recordsIn: 600_000,
      recordsOut: 450_000,
    },
    cause: "windowing",
    growing: true,
    behind: true,
    because: "watermark lag is 180 s (over 60 s): the watermark is stuck",
  },
  {
    name: "watermark lag 1 ms over the threshold",
    signals: { totalLag: 95_000, watermarkLagMs: 60_001 },
    cause: "windowing",
    because: "watermark lag is 60 s (over 60 s): the watermark is stuck",
  },
  {
    name: "watermark lag exactly at the threshold is not stuck",
    signals: { totalLag: 95_000, growthPerSecond: 0, watermarkLagMs: 60_000 },
    cause: "transient",
  },
  // resource
  {
    name: "taskmanager at 95% of its limit, falling behind",
    signals: {
      totalLag: 101_000,
      growthPerSecond: 200,
      maxPodPressure: 0.95,
      watermarkLagMs: 5_000,
      recentFirehoseDeliveries: healthyFirehose,
      recordsIn: 600_000,
      recordsOut: 450_000,
    },
    cause: "resource",
    growing: true,
    behind: true,
    because: "a taskmanager runs at 95% of its limit (constraint from 80%)",
  },
  {
    name: "pressure exactly at the threshold counts",
    signals: { totalLag: 95_000, maxPodPressure: 0.8 },
    cause: "resource",
    because: "a taskmanager runs at 80% of its limit (constraint from 80%)",
  },
  {
    name: "pressure just under the threshold does not",
    signals: { totalLag: 95_000, growthPerSecond: 0, maxPodPressure: 0.79 },
    cause: "transient",
  },
  {
    name: "resource beats a stable lag",
    signals: { totalLag: 95_000, growthPerSecond: 0, maxPodPressure: 0.9 },
    cause: "resource",
    growing: false,
  },
  // enrichment
  {
    name: "falling behind with healthy resources, watermark and Firehose",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 200,
      maxPodPressure: 0.5,
      watermarkLagMs: 5_000,
      recentFirehoseDeliveries: healthyFirehose,
      recordsIn: 600_000,
      recordsOut: 450_000,
    },
    cause: "enrichment",
    growing: true,
    behind: true,
    because:
      "Flink processes fewer records than arrive although resources, watermark and Firehose look healthy: the enrichment API is the remaining suspect",
  },
  {
    name: "RecordsOut 1 record under the floor",
    signals: { totalLag: 95_000, recordsIn: 100_000, recordsOut: 94_999 },
    cause: "enrichment",
    behind: true,
  },
  {
    name: "RecordsOut exactly at the floor keeps up",
    signals: { totalLag: 95_000, growthPerSecond: 0, recordsIn: 100_000, recordsOut: 95_000 },
    cause: "transient",
    behind: false,
  },
  {
    name: "RecordsOut missing: throughput unknown",
    signals: { totalLag: 95_000, recordsIn: 600_000 },
    cause: "unknown",
    behind: undefined,
  },
  {
    name: "RecordsIn missing: throughput unknown",
    signals: { totalLag: 95_000, recordsOut: 0 },
    cause: "unknown",
    behind: undefined,
  },
  {
    name: "RecordsIn 0: cannot be behind",
    signals: { totalLag: 95_000, growthPerSecond: 50, recordsIn: 0, recordsOut: 0 },
    cause: "unknown",
    growing: true,
    behind: false,
  },
  // transient
  {
    name: "over threshold, stable, throughput keeps up",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 0,
      maxPodPressure: 0.5,
      watermarkLagMs: 5_000,
      recentFirehoseDeliveries: healthyFirehose,
      recordsIn: 600_000,
      recordsOut: 600_000,
    },
    cause: "transient",
    growing: false,
    behind: false,
    because: "lag is stable and throughput keeps up: a temporary spike to monitor",
  },
  {
    name: "over threshold and draining",
    signals: { totalLag: 80_000, growthPerSecond: -500 },
    cause: "transient",
    growing: false,
  },
  // unknown
  {
    name: "over threshold and growing with nothing pointing anywhere",
    signals: {
      totalLag: 95_000,
      growthPerSecond: 200,
      maxPodPressure: 0.5,
      watermarkLagMs: 5_000,
      recentFirehoseDeliveries: healthyFirehose,
      recordsIn: 600_000,
      recordsOut: 600_000,
    },
    cause: "unknown",
    growing: true,
    behind: false,
  },
  {
    name: "no signals at all",
    signals: {},
    cause: "unknown",
    growing: undefined,
    behind: undefined,
  },
];

describe("diagnoseLag", () => {
  it.each(cases)("$name -> $cause", (c) => {
    const d = diagnoseLag({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    if ("growing" in c) expect(d.growing).toBe(c.growing);
    if ("behind" in c) expect(d.behind).toBe(c.behind);
    if (c.because !== undefined) expect(d.because).toBe(c.because);
  });

  it("covers every cause", () => {
    const all: LagCause[] = [
      "below-threshold",
      "not-consuming",
      "backpressure",
      "windowing",
      "resource",
      "enrichment",
      "transient",
      "unknown",
    ];
    expect(new Set(cases.map((c) => c.cause))).toEqual(new Set(all));
  });

  // Start with every cause present and remove the winning one each time: the order of the seed's branches.
  it("ranks causes: not-consuming > backpressure > windowing > resource > enrichment > transient", () => {
    const signals: Record<string, unknown> = {
      ...base,
      totalLag: 95_000,
      growthPerSecond: 0,
      latestRecordsIn: 0,
      recentFirehoseDeliveries: [0, 0, 0],
      watermarkLagMs: 120_000,
      maxPodPressure: 0.9,
      recordsIn: 600_000,
      recordsOut: 450_000,
    };
    const healthy: Record<LagCause, Record<string, unknown>> = {
      "not-consuming": { latestRecordsIn: 60_000 },
      backpressure: { recentFirehoseDeliveries: healthyFirehose },
      windowing: { watermarkLagMs: 2_000 },
      resource: { maxPodPressure: 0.4 },
      enrichment: { recordsOut: 600_000 },
      transient: { growthPerSecond: 200 },
      "below-threshold": {},
      unknown: {},
    };
    const order: LagCause[] = [];
    for (let i = 0; i < 7; i++) {
      const cause = diagnoseLag(signals as unknown as LagSignals).cause;
      order.push(cause);
      Object.assign(signals, healthy[cause]);
    }
    expect(order).toEqual([
      "not-consuming",
      "backpressure",
      "windowing",
      "resource",
      "enrichment",
      "transient",
      "unknown",
    ]);
  });

  it("uses the thresholds it is given, not the defaults", () => {
    const signals: LagSignals = {
      threshold: 100_000,
      growthThreshold: 500,
      throughputFloor: 0.5,
      pressureThreshold: 0.97,
      watermarkStuckMs: 600_000,
      totalLag: 95_000,
      growthPerSecond: 200,
      maxPodPressure: 0.95,
      watermarkLagMs: 300_000,
      recordsIn: 600_000,
      recordsOut: 450_000,
    };
    expect(diagnoseLag(signals)).toEqual({
      cause: "below-threshold",
      growing: false,
      behind: false,
      because: "total lag 95,000 is at or below the 100,000 threshold",
    });
    expect(diagnoseLag({ ...signals, totalLag: 100_001 }).cause).toBe("transient");
  });
});

describe("isGrowing / isBehind", () => {
  it.each([
    [undefined, undefined],
    [-1, false],
    [0, false],
    [10, false],
    [10.01, true],
  ])("growth %s/s with threshold 10 -> %s", (growthPerSecond, expected) => {
    const s: LagSignals = growthPerSecond === undefined ? base : { ...base, growthPerSecond };
    expect(isGrowing(s)).toBe(expected);
  });

  it.each([
    [undefined, undefined, undefined],
    [100, undefined, undefined],
    [undefined, 100, undefined],
    [0, 0, false],
    [0, 5, false],
    [100_000, 95_000, false],
    [100_000, 94_999, true],
    [100_000, 120_000, false],
  ])("RecordsIn %s, RecordsOut %s -> behind %s", (recordsIn, recordsOut, expected) => {
    const s: LagSignals = {
      ...base,
      ...(recordsIn === undefined ? {} : { recordsIn }),
      ...(recordsOut === undefined ? {} : { recordsOut }),
    };
    expect(isBehind(s)).toBe(expected);
  });
});
