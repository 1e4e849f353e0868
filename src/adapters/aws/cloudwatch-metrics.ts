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

export interface CloudWatchMetricsOptions {
  readonly region: string;
  /** Endpoint override, e.g. an AWS emulator. */
  readonly endpoint?: string;
  /** Static credentials; without them the SDK's default provider chain is used. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Upper bound for one series() call, retries included. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** One retry at most: a dead endpoint must turn into a finding quickly, not after minutes. */
const MAX_ATTEMPTS = 2;

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** The endpoint without any user:password part, safe to show. */
function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return endpoint;
  }
}

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

interface ErrorShape {
  readonly name?: unknown;
  /** The awsQuery error code ("InvalidParameterValue"), set by the SDK for query-compatible services. */
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function isNetworkError(error: ErrorShape): boolean {
  if (error.$metadata?.httpStatusCode !== undefined) return false; // the service answered
  const name = typeof error.name === "string" ? error.name : "";
  const code = typeof error.code === "string" ? error.code : "";
  return (
    NETWORK_ERROR_CODES.has(code) ||
    name === "TimeoutError" ||
    name === "AbortError" ||
    name === "RequestTimeout"
  );
}

export function createCloudWatchMetrics(options: CloudWatchMetricsOptions): MetricsPort {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const endpoint = options.endpoint === undefined ? undefined : displayEndpoint(options.endpoint);
  const where = endpoint ?? `the ${options.region} regional endpoint`;
  const client = new CloudWatchClient({
    region: options.region,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: options.credentials.accessKeyId,
            secretAccessKey: options.credentials.secretAccessKey,
          },
        }),
  });

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
    let datapoints: Datapoint[];
    try {
      // The signal bounds the whole call, retries and backoff included.
      const output = await client.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
      datapoints = output.Datapoints ?? [];
    } catch (error) {
      const shape: ErrorShape = typeof error === "object" && error !== null ? error : {};
      const message = typeof shape.message === "string" ? shape.message : String(error);
      if (isNetworkError(shape)) {
        const detail = shape.name === "AbortError" ? `no answer within ${timeoutMs} ms` : message;
        throw new Error(`could not reach CloudWatch at ${where}: ${detail}`, { cause: error });
      }
      // Prefer the documented CloudWatch code over the SDK's class name ("...Exception").
      const code =
        typeof shape.Code === "string" ? shape.Code : typeof shape.name === "string" ? shape.name : "Error";
      throw new Error(`CloudWatch GetMetricStatistics failed: ${code}: ${message}`, { cause: error });
    }

    const points: MetricPoint[] = [];
    for (const datapoint of datapoints) {
      const value = statValue(datapoint, query.stat);
      if (datapoint.Timestamp === undefined || value === undefined) continue;
      points.push({ at: new Date(datapoint.Timestamp), value });
    }
    return points.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  return {
    describeTarget:
      endpoint === undefined ? `CloudWatch ${options.region}` : `CloudWatch ${options.region} (${endpoint})`,
    series,
  };
}
