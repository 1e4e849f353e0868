import { describe, expect, it } from "vitest";
import {
  parseCpuMillicores,
  parseMemoryBytes,
  parseQuantity,
  QuantityError,
  quantityValue,
} from "../../../src/core/quantity.ts";

describe("parseCpuMillicores", () => {
  it.each([
    ["2", 2000],
    ["500m", 500],
    ["1953m", 1953],
    ["0.5", 500],
    ["1.5", 1500],
    [".25", 250],
    ["2.", 2000],
    ["+1", 1000],
    ["1900000000n", 1900],
    // MilliValue() rounds up, as kubectl top does.
    ["123456789n", 124],
    ["1953455812n", 1954],
    ["1000u", 1],
    ["1500u", 2],
    ["1e3", 1_000_000],
    ["1E-3", 1],
    ["0", 0],
    ["0m", 0],
  ])("%s -> %d millicores", (text, expected) => {
    expect(parseCpuMillicores(text)).toBe(expected);
  });
});

describe("parseMemoryBytes", () => {
  it.each([
    ["8Gi", 8 * 2 ** 30],
    ["7800Mi", 7800 * 2 ** 20],
    ["7600Mi", 7_969_177_600],
    ["123456Ki", 123456 * 1024],
    ["7782400Ki", 7600 * 2 ** 20],
    ["8G", 8_000_000_000],
    ["128M", 128_000_000],
    ["1k", 1000],
    ["1Ti", 2 ** 40],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["134217728", 134_217_728],
    ["1e3", 1000],
    ["1E3", 1000],
    ["1E", 1e18],
    ["12e6", 12_000_000],
    // Value() rounds fractions of a byte up.
    ["1500m", 2],
    ["0.1", 1],
  ])("%s -> %d bytes", (text, expected) => {
    expect(parseMemoryBytes(text)).toBe(expected);
  });
});

describe("parseQuantity", () => {
  it("keeps the value exact as coefficient * 10^pow10 * 2^pow2", () => {
    expect(parseQuantity("1.5Gi")).toEqual({ text: "1.5Gi", coefficient: 15n, pow10: -1, pow2: 30 });
    expect(parseQuantity("-250m")).toEqual({ text: "-250m", coefficient: -250n, pow10: -3, pow2: 0 });
    expect(parseQuantity("1e-2")).toEqual({ text: "1e-2", coefficient: 1n, pow10: -2, pow2: 0 });
  });

  it("converts to a float", () => {
    expect(quantityValue(parseQuantity("1500m"))).toBe(1.5);
    expect(quantityValue(parseQuantity("1Ki"))).toBe(1024);
    expect(quantityValue(parseQuantity("-2k"))).toBe(-2000);
  });

  it("rounds negative values toward +infinity like the Go type", () => {
    expect(parseCpuMillicores("-1500u")).toBe(-1);
  });

  it.each([
    [""],
    ["abc"],
    ["1.2.3"],
    ["1Kb"],
    ["1 Gi"],
    ["Gi"],
    ["."],
    ["1e"],
    ["1ki"],
    ["--1"],
    ["1e1000"],
    ["0x10"],
  ])("rejects %j", (text) => {
    expect(() => parseQuantity(text)).toThrow(QuantityError);
  });

  it("names the bad text in the error", () => {
    expect(() => parseMemoryBytes("8GB")).toThrow('invalid quantity "8GB": not a Kubernetes quantity');
  });
});
