import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type ChartSeries,
  DEFAULT_CHART_HEIGHT,
  DEFAULT_CHART_WIDTH,
  drawLineChart,
  renderLineChartPng,
  SERIES_COLORS,
  THRESHOLD_COLOR,
} from "../../../src/core/chart/index.ts";
import { type DecodedPng, decodePng, pixelAt } from "./decode-png.ts";

const T0 = Date.parse("2025-01-13T10:20:00Z");

function series(label: string, values: readonly number[], extra: Partial<ChartSeries> = {}): ChartSeries {
  return {
    label,
    points: values.map((value, i) => ({ at: new Date(T0 + i * 60_000).toISOString(), value })),
    ...extra,
  };
}

const recordsIn = series("RecordsIn per minute", [60_000, 60_800, 61_600, 60_000, 60_800, 61_600, 60_000]);
const recordsOut = series("RecordsOut per minute", [45_600, 46_100, 46_600, 47_100, 45_600, 46_100, 46_600]);
const lag = series("Consumer lag", [20_000, 30_000, 45_000, 70_000, 95_000], {
  unit: "records",
  threshold: 50_000,
});

const same = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** Whether a pixel of exactly `color` lies within `r` pixels of (x, y). */
function inkNear(png: DecodedPng, x: number, y: number, color: readonly number[], r = 1): boolean {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.floor(x) + dx;
      const py = Math.floor(y) + dy;
      if (px >= 0 && py >= 0 && px < png.width && py < png.height && same(pixelAt(png, px, py), color))
        return true;
    }
  }
  return false;
}

function countColor(png: DecodedPng, color: readonly number[]): number {
  let n = 0;
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) if (same(pixelAt(png, x, y), color)) n++;
  return n;
}

describe("renderLineChartPng", () => {
  it("is a valid opaque PNG of the default size (640x240) or the requested one", () => {
    const png = decodePng(renderLineChartPng([recordsIn], { title: "Step 2: Identify bottleneck" }));
    expect([png.width, png.height]).toEqual([DEFAULT_CHART_WIDTH, DEFAULT_CHART_HEIGHT]);
    expect(png.pixels.filter((_v, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    const small = decodePng(renderLineChartPng([recordsIn], { width: 320, height: 160 }));
    expect([small.width, small.height]).toEqual([320, 160]);
  });

  it("draws each series' line through its points, in its own colour", () => {
    const { layout } = drawLineChart([recordsIn, recordsOut], { title: "t" });
    const png = decodePng(renderLineChartPng([recordsIn, recordsOut], { title: "t" }));
    expect(layout.colors).toEqual([SERIES_COLORS[0], SERIES_COLORS[1]]);
    expect(new Set(SERIES_COLORS.map((c) => c.join(","))).size).toBe(SERIES_COLORS.length);
    for (const [si, s] of [recordsIn, recordsOut].entries()) {
      const color = layout.colors[si]!;
      s.points.forEach((_p, pi) => {
        const at = layout.pointAt(si, pi)!;
        expect(at.x).toBeGreaterThanOrEqual(layout.plot.left);
        expect(at.x).toBeLessThan(layout.plot.right);
        expect(inkNear(png, at.x, at.y, color), `series ${si} point ${pi}`).toBe(true);
      });
      // Half way between two points the line is there too.
      const a = layout.pointAt(si, 2)!;
      const b = layout.pointAt(si, 3)!;
      expect(inkNear(png, (a.x + b.x) / 2, (a.y + b.y) / 2, color)).toBe(true);
    }
    // The first point is at the left of the plot, the last at the right.
    expect(layout.pointAt(0, 0)!.x).toBeCloseTo(layout.plot.left + 0.5, 5);
    expect(layout.pointAt(0, 6)!.x).toBeCloseTo(layout.plot.right - 0.5, 5);
    // Higher values are higher up (smaller rows).
    expect(layout.pointAt(0, 2)!.y).toBeLessThan(layout.pointAt(0, 0)!.y);
    // RecordsIn (60k) sits above RecordsOut (46k), and no series ink in between.
    const between = (layout.rowOf(52_000) + layout.rowOf(54_000)) / 2;
    const mid = (layout.plot.left + layout.plot.right) / 2;
    expect(same(pixelAt(png, Math.floor(mid), Math.floor(between)), [255, 255, 255])).toBe(true);
  });

  it("scales the y axis to round numbers covering the data", () => {
    const { layout } = drawLineChart([recordsIn, recordsOut]);
    expect(layout.yMin).toBeLessThanOrEqual(45_600);
    expect(layout.yMax).toBeGreaterThanOrEqual(61_600);
    expect(layout.yMin % 5000).toBe(0);
    // Data near zero: the axis starts at zero.
    expect(drawLineChart([series("x", [3, 80, 100])]).layout.yMin).toBe(0);
  });

  it("draws a dashed threshold line and includes it in the y range", () => {
    const { layout } = drawLineChart([lag]);
    const png = decodePng(renderLineChartPng([lag]));
    const row = Math.round(layout.rowOf(50_000) - 0.5);
    let red = 0;
    let gaps = 0;
    for (let x = layout.plot.left + 1; x < layout.plot.right; x++) {
      if (same(pixelAt(png, x, row), THRESHOLD_COLOR)) red++;
      else gaps++;
    }
    expect(red).toBeGreaterThan((layout.plot.right - layout.plot.left) * 0.4);
    expect(gaps).toBeGreaterThan(10);
    // A threshold above every value still shows.
    const high = drawLineChart([series("x", [1, 2, 3], { threshold: 10 })]).layout;
    expect(high.yMax).toBeGreaterThanOrEqual(10);
  });

  it("breaks the line at non-finite values and draws a lone point as a dot", () => {
    const gappy = series("gappy", [10, 20, Number.NaN, 40, 50]);
    const { layout } = drawLineChart([gappy]);
    expect(layout.pointAt(0, 2)).toBeUndefined();
    const png = decodePng(renderLineChartPng([gappy]));
    const a = layout.pointAt(0, 1)!;
    const b = layout.pointAt(0, 3)!;
    expect(inkNear(png, (a.x + b.x) / 2, (a.y + b.y) / 2, SERIES_COLORS[0]!, 0)).toBe(false);
    const lone = series("one", [42]);
    const one = drawLineChart([lone]).layout.pointAt(0, 0)!;
    expect(inkNear(decodePng(renderLineChartPng([lone])), one.x, one.y, SERIES_COLORS[0]!)).toBe(true);
  });

  it("renders an empty series without failing", () => {
    const png = decodePng(renderLineChartPng([{ label: "nothing", points: [] }], { title: "empty" }));
    expect([png.width, png.height]).toEqual([640, 240]);
    expect(countColor(png, SERIES_COLORS[0]!)).toBeGreaterThan(0); // the legend swatch
  });

  it("is deterministic: the same input gives the same bytes", () => {
    const a = renderLineChartPng([recordsIn, recordsOut, lag], { title: "Step 2: Identify bottleneck" });
    const b = renderLineChartPng([recordsIn, recordsOut, lag], { title: "Step 2: Identify bottleneck" });
    expect(a.equals(b)).toBe(true);
    const c = renderLineChartPng([recordsIn, recordsOut, lag], { title: "Step 3" });
    expect(a.equals(c)).toBe(false);
  });

  it("matches the golden pixels", () => {
    // A hash of the decoded pixels (not of the PNG bytes, which depend on the zlib build).
    // If a deliberate drawing change moves it, look at the chart before updating the hash.
    const png = decodePng(
      renderLineChartPng([recordsIn, recordsOut, lag], { title: "Step 2: Identify bottleneck" }),
    );
    const hash = createHash("sha256").update(`${png.width}x${png.height}:`).update(png.pixels).digest("hex");
    expect(hash).toBe("b76a5ef5c41399f6e176a861f6e0e441c5aabe71cdc62ad397f70bcf149c6ec8");
  });
});
