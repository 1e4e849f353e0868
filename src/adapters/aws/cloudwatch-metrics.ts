/**
 * MetricsPort over Amazon CloudWatch GetMetricStatistics.
 *
 * Wire protocol: @aws-sdk/client-cloudwatch 3.1164 already sends AWS JSON 1.0 (awsQueryCompatible,
 * `X-Amz-Target: GraniteServiceVersion20100801.*`) by default; CloudWatch and moto (5.2.5 here) speak it.
 * Smithy RPCv2 CBOR (aws-sdk-go-v2's default) is not spoken by moto. Should a later SDK switch the
 * default, the client's `protocol` option pins it (`AwsJson1_0Protocol` from `@aws-sdk/core/protocols`,
 * which would then become a direct dependency); the integration tests against moto would flag the switch.
 */
import { CloudWatchClient, type Datapoint, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import type { MetricPoint, MetricQuery, MetricStat, MetricsPort } from "../../ports/metrics.ts";
import { type AwsClientOptions, awsClientConfig, callAws, describeAwsTarget } from "./aws-call.ts";

export type CloudWatchMetricsOptions = AwsClientOptions;

function statValue(point: Datapoint, stat: MetricStat): number | undefined {
  switch (stat) {
    case "Sum":
      return point.Sum;
    case "Average":
      return point.Average;
    case "Maximum":
      return point.Maximum;
    case "Minimum":
      return point.Minimum;
    case "SampleCount":
      return point.SampleCount;
  }
}

export function createCloudWatchMetrics(options: CloudWatchMetricsOptions): MetricsPort {
  const client = new CloudWatchClient(awsClientConfig(options));
  const ctx = { service: "CloudWatch", operation: "GetMetricStatistics", options };

  async function series(query: MetricQuery): Promise<MetricPoint[]> {
    const dimensions = Object.entries(query.dimensions ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Name, Value]) => ({ Name, Value }));
    const command = new GetMetricStatisticsCommand({
      Namespace: query.namespace,
      MetricName: query.metric,
      Dimensions: dimensions,
      StartTime: query.start,
      EndTime: query.end,
      Period: query.periodSeconds,
      Statistics: [query.stat],
    });
    // The signal bounds the whole call, retries and backoff included.
    const output = await callAws(ctx, (abortSignal) => client.send(command, { abortSignal }));
    const points: MetricPoint[] = [];
    for (const datapoint of output.Datapoints ?? []) {
      const value = statValue(datapoint, query.stat);
      if (datapoint.Timestamp === undefined || value === undefined) continue;
      points.push({ at: new Date(datapoint.Timestamp), value });
    }
    return points.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  return { describeTarget: describeAwsTarget("CloudWatch", options), series };
}
