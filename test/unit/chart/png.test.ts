import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodePng, filterScanlines } from "../../../src/core/chart/png.ts";
import { decodePng, pixelAt } from "./decode-png.ts";

/** A deterministic pseudo-random image (so that every filter gets a chance to win). */
function noiseImage(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    // Smooth gradients in some rows, noise in others.
    const y = Math.floor(i / (width * 4));
    out[i] =
      y % 3 === 0 ? (i * 7) & 0xff : y % 3 === 1 ? (seed >> 16) & 0xff : (y * 11 + (i % 4) * 40) & 0xff;
  }
  return out;
}

describe("crc32", () => {
  it("matches zlib's CRC-32 and the standard check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    const data = noiseImage(7, 5);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("encodePng", () => {
  it("writes signature, IHDR, IDAT and IEND that decode back to the same pixels", () => {
    const rgba = noiseImage(13, 9);
    const png = encodePng(13, 9, rgba);
    const decoded = decodePng(png);
    expect(decoded.chunks).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([decoded.width, decoded.height, decoded.bitDepth, decoded.colorType]).toEqual([13, 9, 8, 6]);
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(rgba))).toBe(true);
  });

  it("round-trips through every filter type", () => {
    const width = 32;
    const height = 24;
    const rgba = noiseImage(width, height);
    const filtered = filterScanlines(width, height, rgba);
    const used = new Set(Array.from({ length: height }, (_v, y) => filtered[y * (width * 4 + 1)]));
    expect(used.size).toBeGreaterThan(1);
    expect(decodePng(encodePng(width, height, rgba)).pixels).toEqual(rgba);
  });

  it("encodes a single pixel", () => {
    const png = encodePng(1, 1, Uint8Array.from([10, 20, 30, 255]));
    expect(pixelAt(decodePng(png), 0, 0)).toEqual([10, 20, 30, 255]);
  });

  it("refuses a size that does not match the pixels", () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(/expected 16 RGBA bytes/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/invalid PNG size/);
  });
});
