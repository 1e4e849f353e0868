/**
 * The MetricsPort contract against:
 * - the real CloudWatch adapter, with moto (real) answering PutMetricData, GetMetricStatistics and
 *   GetMetricData for basic statistics, and the stand-in (in front of moto) answering the
 *   percentile queries from values computed here from the very samples seeded into moto;
 * - the sandbox's simulated metrics (consumer-lag story).
 */
import { randomUUID } from "node:crypto";
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, inject } from "vitest";
import { createCloudWatchMetrics } from "../../src/adapters/aws/cloudwatch-metrics.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedMetrics } from "../../src/sandbox/simulated/simulated-metrics.ts";
import { type MonitoringStandin, startMonitoringStandin } from "../peers/aws-monitoring-standin.ts";
import { metricsContract } from "./metrics.contract.ts";

const MINUTE = 60_000;
/** moto is shared by the whole run and never reset here: the real subject writes under unique names. */
const RUN = randomUUID().slice(0, 8);
const end = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const start = new Date(end.getTime() - 10 * MINUTE);
const window = { start, end, periodSeconds: 60 };
const selectors = (ns: string, stream: string) => ({
  counter: { namespace: ns, metric: "RecordsIn" },
  gauge: { namespace: ns, metric: "LatencyP99" },
  byDimension: {
    namespace: "AWS/Firehose",
    metric: "DeliveryToS3.Records",
    dimensions: { DeliveryStreamName: stream },
  },
});

/** Nearest-rank percentile, as CloudWatch defines it for raw values. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

let standin: MonitoringStandin | undefined;
let seeder: CloudWatchClient | undefined;
afterAll(async () => {
  seeder?.destroy();
  await standin?.close();
});

metricsContract("CloudWatch adapter on moto + stand-in", async () => {
  const motoEndpoint = inject("motoEndpoint");
  const region = "us-east-1";
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const NS = `ecommerce-streaming-${RUN}`;
  const STREAM = `order-firehose-${RUN}`;
  const { counter, gauge, byDimension } = selectors(NS, STREAM);
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
  seeder = new CloudWatchClient({ region, endpoint: motoEndpoint, credentials });
  const minutes = Array.from({ length: 10 }, (_, i) => new Date(start.getTime() + i * MINUTE));
  const gaugeSamples = (i: number): number[] => Array.from({ length: 6 }, (_, k) => 3000 + i * 40 + k * 90);
  const data: MetricDatum[] = minutes.flatMap((at, i) => [
    { MetricName: "RecordsIn", Timestamp: at, Value: 60_000 + i * 100, Unit: "Count" },
    ...gaugeSamples(i).map((value, k) => ({
      MetricName: "LatencyP99",
      Timestamp: new Date(at.getTime() + k * 10_000),
      Value: value,
      Unit: "Milliseconds" as const,
    })),
  ]);
  await seeder.send(new PutMetricDataCommand({ Namespace: NS, MetricData: data }));
  await seeder.send(
    new PutMetricDataCommand({
      Namespace: "AWS/Firehose",
      MetricData: minutes.map((at) => ({
        MetricName: "DeliveryToS3.Records",
        Dimensions: [{ Name: "DeliveryStreamName", Value: STREAM }],
        Timestamp: at,
        Value: 45_000,
        Unit: "Count",
      })),
    }),
  );
  for (const p of [50, 99]) {
    standin.programMetric({
      ...gauge,
      stat: `p${p}`,
      points: minutes.map((at, i) => ({ at, value: percentile(gaugeSamples(i), p) })),
    });
  }
  return {
    port: createCloudWatchMetrics({
      region,
      endpoint: standin.endpoint,
      credentials,
      requestTimeoutMs: 15_000,
    }),
    window,
    counter,
    gauge,
    byDimension,
  };
});

metricsContract("simulated metrics (sandbox)", async () => ({
  port: new SimulatedMetrics(new ConsumerLagScenario({ now: () => end.getTime() }), {
    namespace: "ecommerce-streaming",
  }),
  window,
  ...selectors("ecommerce-streaming", "order-firehose"),
}));
