/**
 * The Telemetry port on prom-client: one Registry per bot process holding Node's default process
 * metrics and ours (names in METRIC_NAMES), rendered by `/metrics`. Label values are bounded by
 * construction (sources, runbooks, steps, methods, outcomes); `boundLabel` guards against anything
 * else slipping in (a value that is not a short plain name becomes `other`).
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Telemetry } from "../ports/telemetry.ts";

/** Seconds; a run is seconds to minutes (lag sampling waits 30 s by default). */
export const RUNBOOK_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 120, 300];
/** Seconds; a step is milliseconds (a pure check) to the probe timeout and beyond. */
export const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds; SQLite answers in microseconds, a networked database in milliseconds. */
export const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const METRIC_NAMES = {
  alertsReceived: "runbook_bot_alerts_received_total",
  alertsMatched: "runbook_bot_alerts_matched_total",
  incidentsOpened: "runbook_bot_incidents_opened_total",
  incidentsResolved: "runbook_bot_incidents_resolved_total",
  runbookDuration: "runbook_bot_runbook_duration_seconds",
  stepDuration: "runbook_bot_step_duration_seconds",
  probeErrors: "runbook_bot_probe_errors_total",
  slackCalls: "runbook_bot_slack_api_calls_total",
  slackRetries: "runbook_bot_slack_api_retries_total",
  approvals: "runbook_bot_approvals_total",
  actions: "runbook_bot_actions_total",
  storeDuration: "runbook_bot_store_operation_duration_seconds",
} as const;

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A label value as given when it is a short plain name, else `other` (no free text in a label). */
export function boundLabel(value: string): string {
  return PLAIN.test(value) ? value : "other";
}

export class PromTelemetry implements Telemetry {
  readonly registry = new Registry();
  private readonly alertsReceived;
  private readonly alertsMatched;
  private readonly incidentsOpened;
  private readonly incidentsResolved;
  private readonly runbookDuration;
  private readonly stepDuration;
  private readonly probeErrors;
  private readonly slackCalls;
  private readonly slackRetries;
  private readonly approvals;
  private readonly actions;
  private readonly storeDuration;

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets: number[],
    ) => new Histogram<L>({ name, help, labelNames, buckets, registers });
    const n = METRIC_NAMES;
    this.alertsReceived = counter(
      n.alertsReceived,
      "Alert candidates read in incident channels, by source.",
      ["source"],
    );
    this.alertsMatched = counter(n.alertsMatched, "Alerts that matched a runbook, by source and runbook.", [
      "source",
      "runbook",
    ]);
    this.incidentsOpened = counter(n.incidentsOpened, "Incidents opened, by runbook.", ["runbook"]);
    this.incidentsResolved = counter(n.incidentsResolved, "Incidents resolved, by runbook.", ["runbook"]);
    this.runbookDuration = histogram(
      n.runbookDuration,
      "Runbook runs, start to conclusion, by runbook and the conclusion's severity.",
      ["runbook", "outcome"],
      RUNBOOK_BUCKETS,
    );
    this.stepDuration = histogram(
      n.stepDuration,
      "Runbook steps, by runbook, step and status.",
      ["runbook", "step", "outcome"],
      STEP_BUCKETS,
    );
    this.probeErrors = counter(
      n.probeErrors,
      "Probes that failed or timed out, by the system they reached.",
      ["system", "kind"],
    );
    this.slackCalls = counter(n.slackCalls, "Slack Web API calls of the outbox, by method and outcome.", [
      "method",
      "outcome",
    ]);
    this.slackRetries = counter(n.slackRetries, "Slack Web API calls the outbox tries again, by method.", [
      "method",
    ]);
    this.approvals = counter(
      n.approvals,
      "Approval decisions recorded by the store (approved, partial, rejected, expired, refused-*).",
      ["outcome"],
    );
    this.actions = counter(n.actions, "Actions that ended, by action and outcome.", ["action", "outcome"]);
    this.storeDuration = histogram(
      n.storeDuration,
      "Store operations, by method and whether they threw.",
      ["operation", "outcome"],
      STORE_BUCKETS,
    );
  }

  /** The text format Prometheus scrapes. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  alertReceived(source: string): void {
    this.alertsReceived.inc({ source: boundLabel(source) });
  }
  alertMatched(source: string, runbook: string): void {
    this.alertsMatched.inc({ source: boundLabel(source), runbook: boundLabel(runbook) });
  }
  incidentOpened(runbook: string): void {
    this.incidentsOpened.inc({ runbook: boundLabel(runbook) });
  }
  incidentResolved(runbook: string): void {
    this.incidentsResolved.inc({ runbook: boundLabel(runbook) });
  }
  runbookFinished(runbook: string, outcome: string, seconds: number): void {
    this.runbookDuration.observe({ runbook: boundLabel(runbook), outcome: boundLabel(outcome) }, seconds);
  }
  stepFinished(runbook: string, step: string, outcome: string, seconds: number): void {
    this.stepDuration.observe(
      { runbook: boundLabel(runbook), step: boundLabel(step), outcome: boundLabel(outcome) },
      seconds,
    );
  }
  probeError(system: string, kind: "failed" | "timeout"): void {
    this.probeErrors.inc({ system: boundLabel(system), kind });
  }
  slackCall(method: string, outcome: "ok" | "error"): void {
    this.slackCalls.inc({ method: boundLabel(method), outcome });
  }
  slackRetry(method: string): void {
    this.slackRetries.inc({ method: boundLabel(method) });
  }
  approval(outcome: string): void {
    this.approvals.inc({ outcome: boundLabel(outcome) });
  }
  actionFinished(action: string, outcome: string): void {
    this.actions.inc({ action: boundLabel(action), outcome: boundLabel(outcome) });
  }
  storeOperation(operation: string, outcome: "ok" | "error", seconds: number): void {
    this.storeDuration.observe({ operation: boundLabel(operation), outcome }, seconds);
  }
}
