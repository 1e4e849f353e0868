/**
 * The error every AWS port (CloudWatch, Logs, Firehose, MSK) throws, in our words: a stable kind
 * the runbooks and actions branch on, and a message fit for a thread. The SDK adapters and the
 * simulated platform both raise it.
 */
export type AwsErrorKind =
  | "unreachable"
  | "timeout"
  | "throttled"
  | "denied"
  | "not-found"
  | "conflict"
  | "invalid"
  | "service";

/** An AWS call that failed, with a stable kind and a message fit for a thread. */
export class AwsCallError extends Error {
  override readonly name = "AwsCallError";
  constructor(
    readonly kind: AwsErrorKind,
    /** The service's error code, e.g. ThrottlingException, ConcurrentModificationException. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
