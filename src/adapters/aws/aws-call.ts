/**
 * What every AWS adapter shares: client options (endpoint, credentials, timeouts, a bounded
 * retry with the SDK's backoff, which also retries throttling) and one way to turn SDK errors into
 * typed errors whose messages can go into a thread ("CloudWatch throttled GetMetricData 3 times;
 * gave up after 8 s"). Credentials never appear in a message.
 */
import { maskUrl } from "../../core/mask-url.ts";

export interface AwsClientOptions {
  readonly region: string;
  /** Endpoint override, e.g. an AWS emulator. */
  readonly endpoint?: string;
  /** Static credentials; without them the SDK's default provider chain is used. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Upper bound for one call, retries and backoff included. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Attempts per call (first try included), with the SDK's exponential backoff between them. Default 3. */
  readonly maxAttempts?: number;
}

export const DEFAULT_AWS_TIMEOUT_MS = 10_000;
export const DEFAULT_AWS_MAX_ATTEMPTS = 3;

/** The options every SDK v3 client takes, from ours. */
export function awsClientConfig(options: AwsClientOptions) {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_AWS_TIMEOUT_MS;
  return {
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_AWS_MAX_ATTEMPTS,
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
  };
}

/** The endpoint without any user:password part, safe to show. */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    return maskUrl(url.toString().replace(/\/$/, ""));
  } catch {
    return maskUrl(endpoint);
  }
}

/** "CloudWatch us-east-1" or "CloudWatch us-east-1 (http://127.0.0.1:5000)". */
export function describeAwsTarget(service: string, options: AwsClientOptions): string {
  return options.endpoint === undefined
    ? `${service} ${options.region}`
    : `${service} ${options.region} (${displayEndpoint(options.endpoint)})`;
}

import { AwsCallError, type AwsErrorKind } from "../../ports/aws-error.ts";

export { AwsCallError, type AwsErrorKind };

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

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "RequestLimitExceeded",
  "SlowDown",
]);

interface ErrorShape {
  readonly name?: unknown;
  /** The awsQuery error code ("InvalidParameterValue"), set by the SDK for query-compatible services. */
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: {
    readonly httpStatusCode?: number;
    readonly attempts?: number;
    readonly totalRetryDelay?: number;
  };
}

export interface AwsCallContext {
  /** "CloudWatch", "CloudWatch Logs", "Firehose", "MSK". */
  readonly service: string;
  /** The API operation, e.g. GetMetricData. */
  readonly operation: string;
  readonly options: AwsClientOptions;
}

/**
 * Runs one SDK call with the whole-call deadline (retries included) and turns its failure into an
 * AwsCallError. `send` receives the abort signal to pass as the SDK's `abortSignal`.
 */
export async function callAws<T>(ctx: AwsCallContext, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeoutMs = ctx.options.requestTimeoutMs ?? DEFAULT_AWS_TIMEOUT_MS;
  const started = performance.now();
  try {
    return await send(AbortSignal.timeout(timeoutMs));
  } catch (error) {
    throw toAwsCallError(ctx, error, performance.now() - started, timeoutMs);
  }
}

export function toAwsCallError(
  ctx: AwsCallContext,
  error: unknown,
  elapsedMs: number,
  timeoutMs: number,
): AwsCallError {
  const shape: ErrorShape = typeof error === "object" && error !== null ? (error as ErrorShape) : {};
  const message = typeof shape.message === "string" ? shape.message : String(error);
  const where =
    ctx.options.endpoint === undefined
      ? `the ${ctx.options.region} endpoint`
      : displayEndpoint(ctx.options.endpoint);
  const status = shape.$metadata?.httpStatusCode;
  const name = typeof shape.name === "string" ? shape.name : "";
  const netCode = typeof shape.code === "string" ? shape.code : "";
  if (
    status === undefined &&
    (name === "AbortError" || name === "TimeoutError" || name === "RequestTimeout")
  ) {
    return new AwsCallError(
      "timeout",
      name,
      `${ctx.service} ${ctx.operation}: no answer from ${where} within ${seconds(timeoutMs)}`,
      {
        cause: error,
      },
    );
  }
  if (status === undefined && (NETWORK_ERROR_CODES.has(netCode) || NETWORK_ERROR_CODES.has(name))) {
    return new AwsCallError(
      "unreachable",
      netCode || name,
      `could not reach ${ctx.service} at ${where}: ${message}`,
      {
        cause: error,
      },
    );
  }
  // Prefer the documented code (awsQuery services) over the SDK's class name.
  const code = typeof shape.Code === "string" ? shape.Code : name || "Error";
  const attempts = shape.$metadata?.attempts ?? 1;
  if (THROTTLING.has(code) || THROTTLING.has(name) || status === 429) {
    return new AwsCallError(
      "throttled",
      code,
      `${ctx.service} throttled ${ctx.operation} ${attempts} time${attempts === 1 ? "" : "s"}; gave up after ${seconds(elapsedMs)}`,
      { cause: error },
    );
  }
  const kind: AwsErrorKind =
    status === 403 ||
    /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken|NotAuthorized/i.test(code)
      ? "denied"
      : status === 404 || /NotFound/i.test(code)
        ? "not-found"
        : /ConcurrentModification|Conflict/i.test(code) || status === 409
          ? "conflict"
          : /InvalidParameter|InvalidArgument|Validation|BadRequest/i.test(code) || status === 400
            ? "invalid"
            : "service";
  return new AwsCallError(kind, code, `${ctx.service} ${ctx.operation} failed: ${code}: ${message}`, {
    cause: error,
  });
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${Math.round(s * 10) / 10} s` : `${Math.round(s)} s`;
}
