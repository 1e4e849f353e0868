/**
 * Turns what @kubernetes/client-node throws (ApiException with the raw response body, node-fetch
 * FetchError/AbortError) into one error type with a stable code and a message safe to show:
 * the server's own Status message, never request headers or credentials.
 * KubernetesError itself lives in the port, so the simulated adapter throws the same type.
 */
import { ApiException } from "@kubernetes/client-node";
import { KubernetesError, type KubernetesErrorCode } from "../../ports/kubernetes.ts";

export { KubernetesError, type KubernetesErrorCode };

/** What the failed call was, for the messages. */
export interface CallContext {
  /** API server URL (no credentials). */
  readonly server: string;
  readonly timeoutMs: number;
  /** e.g. "deployment flink/flink-taskmanager"; used for 404 messages. */
  readonly object?: string;
  /** true for calls to metrics.k8s.io. */
  readonly metricsApi?: boolean;
}

interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
}

/** The Status object the server sent (the client keeps the body as raw text). */
function statusOf(body: unknown): StatusBody {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      const text = body.trim();
      return text ? { message: text.slice(0, 500) } : {};
    }
  }
  if (value === null || typeof value !== "object") return {};
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record.message === "string" ? { message: record.message } : {}),
    ...(typeof record.reason === "string" ? { reason: record.reason } : {}),
  };
}

function errorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === "object" && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** The low-level reason without the request URL node-fetch puts in front of it. */
function networkReason(error: Error): string {
  const match = /failed, reason: (.*)$/s.exec(error.message);
  return (match?.[1] ?? error.message).trim();
}

export function toKubernetesError(error: unknown, call: CallContext): KubernetesError {
  if (error instanceof KubernetesError) return error;
  if (error instanceof ApiException) {
    const status = Number(error.code);
    const { message, reason } = statusOf(error.body);
    const detail = message ?? reason ?? `HTTP ${status}`;
    if (call.metricsApi && (status === 404 || status === 503)) {
      const why =
        status === 404 ? "is metrics-server installed?" : `metrics-server is not answering: ${detail}`;
      return new KubernetesError("metrics-unavailable", `metrics.k8s.io is not available (${why})`, status);
    }
    switch (status) {
      case 401:
        return new KubernetesError(
          "unauthorized",
          `unauthorized: the Kubernetes API at ${call.server} rejected the credentials`,
          status,
        );
      case 403:
        return new KubernetesError("forbidden", `forbidden: ${detail}`, status);
      case 404:
        return new KubernetesError("not-found", call.object ? `${call.object} not found` : detail, status);
      case 409:
        return new KubernetesError("conflict", `conflict: ${detail}`, status);
      case 429:
        return new KubernetesError("throttled", `throttled by the Kubernetes API: ${detail}`, status);
      case 400:
      case 415:
      case 422:
        return new KubernetesError(
          "invalid",
          `rejected by the Kubernetes API (${status}): ${detail}`,
          status,
        );
      default:
        return new KubernetesError("server-error", `Kubernetes API error ${status}: ${detail}`, status);
    }
  }
  if (error instanceof Error) {
    if (error.name === "AbortError" || errorCode(error) === "ABORT_ERR") {
      return new KubernetesError(
        "timeout",
        `the Kubernetes API at ${call.server} did not answer within ${call.timeoutMs} ms`,
      );
    }
    if (error.name === "FetchError" || errorCode(error) !== undefined) {
      return new KubernetesError(
        "unreachable",
        `could not reach the Kubernetes API at ${call.server}: ${networkReason(error)}`,
      );
    }
    return new KubernetesError("server-error", `Kubernetes call failed: ${error.message}`);
  }
  return new KubernetesError("server-error", `Kubernetes call failed: ${String(error)}`);
}
