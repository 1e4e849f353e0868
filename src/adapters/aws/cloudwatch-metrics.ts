/**
 * MetricsPort over Amazon CloudWatch: GetMetricStatistics for one series with a basic statistic,
 * GetMetricData for percentiles and for several series in one round trip.
 *
 * Wire protocol: @aws-sdk/client-cloudwatch 3.1164 already sends AWS JSON 1.0 (awsQueryCompatible,
 * `X-Amz-Target: GraniteServiceVersion20100801.*`, `x-amzn-query-mode: true`) by default; CloudWatch
 * and moto (5.2.5 here) speak it. Smithy RPCv2 CBOR (aws-sdk-go-v2's default) is not spoken by moto.
 * Should a later SDK switch the default, the client's `protocol` option pins it (`AwsJson1_0Protocol`
 * from `@aws-sdk/core/protocols`, which would then become a direct dependency); the integration tests
 * against moto would flag the switch.
 *
 * GetMetricData: query ids must match ^[a-z][a-zA-Z0-9_]*$, so the caller's keys are mapped to
 * q0, q1, ...; at most 500 queries per request (larger batches are split); results can be paged
 * (NextToken, StatusCode PartialData), and each result has its own StatusCode (Complete,
 * PartialData, InternalError, Forbidden).
 */
import {
  CloudWatchClient,
  type Datapoint,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  GetMetricStatisticsCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import {
  isBasicStat,
  isMetricStatistic,
  type MetricPoint,
  type MetricQuery,
  type MetricSelector,
  type MetricStat,
  type MetricsPort,
  type MetricWindow,
} from "../../ports/metrics.ts";
import {
  AwsCallError,
  type AwsClientOptions,
  awsClientConfig,
  callAws,
  describeAwsTarget,
} from "./aws-call.ts";

export type CloudWatchMetricsOptions = AwsClientOptions;

/** GetMetricData's limit on queries per request. */
const MAX_QUERIES_PER_REQUEST = 500;
/** A guard against a server that keeps answering with a NextToken. */
const MAX_PAGES = 50;

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

function dimensionList(dimensions: Readonly<Record<string, string>> | undefined) {
  return Object.entries(dimensions ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Name, Value]) => ({ Name, Value }));
}

function byTime(a: MetricPoint, b: MetricPoint): number {
  return a.at.getTime() - b.at.getTime();
}

function invalid(message: string): AwsCallError {
  return new AwsCallError("invalid", "InvalidParameterValue", message);
}

function checkSelector(key: string, selector: MetricSelector): void {
  if (!isMetricStatistic(selector.stat)) {
    throw invalid(`CloudWatch: "${selector.stat}" is not a statistic (series ${key}: ${selector.metric})`);
  }
}

export function createCloudWatchMetrics(options: CloudWatchMetricsOptions): MetricsPort {
  const client = new CloudWatchClient(awsClientConfig(options));
  const statisticsCtx = { service: "CloudWatch", operation: "GetMetricStatistics", options };
  const dataCtx = { service: "CloudWatch", operation: "GetMetricData", options };

  async function statistics(query: MetricQuery & { stat: MetricStat }): Promise<MetricPoint[]> {
    const command = new GetMetricStatisticsCommand({
      Namespace: query.namespace,
      MetricName: query.metric,
      Dimensions: dimensionList(query.dimensions),
      StartTime: query.start,
      EndTime: query.end,
      Period: query.periodSeconds,
      Statistics: [query.stat],
    });
    // The signal bounds the whole call, retries and backoff included.
    const output = await callAws(statisticsCtx, (abortSignal) => client.send(command, { abortSignal }));
    const points: MetricPoint[] = [];
    for (const datapoint of output.Datapoints ?? []) {
      const value = statValue(datapoint, query.stat);
      if (datapoint.Timestamp === undefined || value === undefined) continue;
      points.push({ at: new Date(datapoint.Timestamp), value });
    }
    return points.sort(byTime);
  }

  /** One GetMetricData request (paged) for at most 500 queries; returns points per query id. */
  async function metricData(
    window: MetricWindow,
    queries: readonly MetricDataQuery[],
    labelOf: (id: string) => string,
  ): Promise<Map<string, MetricPoint[]>> {
    const points = new Map<string, MetricPoint[]>(queries.map((q) => [q.Id ?? "", []]));
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const command = new GetMetricDataCommand({
        MetricDataQueries: [...queries],
        StartTime: window.start,
        EndTime: window.end,
        ScanBy: "TimestampAscending",
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      });
      const output: GetMetricDataCommandOutput = await callAws(dataCtx, (abortSignal) =>
        client.send(command, { abortSignal }),
      );
      for (const result of output.MetricDataResults ?? []) {
        const id = result.Id ?? "";
        const into = points.get(id);
        if (into === undefined) continue;
        if (result.StatusCode === "Forbidden" || result.StatusCode === "InternalError") {
          const detail = (result.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join("; ");
          throw new AwsCallError(
            result.StatusCode === "Forbidden" ? "denied" : "service",
            result.StatusCode,
            `CloudWatch GetMetricData failed for ${labelOf(id)}: ${result.StatusCode}${detail ? ` (${detail})` : ""}`,
          );
        }
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        for (let i = 0; i < timestamps.length; i++) {
          const at = timestamps[i];
          const value = values[i];
          if (at === undefined || typeof value !== "number" || !Number.isFinite(value)) continue;
          into.push({ at: new Date(at), value });
        }
      }
      nextToken = output.NextToken;
      if (nextToken === undefined || nextToken === "") break;
    }
    for (const list of points.values()) list.sort(byTime);
    return points;
  }

  async function seriesBatch<K extends string>(
    window: MetricWindow,
    selectors: Readonly<Record<K, MetricSelector>>,
  ): Promise<Record<K, MetricPoint[]>> {
    const entries = Object.entries(selectors) as [K, MetricSelector][];
    for (const [key, selector] of entries) checkSelector(key, selector);
    const result = {} as Record<K, MetricPoint[]>;
    for (let offset = 0; offset < entries.length; offset += MAX_QUERIES_PER_REQUEST) {
      const chunk = entries.slice(offset, offset + MAX_QUERIES_PER_REQUEST);
      const queries: MetricDataQuery[] = chunk.map(([, selector], i) => ({
        Id: `q${offset + i}`,
        MetricStat: {
          Metric: {
            Namespace: selector.namespace,
            MetricName: selector.metric,
            Dimensions: dimensionList(selector.dimensions),
          },
          Period: window.periodSeconds,
          Stat: selector.stat,
        },
        ReturnData: true,
      }));
      const labelOf = (id: string): string => {
        const entry = chunk[Number(id.slice(1)) - offset];
        return entry === undefined ? id : `${entry[1].metric} ${entry[1].stat}`;
      };
      const points = await metricData(window, queries, labelOf);
      chunk.forEach(([key], i) => {
        result[key] = points.get(`q${offset + i}`) ?? [];
      });
    }
    return result;
  }

  async function series(query: MetricQuery): Promise<MetricPoint[]> {
    checkSelector("0", query);
    const { stat } = query;
    if (isBasicStat(stat)) return statistics({ ...query, stat });
    const { one } = await seriesBatch(query, { one: query });
    return one;
  }

  return { describeTarget: describeAwsTarget("CloudWatch", options), series, seriesBatch };
}
