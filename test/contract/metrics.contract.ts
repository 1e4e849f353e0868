/**
 * What every MetricsPort must do, whoever answers: the real CloudWatch adapter (on moto and the
 * stand-in) and the sandbox's simulated metrics. A subject names series it has data for; the
 * suite checks the shapes and the arithmetic that CloudWatch guarantees.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { MetricPoint, MetricSelector, MetricsPort, MetricWindow } from "../../src/ports/metrics.ts";

export interface MetricsContractSubject {
  readonly port: MetricsPort;
  readonly window: MetricWindow;
  /** A counter published once a minute (RecordsIn). */
  readonly counter: Omit<MetricSelector, "stat">;
  /** A gauge published several times a minute, readable with percentiles. */
  readonly gauge: Omit<MetricSelector, "stat">;
  /** A series selected by a dimension (Firehose DeliveryToS3.Records for the stream). */
  readonly byDimension: Omit<MetricSelector, "stat"> & {
    readonly dimensions: Readonly<Record<string, string>>;
  };
}

function expectWellFormed(points: readonly MetricPoint[], window: MetricWindow): void {
  const step = window.periodSeconds * 1000;
  for (const [i, p] of points.entries()) {
    expect(p.at.getTime()).toBeGreaterThanOrEqual(window.start.getTime());
    expect(p.at.getTime()).toBeLessThan(window.end.getTime());
    expect(p.at.getTime() % step).toBe(0);
    expect(Number.isFinite(p.value)).toBe(true);
    if (i > 0) expect(p.at.getTime()).toBeGreaterThan(points[i - 1]!.at.getTime());
  }
}

export function metricsContract(name: string, makeSubject: () => Promise<MetricsContractSubject>): void {
  describe(`MetricsPort contract: ${name}`, () => {
    let s: MetricsContractSubject;
    beforeAll(async () => {
      s = await makeSubject();
    });

    it("returns one ascending point per period bucket inside the window", async () => {
      const points = await s.port.series({ ...s.window, ...s.counter, stat: "Sum" });
      expect(points.length).toBeGreaterThan(0);
      expectWellFormed(points, s.window);
    });

    it("statistics agree: Sum = Average x SampleCount, Minimum <= Average <= Maximum", async () => {
      const b = await s.port.seriesBatch(s.window, {
        sum: { ...s.gauge, stat: "Sum" },
        avg: { ...s.gauge, stat: "Average" },
        n: { ...s.gauge, stat: "SampleCount" },
        min: { ...s.gauge, stat: "Minimum" },
        max: { ...s.gauge, stat: "Maximum" },
      });
      expect(b.sum.length).toBeGreaterThan(0);
      for (const [i, sum] of b.sum.entries()) {
        const avg = b.avg[i]!;
        expect(avg.at).toEqual(sum.at);
        expect(b.n[i]!.value).toBeGreaterThan(1);
        expect(sum.value).toBeCloseTo(avg.value * b.n[i]!.value, 6);
        expect(b.min[i]!.value).toBeLessThanOrEqual(avg.value);
        expect(avg.value).toBeLessThanOrEqual(b.max[i]!.value);
      }
    });

    it("percentiles lie between Minimum and Maximum and grow with the rank", async () => {
      const b = await s.port.seriesBatch(s.window, {
        min: { ...s.gauge, stat: "Minimum" },
        p50: { ...s.gauge, stat: "p50" },
        p99: { ...s.gauge, stat: "p99" },
        max: { ...s.gauge, stat: "Maximum" },
      });
      expect(b.p99.length).toBeGreaterThan(0);
      expectWellFormed(b.p99, s.window);
      expect(b.p50.map((p) => p.at)).toEqual(b.p99.map((p) => p.at));
      for (const [i, p99] of b.p99.entries()) {
        expect(b.min[i]!.value).toBeLessThanOrEqual(b.p50[i]!.value);
        expect(b.p50[i]!.value).toBeLessThanOrEqual(p99.value);
        expect(p99.value).toBeLessThanOrEqual(b.max[i]!.value);
      }
      // The same through series().
      expect(await s.port.series({ ...s.window, ...s.gauge, stat: "p99" })).toEqual(b.p99);
    });

    it("seriesBatch answers as series() does, one by one", async () => {
      const b = await s.port.seriesBatch(s.window, {
        counter: { ...s.counter, stat: "Sum" },
        gauge: { ...s.gauge, stat: "Average" },
        stream: { ...s.byDimension, stat: "Sum" },
      });
      expect(b.counter).toEqual(await s.port.series({ ...s.window, ...s.counter, stat: "Sum" }));
      expect(b.gauge).toEqual(await s.port.series({ ...s.window, ...s.gauge, stat: "Average" }));
      expect(b.stream).toEqual(await s.port.series({ ...s.window, ...s.byDimension, stat: "Sum" }));
    });

    it("selects by the exact dimension set: another stream has no data", async () => {
      expect((await s.port.series({ ...s.window, ...s.byDimension, stat: "Sum" })).length).toBeGreaterThan(0);
      const other = Object.fromEntries(
        Object.keys(s.byDimension.dimensions).map((k) => [k, "no-such-stream"]),
      );
      expect(await s.port.series({ ...s.window, ...s.byDimension, dimensions: other, stat: "Sum" })).toEqual(
        [],
      );
    });

    it("a metric nobody publishes: an empty series", async () => {
      expect(
        await s.port.series({ ...s.window, ...s.counter, metric: "NoSuchMetric", stat: "Average" }),
      ).toEqual([]);
      const b = await s.port.seriesBatch(s.window, {
        none: { ...s.counter, metric: "NoSuchMetric", stat: "p90" },
      });
      expect(b.none).toEqual([]);
    });

    it("refuses a window that ends before it starts, in CloudWatch's words", async () => {
      await expect(
        s.port.series({
          ...s.counter,
          stat: "Sum",
          periodSeconds: 60,
          start: s.window.end,
          end: s.window.start,
        }),
      ).rejects.toThrow("The parameter StartTime must be less than the parameter EndTime.");
    });

    it("refuses a statistic that does not exist", async () => {
      await expect(s.port.series({ ...s.window, ...s.counter, stat: "p0" })).rejects.toThrow(
        '"p0" is not a statistic',
      );
    });
  });
}
