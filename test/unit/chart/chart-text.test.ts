import { describe, expect, it } from "vitest";
import { compactNumber, formatAxisValue, niceTicks } from "../../../src/core/chart/chart-scale.ts";
import {
  ADVANCE,
  drawText,
  fitText,
  GLYPH_HEIGHT,
  hasGlyph,
  textWidth,
} from "../../../src/core/chart/font.ts";
import { Raster } from "../../../src/core/chart/raster.ts";

describe("the bitmap font", () => {
  it("has a glyph for every letter, digit and the symbols labels use", () => {
    const chars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-+/%()[]_=<>'\"?!#*&@|~";
    expect([...chars].filter((c) => !hasGlyph(c))).toEqual([]);
    expect(hasGlyph("—")).toBe(true); // drawn as "-"
    expect(hasGlyph("€")).toBe(false); // drawn as "?"
  });

  it("draws distinct digits inside a 5x7 cell, 6 pixels apart", () => {
    const cells = [..."0123456789"].map((d) => {
      const r = new Raster(5, GLYPH_HEIGHT);
      drawText(r, d, 0, 0, [0, 0, 0]);
      return Buffer.from(r.pixels).toString("hex");
    });
    expect(new Set(cells).size).toBe(10);
    expect(textWidth("10:24")).toBe(5 * ADVANCE - 1);
    expect(textWidth("ab", 2)).toBe((2 * ADVANCE - 1) * 2);
    expect(textWidth("")).toBe(0);
  });

  it("cuts text that does not fit, with a marker", () => {
    expect(fitText("short", 100)).toBe("short");
    const cut = fitText("a very long series label indeed", 60);
    expect(cut.endsWith("..")).toBe(true);
    expect(textWidth(cut)).toBeLessThanOrEqual(60);
  });
});

describe("axis arithmetic", () => {
  it("picks round ticks that cover the range", () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(45_600, 61_600)).toEqual([45_000, 50_000, 55_000, 60_000, 65_000]);
    expect(niceTicks(0.1, 0.7)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(0.05, 0.75)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    const flat = niceTicks(5, 5);
    expect(flat[0]).toBeLessThan(5);
    expect(flat[flat.length - 1]).toBeGreaterThan(5);
    expect(niceTicks(Number.NaN, 1)).toEqual([0, 1]);
  });

  it("labels values compactly, with short units folded in", () => {
    expect(compactNumber(760)).toBe("760");
    expect(compactNumber(0.25)).toBe("0.25");
    expect(compactNumber(58_500)).toBe("58.5k");
    expect(compactNumber(1_500_000)).toBe("1.5M");
    expect(compactNumber(-2_000)).toBe("-2k");
    expect(formatAxisValue(95, "%")).toBe("95%");
    expect(formatAxisValue(250, "ms")).toBe("250 ms");
    expect(formatAxisValue(1500, "ms")).toBe("1.5 s");
    expect(formatAxisValue(1_288_490_188, "bytes")).toBe("1.2 GiB");
    expect(formatAxisValue(50_000, "records")).toBe("50k");
  });
});
