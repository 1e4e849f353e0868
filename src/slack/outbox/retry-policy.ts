/**
 * Which Web API failures are worth another attempt, and when. Slack answers most errors with HTTP
 * 200 and `{ok:false, error}`; the transient ones (`ratelimited`, `internal_error`, ...) and HTTP
 * 429 (with Retry-After) and 5xx are retried; everything else (not_in_channel, channel_not_found,
 * invalid_auth, msg_too_long, ...) would fail the same way again.
 */

/** Slack error codes that mean "try again later". */
export const RETRYABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "service_unavailable",
  "fatal_error",
  "request_timeout",
]);

export interface FailureClass {
  readonly retryable: boolean;
  /** Slack's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
  /** A short name for logs and the status message (never a token or a payload). */
  readonly reason: string;
}

interface WebApiErrorShape {
  readonly code?: unknown;
  readonly data?: {
    readonly error?: unknown;
    readonly response_metadata?: { readonly retryAfter?: unknown };
  };
  readonly retryAfter?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

const seconds = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;

/** Classifies an error thrown by @slack/web-api's WebClient (retries off, rate-limited calls rejected). */
export function classifyFailure(error: unknown): FailureClass {
  const e = (typeof error === "object" && error !== null ? error : {}) as WebApiErrorShape;
  switch (e.code) {
    case "slack_webapi_rate_limited_error": {
      const after = seconds(e.retryAfter);
      return { retryable: true, reason: "HTTP 429", ...(after === undefined ? {} : { retryAfterMs: after }) };
    }
    case "slack_webapi_platform_error": {
      const code = typeof e.data?.error === "string" ? e.data.error : "unknown_error";
      const after = seconds(e.data?.response_metadata?.retryAfter);
      return {
        retryable: RETRYABLE_SLACK_ERRORS.has(code),
        reason: code,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    }
    case "slack_webapi_http_error": {
      const status = typeof e.statusCode === "number" ? e.statusCode : 0;
      return { retryable: status === 429 || status >= 500, reason: `HTTP ${status}` };
    }
    case "slack_webapi_request_error":
      // The request may not have reached Slack (connection refused, reset): another attempt.
      return { retryable: true, reason: "no answer from Slack" };
    default:
      return { retryable: false, reason: typeof e.message === "string" ? e.message : String(error) };
  }
}

export interface RetryLimits {
  /** Attempts in all (the first one included). */
  readonly maxAttempts: number;
  /** Backoff of the first retry when Slack gave no Retry-After; doubles per retry. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this (a Retry-After beyond it is cut to it). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/** How long to wait before attempt `attempt + 1` (attempt counts from 1). */
export function retryDelayMs(failure: FailureClass, attempt: number, limits: RetryLimits): number {
  const backoff = limits.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(limits.maxDelayMs, failure.retryAfterMs ?? backoff);
}
