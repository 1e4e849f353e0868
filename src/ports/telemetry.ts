/**
 * The bot's own metrics, in our words: what happened (an alert, an incident, a step, a Slack call,
 * a store operation) with a few bounded labels (a source, a runbook, a step, an outcome; never an
 * id, a channel or a message). core/, engine/, runbooks/ and actions/ speak only this; the
 * prom-client adapter (src/ops/prom-telemetry.ts) turns it into /metrics, `noTelemetry` serves the
 * CLI commands that do not serve, and `MemoryTelemetry` (test/fakes) lets tests read what was said.
 */
import type { PortName } from "./index.ts";

export interface Telemetry {
  /** A message in an incident channel was read as an alert candidate (source: alertmanager, grafana, ...). */
  alertReceived(source: string): void;
  /** A message matched a runbook's alert. */
  alertMatched(source: string, runbook: string): void;
  incidentOpened(runbook: string): void;
  incidentResolved(runbook: string): void;
  /** A whole runbook run; outcome: the conclusion's severity. */
  runbookFinished(runbook: string, outcome: string, seconds: number): void;
  /** One step; outcome: the step's status (ok, info, warning, critical, error). */
  stepFinished(runbook: string, step: string, outcome: string, seconds: number): void;
  /** A probe that failed or timed out, by the system it reached (kafka, cloudwatch, kubernetes, ...). */
  probeError(system: string, kind: "failed" | "timeout"): void;
  /** One Slack Web API call; outcome ok or error. */
  slackCall(method: string, outcome: "ok" | "error"): void;
  /** A failed Slack call that the outbox will try again. */
  slackRetry(method: string): void;
  /** An approval decision: approved, partial, rejected, expired, or refused-<why>. */
  approval(outcome: string): void;
  /** An action that ended: succeeded, failed, outcome-unknown (action: its registry name). */
  actionFinished(action: string, outcome: string): void;
  /** One store operation (its method name) and whether it threw. */
  storeOperation(operation: string, outcome: "ok" | "error", seconds: number): void;
}

/** Says nothing: the CLI commands that do not serve, and code that was given no telemetry. */
export const noTelemetry: Telemetry = {
  alertReceived: () => undefined,
  alertMatched: () => undefined,
  incidentOpened: () => undefined,
  incidentResolved: () => undefined,
  runbookFinished: () => undefined,
  stepFinished: () => undefined,
  probeError: () => undefined,
  slackCall: () => undefined,
  slackRetry: () => undefined,
  approval: () => undefined,
  actionFinished: () => undefined,
  storeOperation: () => undefined,
};

/** The system behind each port, as operators name it (the label of probe errors). */
export const SYSTEM_OF_PORT: Readonly<Record<PortName, string>> = {
  kafka: "kafka",
  metrics: "cloudwatch",
  logs: "cloudwatch-logs",
  firehose: "firehose",
  msk: "msk",
  kubernetes: "kubernetes",
  flink: "flink",
};
