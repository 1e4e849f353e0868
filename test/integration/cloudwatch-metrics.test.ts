/**
 * The CloudWatch metrics adapter against a real moto server (started by the global setup).
 *
 * What moto 5.2.5 does here, and where it differs from CloudWatch:
 * - GetMetricStatistics computes Sum, Average, Minimum, Maximum and SampleCount; no percentiles
 *   (our MetricStat has none either).
 * - Buckets start at the first matching datapoint, not at StartTime or a period boundary; empty
 *   buckets are left out. The data below is aligned to the minute, so both agree.
 * - The window is StartTime <= t < EndTime; StartTime >= EndTime is rejected as InvalidParameterValue.
 * - Dimensions are matched as a subset: a query without dimensions returns every series of the
 *   metric (CloudWatch would return only the dimensionless one), so tests always query with the
 *   exact dimension set, which is correct against both.
 * - PutMetricData accepts "AWS/..." namespaces (CloudWatch rejects them), which lets us seed
 *   AWS/Firehose metrics.
 *
 * The test seeds data with the SDK client directly: that is test-only wiring, not adapter code.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createCloudWatchMetrics } from "../../src/adapters/aws/cloudwatch-metrics.ts";
import type { MetricQuery } from "../../src/ports/metrics.ts";

const endpoint = inject("motoEndpoint");
const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const MINUTE = 60_000;

const seeder = new CloudWatchClient({ region, endpoint, credentials });
const metrics = createCloudWatchMetrics({ region, endpoint, credentials, requestTimeoutMs: 5_000 });

/** The current minute's start: the window is the ten whole minutes before it. */
const end = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const start = new Date(end.getTime() - 10 * MINUTE);
const minuteAt = (i: number): Date => new Date(start.getTime() + i * MINUTE);
const minutes = Array.from({ length: 10 }, (_, i) => i);

async function put(namespace: string, data: MetricDatum[]): Promise<void> {
  await seeder.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
}

function query(
  overrides: Partial<MetricQuery> & Pick<MetricQuery, "namespace" | "metric" | "stat">,
): MetricQuery {
  return { periodSeconds: 60, start, end, ...overrides };
}

afterAll(() => {
  seeder.destroy();
});

// moto is shared by every test file of the run (some run in parallel), so no test resets it: each
// test writes under its own namespace and stream names instead.
let NS = "";
let STREAM = "";
let OTHER_STREAM = "";
beforeEach(() => {
  const id = randomUUID().slice(0, 8);
  NS = `ecommerce-streaming-${id}`;
  STREAM = `order-firehose-${id}`;
  OTHER_STREAM = `clickstream-firehose-${id}`;
});

describe("CloudWatch metrics adapter (moto)", () => {
  it("describes its target without credentials", () => {
    expect(metrics.describeTarget).toBe(`CloudWatch us-east-1 (${endpoint})`);
    expect(createCloudWatchMetrics({ region: "eu-west-1" }).describeTarget).toBe("CloudWatch eu-west-1");
    expect(metrics.describeTarget).not.toContain("test");
  });

  it("returns RecordsIn / RecordsOut per minute, Sum and Average exactly", async () => {
    // Two samples per minute (at :00 and :30), so Sum and Average differ; out is behind in.
    const recordsIn = (i: number): [number, number] => [1000 + 10 * i, 1200 + 10 * i];
    const recordsOut = (i: number): [number, number] => [900 + 5 * i, 1000 + 5 * i];
    const datum = (metric: string, at: Date, value: number): MetricDatum => ({
      MetricName: metric,
      Timestamp: at,
      Value: value,
      Unit: "Count",
    });
    const data = minutes.flatMap((i) => {
      const [in0, in1] = recordsIn(i);
      const [out0, out1] = recordsOut(i);
      const half = new Date(minuteAt(i).getTime() + 30_000);
      return [
        datum("RecordsIn", minuteAt(i), in0),
        datum("RecordsIn", half, in1),
        datum("RecordsOut", minuteAt(i), out0),
        datum("RecordsOut", half, out1),
      ];
    });
    // Outside the window on both sides: must not show up.
    data.push(datum("RecordsIn", new Date(start.getTime() - MINUTE), 99_999));
    data.push(datum("RecordsIn", end, 99_999));
    // Reverse the order of publication: the adapter must still return ascending times.
    await put(NS, data.reverse());

    const inSum = await metrics.series(query({ namespace: NS, metric: "RecordsIn", stat: "Sum" }));
    expect(inSum).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 2200 + 20 * i })));

    const inAverage = await metrics.series(query({ namespace: NS, metric: "RecordsIn", stat: "Average" }));
    expect(inAverage).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 1100 + 10 * i })));

    const outSum = await metrics.series(query({ namespace: NS, metric: "RecordsOut", stat: "Sum" }));
    expect(outSum).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 1900 + 10 * i })));

    const outAverage = await metrics.series(query({ namespace: NS, metric: "RecordsOut", stat: "Average" }));
    expect(outAverage).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 950 + 5 * i })));

    const inMax = await metrics.series(query({ namespace: NS, metric: "RecordsIn", stat: "Maximum" }));
    expect(inMax.map((p) => p.value)).toEqual(minutes.map((i) => 1200 + 10 * i));
    const inCount = await metrics.series(query({ namespace: NS, metric: "RecordsIn", stat: "SampleCount" }));
    expect(inCount.map((p) => p.value)).toEqual(minutes.map(() => 2));
  });

  it("selects the series by its dimensions (AWS/Firehose DeliveryToS3.Records)", async () => {
    const datum = (stream: string, i: number, value: number): MetricDatum => ({
      MetricName: "DeliveryToS3.Records",
      Dimensions: [{ Name: "DeliveryStreamName", Value: stream }],
      Timestamp: minuteAt(i),
      Value: value,
      Unit: "Count",
    });
    await put("AWS/Firehose", [
      ...minutes.map((i) => datum(STREAM, i, 500 + i)),
      ...minutes.map((i) => datum(OTHER_STREAM, i, 7_000)),
    ]);

    const delivered = await metrics.series(
      query({
        namespace: "AWS/Firehose",
        metric: "DeliveryToS3.Records",
        dimensions: { DeliveryStreamName: STREAM },
        stat: "Sum",
      }),
    );
    expect(delivered).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 500 + i })));

    const otherStream = await metrics.series(
      query({
        namespace: "AWS/Firehose",
        metric: "DeliveryToS3.Records",
        dimensions: { DeliveryStreamName: "no-such-firehose" },
        stat: "Sum",
      }),
    );
    expect(otherStream).toEqual([]);
  });

  it("returns an empty series when there are no datapoints", async () => {
    expect(await metrics.series(query({ namespace: NS, metric: "DLQRecordCount", stat: "Sum" }))).toEqual([]);

    // Data exists, but only before the window.
    await put(NS, [
      { MetricName: "DLQRecordCount", Timestamp: new Date(start.getTime() - 5 * MINUTE), Value: 3 },
    ]);
    expect(await metrics.series(query({ namespace: NS, metric: "DLQRecordCount", stat: "Sum" }))).toEqual([]);
  });

  it("rejects a service error with its code and message", async () => {
    await expect(
      metrics.series(query({ namespace: NS, metric: "RecordsIn", stat: "Sum", start: end, end: start })),
    ).rejects.toThrow(
      "CloudWatch GetMetricStatistics failed: InvalidParameterValue: The parameter StartTime must be less than the parameter EndTime.",
    );
  });
});

describe("CloudWatch metrics adapter (unreachable endpoint)", () => {
  const listen = (server: Server): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  const anyQuery = query({ namespace: "ecommerce-streaming", metric: "RecordsIn", stat: "Sum" });

  it("fails fast with 'could not reach' when nothing listens", async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server); // the port is now free: connections are refused
    const dead = `http://127.0.0.1:${port}`;
    const adapter = createCloudWatchMetrics({ region, endpoint: dead, credentials, requestTimeoutMs: 2_000 });

    const began = Date.now();
    await expect(adapter.series(anyQuery)).rejects.toThrow(`could not reach CloudWatch at ${dead}: `);
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it("gives up within the timeout when the endpoint accepts but never answers", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((socket) => {
      sockets.add(socket); // read nothing, answer nothing
    });
    const port = await listen(server);
    const silent = `http://127.0.0.1:${port}`;
    const adapter = createCloudWatchMetrics({ region, endpoint: silent, credentials, requestTimeoutMs: 800 });

    try {
      const began = Date.now();
      await expect(adapter.series(anyQuery)).rejects.toThrow(
        `CloudWatch GetMetricStatistics: no answer from ${silent} within 0.8 s`,
      );
      expect(Date.now() - began).toBeLessThan(800 + 500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(server);
    }
  });
});
