/** kafkajs errors -> KafkaError with a kind and one line fit for a thread, secrets redacted. */
import { KafkaError, type KafkaErrorKind, KafkaGroupActiveError } from "../../ports/kafka.ts";

/** One line for a failed call: "could not reach Kafka at b1:9092: connection refused". */
export function toKafkaError(err: unknown, target: string, secrets: readonly string[]): KafkaError {
  // Says which group and why, no target or secret in it: kept as it is, so callers can tell it apart.
  if (err instanceof KafkaGroupActiveError) return err;
  if (err instanceof KafkaError) {
    const text = err.message.startsWith("Kafka at") ? err.message : `Kafka at ${target}: ${err.message}`;
    return new KafkaError(err.kind, redact(text, secrets));
  }
  const root = rootCause(err);
  const code = (root as { code?: unknown } | null)?.code;
  const message = root instanceof Error ? root.message : String(root);
  const type = errorType(err);
  let kind: KafkaErrorKind = "failed";
  let text: string;
  const tls = typeof code === "string" ? tlsProblem(code, message) : undefined;
  if (tls !== undefined) {
    // The broker answered; the bot's TLS settings do not accept its certificate. Not a broker outage.
    kind = "auth";
    text = `TLS to Kafka at ${target} failed: ${tls}`;
  } else if (code === "ECONNREFUSED") {
    kind = "unreachable";
    text = `could not reach ${whichBroker(root, target)}: connection refused`;
  } else if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    kind = "unreachable";
    text = `could not reach Kafka at ${target}: host not found`;
  } else if (code === "ETIMEDOUT" || /connection timeout/i.test(message)) {
    kind = "timeout";
    text = `could not reach Kafka at ${target}: connection timed out`;
  } else if (code === "ECONNRESET" || code === "EPIPE") {
    kind = "unreachable";
    text = `could not reach Kafka at ${target}: connection closed by the broker (TLS or SASL mismatch?)`;
  } else if (isNamed(err, "KafkaJSSASLAuthenticationError") || type === "SASL_AUTHENTICATION_FAILED") {
    kind = "auth";
    text = `could not authenticate to Kafka at ${target}: SASL authentication failed (check kafka.sasl: the user name, the password, and that the user has a credential for this mechanism)`;
  } else if (type === "UNSUPPORTED_SASL_MECHANISM") {
    kind = "auth";
    text = `could not authenticate to Kafka at ${target}: this listener does not offer the configured SASL mechanism (check kafka.sasl.mechanism and the port: on MSK SCRAM is 9096, IAM 9098, TLS without SASL 9094)`;
  } else if (isNamed(err, "KafkaJSConnectionClosedError")) {
    kind = "unreachable";
    text = `could not reach Kafka at ${target}: the broker closed the connection (a broker shutting down, or kafka.ssl / kafka.sasl not matching this listener)`;
  } else if (/could not sign an MSK IAM token/.test(message)) {
    kind = "auth";
    text = `could not authenticate to Kafka at ${target}: ${firstLine(message)}`;
  } else if (type === "TOPIC_AUTHORIZATION_FAILED" || type === "GROUP_AUTHORIZATION_FAILED") {
    kind = "auth";
    text = `Kafka at ${target} denied the call: ${firstLine(message)}`;
  } else if (type === "UNKNOWN_TOPIC_OR_PARTITION") {
    kind = "not-found";
    text = `Kafka at ${target}: ${firstLine(message)}`;
  } else if (isNamed(err, "KafkaJSConnectionError") || isNamed(err, "KafkaJSBrokerNotFound")) {
    kind = "unreachable";
    text = `could not reach Kafka at ${target}: ${firstLine(message)}`;
  } else if (isNamed(err, "KafkaJSRequestTimeoutError") || /request timed out/i.test(message)) {
    kind = "timeout";
    text = `Kafka at ${target} did not answer in time: ${firstLine(message)}`;
  } else {
    text = `Kafka at ${target} failed: ${firstLine(message)}`;
  }
  return new KafkaError(kind, redact(text, secrets));
}

/** Node's certificate check codes -> what is wrong and which setting fixes it; undefined if not TLS. */
function tlsProblem(code: string, message: string): string | undefined {
  const reason = message.replace(/^Connection error: /, "");
  if (UNTRUSTED_CERT_CODES.has(code)) {
    return `the broker's certificate is not trusted (${reason}): set kafka.ssl.caFile to the CA that signed it`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `the broker's certificate does not carry the name the bot checked (${reason}): connect by a name the certificate carries, or set kafka.ssl.servername`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `the broker's certificate is not valid now (${reason})`;
  }
  return undefined;
}

const UNTRUSTED_CERT_CODES: ReadonlySet<string> = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/**
 * "Kafka at <target>", or "Kafka broker <b> (one of <target>)" when one broker of several failed:
 * with a broker down, its partitions' reads fail although the others answer.
 */
function whichBroker(root: unknown, target: string): string {
  const broker = (root as { broker?: unknown } | null)?.broker;
  if (typeof broker !== "string" || broker.length === 0 || broker === target) return `Kafka at ${target}`;
  return `Kafka broker ${broker} (one of ${target})`;
}

/** kafkajs wraps errors (retries exceeded -> originalError, non-retriable -> cause); find the innermost. */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 10; depth++) {
    const next =
      (current as { originalError?: unknown } | null)?.originalError ??
      (current as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null || next === current) return current;
    current = next;
  }
  return current;
}

export function isNamed(err: unknown, name: string): boolean {
  let current = err;
  for (let depth = 0; depth < 10 && current; depth++) {
    if ((current as { name?: unknown }).name === name) return true;
    current =
      (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The Kafka protocol error type kafkajs attaches (UNKNOWN_TOPIC_OR_PARTITION, ...), if any. */
export function errorType(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth < 10 && current; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string") return type;
    current =
      (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() || "unknown error";
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***");
  return out;
}
