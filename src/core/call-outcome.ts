/**
 * Whether a write that threw may still have happened. A call that timed out, or whose connection
 * was lost after the request went out, may have been applied by the server (a PATCH held 20 s is
 * applied at 20 s even when the client gave up at 10 s): its outcome is unknown, never "failed".
 * A refusal before anything was sent (connection refused, DNS) or an answer from the server (an
 * HTTP error, a typed refusal) is a failure. Pure: reads only the error's name, code, status and
 * message, and its `cause` chain, so it needs no SDK.
 */

export type CallOutcome = "failed" | "unknown";

/** Codes of a connection lost or timed out (the request may have been written). */
const UNKNOWN_CODES = new Set([
  "ETIMEDOUT",
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ESOCKETTIMEDOUT",
  "ABORT_ERR",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/** Error names of timeouts and lost connections (ours, Node's, the SDKs'). */
const UNKNOWN_NAMES = new Set([
  "AbortError",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSConnectionClosedError",
]);

/** Typed error codes of our adapters that mean "timed out" (KubernetesError, AwsCallError kinds). */
const UNKNOWN_TYPED = new Set(["timeout"]);

/** Messages of a connection closed mid-request, when no code says so. */
const LOST_MESSAGE =
  /socket hang up|ECONNRESET|ETIMEDOUT|EPIPE|connection (was )?(reset|closed)|other side closed/i;

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly kind?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function answered(e: ErrorShape): boolean {
  return typeof e.status === "number" || typeof e.$metadata?.httpStatusCode === "number";
}

/** One error of the chain: "unknown", "failed" (a definite answer), or undefined (look at its cause). */
function classifyOne(e: ErrorShape): CallOutcome | undefined {
  if (answered(e)) return "failed";
  const name = typeof e.name === "string" ? e.name : "";
  const code = typeof e.code === "string" ? e.code : "";
  const kind = typeof e.kind === "string" ? e.kind : "";
  if (UNKNOWN_NAMES.has(name) || UNKNOWN_CODES.has(code)) return "unknown";
  if (UNKNOWN_TYPED.has(code) || UNKNOWN_TYPED.has(kind)) return "unknown";
  if (typeof e.message === "string" && LOST_MESSAGE.test(e.message) && !/ECONNREFUSED/.test(e.message)) {
    return "unknown";
  }
  return undefined;
}

/** Whether the call that threw `error` may have been applied: "unknown", else "failed". */
export function callOutcomeOf(error: unknown): CallOutcome {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth += 1) {
    const verdict = classifyOne(current as ErrorShape);
    if (verdict !== undefined) return verdict;
    current = (current as ErrorShape).cause;
  }
  return "failed";
}
