export { DEFAULT_OUTBOX_LIMITS, Outbox, OutboxError, type OutboxLimits, type OutboxTimer } from "./outbox.ts";
export { classifyFailure, DEFAULT_RETRY_LIMITS, RETRYABLE_SLACK_ERRORS } from "./retry-policy.ts";
export { coordinatedPacer, type SharedPacer } from "./shared-pacing.ts";
export { systemOutboxTimer } from "./system-timer.ts";
