/**
 * The CloudWatch metrics adapter's GetMetricData path (several series in one call, percentiles)
 * and its behaviour under faults.
 *
 * Which peer answers what:
 * - moto 5.2.5 (real, from the global setup): PutMetricData (seeding), GetMetricStatistics, and
 *   GetMetricData for basic statistics. moto's GetMetricData buckets start at StartTime (its
 *   GetMetricStatistics starts at the first datapoint); the seeded data is minute-aligned, so both
 *   agree with CloudWatch here.
 * - the stand-in (test/peers/aws-monitoring-standin.ts, in front of moto): GetMetricData queries
 *   with a percentile Stat (moto answers them with null values), from programmed series; paging
 *   (PartialData + NextToken); throttling (HTTP 400 Throttling), HTTP 500, 403 and hangs.
 * - a closed port: nothing listening.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { AwsCallError } from "../../src/adapters/aws/aws-call.ts";
import { createCloudWatchMetrics } from "../../src/adapters/aws/cloudwatch-metrics.ts";
import type { MetricWindow } from "../../src/ports/metrics.ts";
import { type MonitoringStandin, startMonitoringStandin } from "../peers/aws-monitoring-standin.ts";

const motoEndpoint = inject("motoEndpoint");
const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const MINUTE = 60_000;
/** moto is shared by every test file of the run, so no test resets it: names are unique per test. */
let NS = "ecommerce-streaming";
let STREAM = "order-firehose";

const seeder = new CloudWatchClient({ region, endpoint: motoEndpoint, credentials });
const end = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const start = new Date(end.getTime() - 10 * MINUTE);
const minuteAt = (i: number): Date => new Date(start.getTime() + i * MINUTE);
const minutes = Array.from({ length: 10 }, (_, i) => i);
const window: MetricWindow = { start, end, periodSeconds: 60 };

let standin: MonitoringStandin;

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
});

afterAll(async () => {
  seeder.destroy();
  await standin.close();
});

beforeEach(async () => {
  standin.reset();
  const id = randomUUID().slice(0, 8);
  NS = `ecommerce-streaming-${id}`;
  STREAM = `order-firehose-${id}`;
});

async function seedRecords(): Promise<void> {
  const datum = (metric: string, at: Date, value: number, dims?: Record<string, string>): MetricDatum => ({
    MetricName: metric,
    Timestamp: at,
    Value: value,
    Unit: "Count",
    ...(dims ? { Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) } : {}),
  });
  await seeder.send(
    new PutMetricDataCommand({
      Namespace: NS,
      MetricData: minutes.flatMap((i) => [
        datum("RecordsIn", minuteAt(i), 60_000 + i * 100),
        datum("RecordsOut", minuteAt(i), 45_600),
      ]),
    }),
  );
  await seeder.send(
    new PutMetricDataCommand({
      Namespace: "AWS/Firehose",
      MetricData: minutes.map((i) =>
        datum("DeliveryToS3.Records", minuteAt(i), 45_000, { DeliveryStreamName: STREAM }),
      ),
    }),
  );
}

describe("GetMetricData, answered by moto", () => {
  it("reads several series in one call, keyed as asked, equal to one-by-one GetMetricStatistics", async () => {
    await seedRecords();
    const metrics = createCloudWatchMetrics({ region, endpoint: standin.endpoint, credentials });
    const batch = await metrics.seriesBatch(window, {
      recordsIn: { namespace: NS, metric: "RecordsIn", stat: "Sum" },
      recordsOut: { namespace: NS, metric: "RecordsOut", stat: "Sum" },
      delivered: {
        namespace: "AWS/Firehose",
        metric: "DeliveryToS3.Records",
        dimensions: { DeliveryStreamName: STREAM },
        stat: "Sum",
      },
      "no such metric": { namespace: NS, metric: "NoSuchMetric", stat: "Sum" },
    });
    expect(batch.recordsIn).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 60_000 + i * 100 })));
    expect(batch.recordsOut).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 45_600 })));
    expect(batch.delivered).toEqual(minutes.map((i) => ({ at: minuteAt(i), value: 45_000 })));
    expect(batch["no such metric"]).toEqual([]);

    // One request, passed through to moto, with the documented JSON 1.0 shape.
    const calls = standin.requests.filter((r) => r.operation === "GetMetricData");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      service: "CloudWatch",
      forwarded: true,
      contentType: "application/x-amz-json-1.0",
      target: "GraniteServiceVersion20100801.GetMetricData",
    });
    expect(calls[0]?.body).toMatchObject({
      ScanBy: "TimestampAscending",
      StartTime: start.getTime() / 1000,
      EndTime: end.getTime() / 1000,
      MetricDataQueries: [
        {
          Id: "q0",
          MetricStat: {
            Metric: { Namespace: NS, MetricName: "RecordsIn", Dimensions: [] },
            Period: 60,
            Stat: "Sum",
          },
          ReturnData: true,
        },
        expect.objectContaining({ Id: "q1" }),
        expect.objectContaining({
          Id: "q2",
          MetricStat: expect.objectContaining({
            Metric: {
              Namespace: "AWS/Firehose",
              MetricName: "DeliveryToS3.Records",
              Dimensions: [{ Name: "DeliveryStreamName", Value: STREAM }],
            },
          }),
        }),
        expect.objectContaining({ Id: "q3" }),
      ],
    });

    // GetMetricStatistics straight from moto agrees.
    const direct = createCloudWatchMetrics({ region, endpoint: motoEndpoint, credentials });
    expect(await direct.series({ ...window, namespace: NS, metric: "RecordsIn", stat: "Sum" })).toEqual(
      batch.recordsIn,
    );
  });
});

describe("percentiles, answered by the stand-in (moto has none)", () => {
  it("reads p50/p99 with GetMetricData, mixed with basic statistics from moto in the same call", async () => {
    await seedRecords();
    const p99 = minutes.map((i) => ({ at: minuteAt(i), value: 3000 + i * 250 }));
    standin.programMetric({ namespace: NS, metric: "checkpoint_duration_ms", stat: "p99", points: p99 });
    standin.programMetric({
      namespace: NS,
      metric: "checkpoint_duration_ms",
      stat: "p50",
      points: minutes.map((i) => ({ at: minuteAt(i), value: 1000 })),
    });
    // Outside the window: left out.
    standin.programMetric({
      namespace: NS,
      metric: "checkpoint_duration_ms",
      stat: "p95",
      points: [{ at: new Date(end.getTime()), value: 1 }],
    });
    const metrics = createCloudWatchMetrics({ region, endpoint: standin.endpoint, credentials });

    const single = await metrics.series({
      ...window,
      namespace: NS,
      metric: "checkpoint_duration_ms",
      stat: "p99",
    });
    expect(single).toEqual(p99);
    expect(standin.requests.at(-1)).toMatchObject({ operation: "GetMetricData", forwarded: false });

    const batch = await metrics.seriesBatch(window, {
      p50: { namespace: NS, metric: "checkpoint_duration_ms", stat: "p50" },
      p95: { namespace: NS, metric: "checkpoint_duration_ms", stat: "p95" },
      p99: { namespace: NS, metric: "checkpoint_duration_ms", stat: "p99" },
      recordsIn: { namespace: NS, metric: "RecordsIn", stat: "Sum" },
    });
    expect(batch.p99).toEqual(p99);
    expect(batch.p50.map((p) => p.value)).toEqual(minutes.map(() => 1000));
    expect(batch.p95).toEqual([]);
    expect(batch.recordsIn.map((p) => p.value)).toEqual(minutes.map((i) => 60_000 + i * 100));
  });

  it("follows NextToken pages (StatusCode PartialData) to the end", async () => {
    const points = minutes.map((i) => ({ at: minuteAt(i), value: i }));
    standin.programMetric({ namespace: NS, metric: "LatencyMs", stat: "p95", points });
    standin.pageSize = 3;
    const metrics = createCloudWatchMetrics({ region, endpoint: standin.endpoint, credentials });
    expect(await metrics.series({ ...window, namespace: NS, metric: "LatencyMs", stat: "p95" })).toEqual(
      points,
    );
    const pages = standin.requests.filter((r) => r.operation === "GetMetricData");
    expect(pages.map((r) => r.body.NextToken)).toEqual([undefined, "3", "6", "9"]);
  });

  it("refuses a statistic CloudWatch does not have, without calling it", async () => {
    const metrics = createCloudWatchMetrics({ region, endpoint: standin.endpoint, credentials });
    await expect(
      metrics.series({ ...window, namespace: NS, metric: "RecordsIn", stat: "p0" }),
    ).rejects.toMatchObject({ kind: "invalid", message: expect.stringContaining('"p0" is not a statistic') });
    expect(standin.requests).toHaveLength(0);
  });
});

describe("faults (stand-in)", () => {
  const query = { ...window, namespace: "ecommerce-streaming", metric: "LatencyMs", stat: "p99" } as const;

  it("retries throttling with backoff and succeeds (throttled twice, then answered)", async () => {
    standin.programMetric({
      namespace: "ecommerce-streaming",
      metric: "LatencyMs",
      stat: "p99",
      points: [{ at: minuteAt(1), value: 7 }],
    });
    standin.faults.push({ operation: "GetMetricData", kind: "throttle", times: 2 });
    const metrics = createCloudWatchMetrics({
      region,
      endpoint: standin.endpoint,
      credentials,
      requestTimeoutMs: 15_000,
    });
    expect(await metrics.series(query)).toEqual([{ at: minuteAt(1), value: 7 }]);
    expect(standin.requests.filter((r) => r.operation === "GetMetricData")).toHaveLength(3);
  });

  it("throttled every time: a typed error saying how often and for how long", async () => {
    standin.faults.push({ operation: "GetMetricData", kind: "throttle", times: Number.POSITIVE_INFINITY });
    const metrics = createCloudWatchMetrics({
      region,
      endpoint: standin.endpoint,
      credentials,
      requestTimeoutMs: 15_000,
    });
    const error = await metrics.series(query).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ kind: "throttled", code: "Throttling" });
    expect((error as Error).message).toMatch(
      /^CloudWatch throttled GetMetricData 3 times; gave up after \d+(\.\d)? s$/,
    );
    expect(standin.requests).toHaveLength(3);
    expect((error as Error).message).not.toContain("test");
  });

  it("HTTP 500 every time: retried, then a service error", async () => {
    standin.faults.push({ operation: "GetMetricData", kind: "error500", times: Number.POSITIVE_INFINITY });
    const metrics = createCloudWatchMetrics({
      region,
      endpoint: standin.endpoint,
      credentials,
      requestTimeoutMs: 15_000,
    });
    await expect(metrics.series(query)).rejects.toMatchObject({
      kind: "service",
      message: expect.stringMatching(/^CloudWatch GetMetricData failed: InternalServiceError: /),
    });
    expect(standin.requests).toHaveLength(3);
  });

  it("403: denied at once, not retried", async () => {
    standin.faults.push({ operation: "GetMetricStatistics", kind: "denied", times: 1 });
    const metrics = createCloudWatchMetrics({ region, endpoint: standin.endpoint, credentials });
    await expect(
      metrics.series({ ...window, namespace: NS, metric: "RecordsIn", stat: "Sum" }),
    ).rejects.toMatchObject({
      kind: "denied",
      message: expect.stringContaining("CloudWatch GetMetricStatistics failed: AccessDenied"),
    });
    expect(standin.requests).toHaveLength(1);
  });

  it("a hang: a timeout error within the call's deadline", async () => {
    standin.faults.push({ operation: "GetMetricData", kind: "hang", times: Number.POSITIVE_INFINITY });
    const metrics = createCloudWatchMetrics({
      region,
      endpoint: standin.endpoint,
      credentials,
      requestTimeoutMs: 1_000,
    });
    const began = Date.now();
    await expect(metrics.series(query)).rejects.toMatchObject({
      kind: "timeout",
      message: `CloudWatch GetMetricData: no answer from ${standin.endpoint} within 1 s`,
    });
    expect(Date.now() - began).toBeLessThan(1_000 + 1_500);
  });

  it("nothing listening: unreachable, well within the timeout", async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        resolve(address && typeof address === "object" ? address.port : 0);
      });
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dead = `http://127.0.0.1:${port}`;
    const metrics = createCloudWatchMetrics({ region, endpoint: dead, credentials, requestTimeoutMs: 5_000 });
    const began = Date.now();
    await expect(
      metrics.seriesBatch(window, { a: { namespace: NS, metric: "RecordsIn", stat: "Sum" } }),
    ).rejects.toMatchObject({
      kind: "unreachable",
      message: expect.stringContaining(`could not reach CloudWatch at ${dead}: `),
    });
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});
