import { describe, expect, it } from "vitest";
import {
  type CompletenessCause,
  type CompletenessSignals,
  diagnoseCompleteness,
  gapOf,
  isSourceActive,
  isWatermarkStuck,
  lateFractionOf,
} from "../../../../src/runbooks/window-completeness/diagnose.ts";
import { firstShortWindow } from "../../../../src/runbooks/window-completeness/fix-step.ts";
import {
  expectedWindowIds,
  windowIdAt,
  worstPoint,
} from "../../../../src/runbooks/window-completeness/windows.ts";

/** The default config's thresholds; every case adds its signals. */
const base: CompletenessSignals = {
  thresholdPercent: 95,
  lateFractionLimit: 0.05,
  watermarkStuckMs: 60_000,
  throughputFloor: 0.95,
};

const dropped = { worstPercent: 87, worstWindowId: "window-2025-01-13-10-10", latestPercent: 91 };
const healthyRest = {
  watermarkLagMs: 2_000,
  newestRecordAgeMs: 500,
  stateReads: 59_000,
  recordsIn: 60_000,
  missingWindows: [] as string[],
  windowRecordsIn: 10_000,
  windowRecordsOut: 9_900,
  windowRecordsLate: 40,
};

interface Case {
  readonly name: string;
  readonly signals: Partial<CompletenessSignals>;
  readonly cause: CompletenessCause;
  readonly matched?: readonly CompletenessCause[];
  readonly because?: string;
}

const cases: Case[] = [
  {
    name: "every window over the threshold",
    signals: { ...healthyRest, worstPercent: 99.1, latestPercent: 99.4 },
    cause: "recovered",
    because: "every window of the last 30 minutes is at or over 95% (lowest 99.1%)",
  },
  {
    name: "over the threshold but a window is missing: not recovered",
    signals: { ...healthyRest, worstPercent: 99.1, missingWindows: ["window-2025-01-13-10-10"] },
    cause: "window-not-fired",
  },
  {
    name: "A: late over 5% of the window (the seed's 10,000 / 9,200 / 500 is 5%: not over)",
    signals: { ...healthyRest, ...dropped, windowRecordsOut: 9_200, windowRecordsLate: 500 },
    cause: "unknown",
    because:
      "completeness fell to 87% in window-2025-01-13-10-10, 300 records unaccounted but no branch's signal is present",
  },
  {
    name: "A: 8% late",
    signals: { ...healthyRest, ...dropped, windowRecordsOut: 9_000, windowRecordsLate: 800 },
    cause: "late-arrivals",
    because:
      "800 of 10,000 records of window-2025-01-13-10-10 arrived late (8%, over 5%): records arrive after the allowed lateness",
  },
  {
    name: "B: watermark stuck while records arrive",
    signals: {
      ...healthyRest,
      ...dropped,
      watermarkLagMs: 420_000,
      missingWindows: ["window-2025-01-13-10-10"],
    },
    cause: "watermark-stuck",
    matched: ["watermark-stuck"],
  },
  {
    name: "B takes precedence over late arrivals (the seed: late records can come from a stuck watermark)",
    signals: { ...healthyRest, ...dropped, watermarkLagMs: 420_000, windowRecordsLate: 900 },
    cause: "watermark-stuck",
    matched: ["watermark-stuck", "late-arrivals"],
  },
  {
    name: "B from Flink's watermarks when the metric is missing",
    signals: { ...dropped, flinkWatermarkLagMs: 300_000, newestRecordAgeMs: 1_000 },
    cause: "watermark-stuck",
  },
  {
    name: "B with the source unknown: still watermark-stuck",
    signals: { ...dropped, watermarkLagMs: 300_000 },
    cause: "watermark-stuck",
  },
  {
    name: "stuck watermark with an idle source: upstream",
    signals: { ...healthyRest, ...dropped, watermarkLagMs: 900_000, newestRecordAgeMs: 900_000 },
    cause: "source-idle",
    because:
      "the watermark trails by 900 s and the newest record on the source topic is 900 s old: the source stopped sending, Flink is not stalled",
  },
  {
    name: "C: state reads below records in",
    signals: { ...healthyRest, ...dropped, stateReads: 48_000, windowRecordsOut: 8_000 },
    cause: "state-backend-loss",
  },
  {
    name: "C and A both present: C first, A still listed",
    signals: {
      ...healthyRest,
      ...dropped,
      stateReads: 48_000,
      windowRecordsOut: 8_000,
      windowRecordsLate: 1_000,
    },
    cause: "state-backend-loss",
    matched: ["state-backend-loss", "late-arrivals"],
  },
  {
    name: "D: windows missing, watermark advancing",
    signals: {
      ...healthyRest,
      ...dropped,
      missingWindows: ["window-2025-01-13-10-10", "window-2025-01-13-10-15"],
    },
    cause: "window-not-fired",
    because:
      "window-2025-01-13-10-10, window-2025-01-13-10-15 never emitted while the watermark advances: the trigger did not fire",
  },
  {
    name: "D with the watermark unknown: still D",
    signals: { ...dropped, missingWindows: ["window-2025-01-13-10-10"] },
    cause: "window-not-fired",
  },
  {
    name: "no data at all",
    signals: {},
    cause: "unknown",
    because: "no WindowCompleteness datapoints and no branch signal",
  },
  {
    name: "state reads at 95% of records in: not short",
    signals: { ...healthyRest, ...dropped, stateReads: 57_000 },
    cause: "unknown",
  },
];

describe("diagnoseCompleteness", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseCompleteness({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    if (c.matched !== undefined) expect(d.matched).toEqual(c.matched);
    if (c.because !== undefined) expect(d.because).toBe(c.because);
  });
});

describe("signals", () => {
  it("gap = in - out - late; late fraction of the window", () => {
    const s = { ...base, windowRecordsIn: 10_000, windowRecordsOut: 9_200, windowRecordsLate: 500 };
    expect(gapOf(s)).toBe(300);
    expect(lateFractionOf(s)).toBe(0.05);
    expect(gapOf(base)).toBeUndefined();
    expect(lateFractionOf({ ...s, windowRecordsIn: 0 })).toBeUndefined();
  });

  it("stuck and active are relative to runbooks.watermarkStuckMs", () => {
    expect(isWatermarkStuck({ ...base, watermarkLagMs: 60_000 })).toBe(false);
    expect(isWatermarkStuck({ ...base, watermarkLagMs: 60_001 })).toBe(true);
    expect(isWatermarkStuck(base)).toBeUndefined();
    expect(isSourceActive({ ...base, newestRecordAgeMs: 60_000 })).toBe(true);
    expect(isSourceActive({ ...base, newestRecordAgeMs: 61_000 })).toBe(false);
  });
});

describe("windows", () => {
  it("names a window by its start, as the job does", () => {
    expect(windowIdAt(new Date("2025-01-13T10:10:00Z"))).toBe("window-2025-01-13-10-10");
  });

  it("expects the windows that have closed a minute ago, not the current one", () => {
    expect(expectedWindowIds(new Date("2025-01-13T10:00:00Z"), new Date("2025-01-13T10:30:00Z"))).toEqual([
      "window-2025-01-13-10-00",
      "window-2025-01-13-10-05",
      "window-2025-01-13-10-10",
      "window-2025-01-13-10-15",
      "window-2025-01-13-10-20",
    ]);
    expect(expectedWindowIds(new Date("2025-01-13T10:01:00Z"), new Date("2025-01-13T10:11:00Z"))).toEqual([
      "window-2025-01-13-10-05",
    ]);
  });

  it("worstPoint: the lowest, the earliest of equals", () => {
    const at = (m: number) => new Date(Date.UTC(2025, 0, 13, 10, m));
    expect(
      worstPoint([
        { at: at(0), value: 99 },
        { at: at(5), value: 87 },
        { at: at(10), value: 87 },
      ])?.at,
    ).toEqual(at(5));
    expect(worstPoint([])).toBeUndefined();
  });
});

describe("firstShortWindow: where reprocessing lost records starts", () => {
  const at = (hhmm: string) => new Date(`2025-01-13T${hhmm}:00.000Z`);
  const series = (values: [string, number][]) => values.map(([t, value]) => ({ at: at(t), value }));

  it("the earliest 5-minute window under the threshold, not the worst one", () => {
    const view = {
      series: series([
        ["10:05", 99],
        ["10:10", 91],
        ["10:15", 80],
        ["10:20", 96],
      ]),
      worst: { windowId: "window-2025-01-13-10-15", at: at("10:15"), value: 80 },
    };
    expect(firstShortWindow(view, 95)).toEqual(at("10:10"));
  });

  it("the worst window when none is under the threshold; undefined without data", () => {
    const view = {
      series: series([["10:05", 99]]),
      worst: { windowId: "window-2025-01-13-10-05", at: at("10:05"), value: 99 },
    };
    expect(firstShortWindow(view, 95)).toEqual(at("10:05"));
    expect(firstShortWindow({ series: [] }, 95)).toBeUndefined();
    expect(firstShortWindow(undefined, 95)).toBeUndefined();
  });
});
