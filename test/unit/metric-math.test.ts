import { describe, expect, it } from "vitest";
import {
  averageOf,
  breachStart,
  compareSeries,
  firstAbove,
  formatCount,
  formatPercent,
  latestOf,
  maxOf,
  minOf,
  sumOf,
  trendOf,
} from "../../src/core/metric-math.ts";
import type { MetricPoint } from "../../src/ports/metrics.ts";
import { isMetricStatistic, percentileOf } from "../../src/ports/metrics.ts";

const T0 = Date.UTC(2025, 0, 13, 10, 0, 0);
/** Points one minute apart starting at 10:00. */
const series = (...values: number[]): MetricPoint[] =>
  values.map((value, i) => ({ at: new Date(T0 + i * 60_000), value }));
const at = (minute: number): Date => new Date(T0 + minute * 60_000);

describe("totals and extremes", () => {
  it.each([
    { values: [], sum: 0, max: undefined, min: undefined, avg: undefined, latest: undefined },
    { values: [5], sum: 5, max: 5, min: 5, avg: 5, latest: 5 },
    { values: [3, 9, 1, 7], sum: 20, max: 9, min: 1, avg: 5, latest: 7 },
    { values: [-2, 2], sum: 0, max: 2, min: -2, avg: 0, latest: 2 },
  ])("$values", ({ values, sum, max, min, avg, latest }) => {
    const points = series(...values);
    expect(sumOf(points)).toBe(sum);
    expect(maxOf(points)).toBe(max);
    expect(minOf(points)).toBe(min);
    expect(averageOf(points)).toBe(avg);
    expect(latestOf(points)?.value).toBe(latest);
  });
});

describe("trendOf", () => {
  it.each([
    { name: "too short", values: [5], direction: undefined, slope: undefined },
    {
      name: "memory growing 60 -> 88 (the seed's leak)",
      values: [60, 65, 75, 85, 88],
      direction: "rising",
      slope: 7.6,
    },
    { name: "falling", values: [100, 90, 80, 70], direction: "falling", slope: -10 },
    { name: "stable at 85", values: [85, 86, 85, 84, 85], direction: "flat", slope: -0.2 },
    { name: "all zero", values: [0, 0, 0], direction: "flat", slope: 0 },
    { name: "small wobble under 5% of level", values: [1000, 1010, 1020], direction: "flat", slope: 10 },
  ])("$name", ({ values, direction, slope }) => {
    const trend = trendOf(series(...values));
    expect(trend?.direction).toBe(direction);
    if (slope === undefined) expect(trend).toBeUndefined();
    else expect(trend?.slopePerMinute).toBeCloseTo(slope, 6);
  });

  it("uses real time gaps, not point counts", () => {
    const uneven: MetricPoint[] = [
      { at: at(0), value: 0 },
      { at: at(10), value: 100 },
    ];
    expect(trendOf(uneven)?.slopePerMinute).toBeCloseTo(10, 6);
  });
});

describe("firstAbove and breachStart", () => {
  it.each([
    { name: "never above", values: [10, 50, 90], threshold: 100, first: undefined, breach: undefined },
    { name: "above from 10:02 on", values: [10, 50, 150, 180, 200], threshold: 100, first: 2, breach: 2 },
    { name: "spiked, recovered", values: [10, 150, 20, 30], threshold: 100, first: 1, breach: undefined },
    {
      name: "spiked, recovered, breaching again",
      values: [150, 20, 130, 140],
      threshold: 100,
      first: 0,
      breach: 2,
    },
    { name: "equal is not above", values: [100, 100], threshold: 100, first: undefined, breach: undefined },
    { name: "above throughout", values: [101, 102], threshold: 100, first: 0, breach: 0 },
    { name: "empty", values: [], threshold: 0, first: undefined, breach: undefined },
  ])("$name", ({ values, threshold, first, breach }) => {
    const points = series(...values);
    expect(firstAbove(points, threshold)?.at).toEqual(first === undefined ? undefined : at(first));
    expect(breachStart(points, threshold)?.at).toEqual(breach === undefined ? undefined : at(breach));
  });

  it("does not depend on the order the points come in", () => {
    const points = series(10, 150, 160).reverse();
    expect(firstAbove(points, 100)?.at).toEqual(at(1));
    expect(breachStart(points, 100)?.at).toEqual(at(1));
  });
});

describe("compareSeries (RecordsIn vs RecordsOut)", () => {
  it("totals, ratio and per-bucket deficit when out trails in", () => {
    const c = compareSeries(series(60_000, 61_000, 62_000), series(45_600, 45_600, 46_000));
    expect(c.totalA).toBe(183_000);
    expect(c.totalB).toBe(137_200);
    expect(c.deficit).toBe(45_800);
    expect(c.ratio).toBeCloseTo(137_200 / 183_000, 10);
    expect(c.buckets.map((b) => b.deficit)).toEqual([14_400, 15_400, 16_000]);
    expect(c.bucketsShort).toBe(3);
    expect(c.onlyInA).toBe(0);
    expect(c.onlyInB).toBe(0);
  });

  it("keeping up: ratio 1, no short buckets", () => {
    const c = compareSeries(series(100, 100), series(100, 100));
    expect(c).toMatchObject({ deficit: 0, ratio: 1, bucketsShort: 0 });
  });

  it("a bucket missing on one side counts as 0 and is reported", () => {
    const a: MetricPoint[] = [
      { at: at(0), value: 100 },
      { at: at(1), value: 100 },
      { at: at(2), value: 100 },
    ];
    const b: MetricPoint[] = [
      { at: at(0), value: 100 },
      { at: at(2), value: 90 },
      { at: at(3), value: 50 },
    ];
    const c = compareSeries(a, b);
    expect(c.buckets).toEqual([
      { at: at(0), a: 100, b: 100, deficit: 0 },
      { at: at(1), a: 100, b: undefined, deficit: 100 },
      { at: at(2), a: 100, b: 90, deficit: 10 },
      { at: at(3), a: undefined, b: 50, deficit: -50 },
    ]);
    expect(c.bucketsShort).toBe(2);
    expect(c.onlyInA).toBe(1);
    expect(c.onlyInB).toBe(1);
  });

  it("no input: no ratio", () => {
    const c = compareSeries([], series(5));
    expect(c.ratio).toBeUndefined();
    expect(c.deficit).toBe(-5);
  });
});

describe("formatting", () => {
  it.each([
    [95_000, "95,000"],
    [1234.6, "1,235"],
    [0, "0"],
  ])("formatCount(%s) = %s", (n, text) => {
    expect(formatCount(n)).toBe(text);
  });
  it("formatPercent", () => {
    expect(formatPercent(0.756)).toBe("76%");
  });
});

describe("statistics", () => {
  it.each([
    ["p99", 99],
    ["p50", 50],
    ["p99.9", 99.9],
    ["p100", 100],
    ["p0", undefined],
    ["p101", undefined],
    ["P99", undefined],
    ["p", undefined],
    ["Average", undefined],
  ])("percentileOf(%s) = %s", (stat, value) => {
    expect(percentileOf(stat)).toBe(value);
  });
  it.each([
    ["Sum", true],
    ["SampleCount", true],
    ["p95", true],
    ["avg", false],
    ["tm99", false],
  ])("isMetricStatistic(%s) = %s", (stat, ok) => {
    expect(isMetricStatistic(stat)).toBe(ok);
  });
});
