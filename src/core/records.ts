/**
 * The domain's records, as the store keeps them and everything above it reads them: incidents, step
 * results and run reports, action requests with their approvals, audit events and runtime settings.
 * Pure data (no I/O); the persistence port that keeps them is src/store/store.ts.
 */

import type { RequestState } from "./approval.ts";
import type { RunbookSeverity } from "./catalog.ts";
import type { RunReport, StepReport } from "./runbook.ts";

/** Anything JSON.stringify turns into the same value on the way back. */
export type JsonObject = { readonly [key: string]: unknown };

export type IncidentState = "open" | "resolved";

export interface Incident {
  /** `inc-<random>`. */
  readonly id: string;
  readonly runbookId: string;
  readonly alertName: string;
  /** Where the alert came from, e.g. `cloudwatch`, `alertmanager`, `manual`. */
  readonly source: string;
  readonly channel: string;
  /** The message whose thread the bot works in. */
  readonly threadTs: string;
  /** The bot's status message in that thread, once posted. */
  readonly statusTs: string | null;
  readonly state: IncidentState;
  readonly severity: RunbookSeverity;
  /** How many times the alert fired while this incident was open (1 at open). */
  readonly fireCount: number;
  readonly openedAt: Date;
  readonly resolvedAt: Date | null;
  readonly lastFiredAt: Date;
  /** What makes a delivery the same alert (Slack event_id, or channel + alert message ts). */
  readonly dedupeKey: string;
}

/** One step of one run, as saved. Saving the same (runId, step id) again replaces it. */
export interface StoredStepResult {
  readonly incidentId: string;
  readonly runId: string;
  readonly step: StepReport;
  readonly savedAt: Date;
}

export interface StoredRunReport {
  readonly incidentId: string;
  readonly runId: string;
  readonly report: RunReport;
  readonly savedAt: Date;
}

export interface Approval {
  readonly by: string;
  readonly at: Date;
}

export interface ActionRequest {
  /** `act-<random>`. */
  readonly id: string;
  readonly incidentId: string;
  /** Action name, e.g. `scale-taskmanagers`. */
  readonly action: string;
  readonly params: JsonObject;
  /** The human preview shown with the buttons. */
  readonly preview: string;
  readonly requesterId: string;
  readonly state: RequestState;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly approvals: readonly Approval[];
  /** Who approved or rejected it. */
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  /** Rejection reason, failure message, "bot stopped while executing", ... */
  readonly note: string | null;
  /** What execution (or verification) returned. */
  readonly result: unknown;
  /** The thread message that shows the request. */
  readonly messageTs: string | null;
  /** Who runs it (instance id), once executing. */
  readonly executor: string | null;
  readonly updatedAt: Date;
  /** Starts at 1; +1 on every write. */
  readonly version: number;
}

/**
 * What an audit event records. Written by the store in the transaction of the change:
 * incident.opened / fired / resolved, action.requested, action.<state> for every request edge,
 * action.approval-recorded (an approval that does not yet complete the count a critical request
 * needs), settings.changed (or the kind the caller names, e.g. actions.frozen / actions.unfrozen for
 * the runtime kill switch). Written by the engine through `audit()`: run.*, step.completed,
 * action.refused (any click or command refused: policy, channel, freeze, stale state),
 * action.previewed (the Preview button; nothing is created), action.verified.
 */
export type AuditKind =
  | "incident.opened"
  | "incident.fired"
  | "incident.resolved"
  | "run.started"
  | "run.completed"
  | "step.completed"
  | "action.requested"
  | "action.approval-recorded"
  | "action.approved"
  | "action.rejected"
  | "action.refused"
  | "action.previewed"
  | "action.expired"
  | "action.executing"
  | "action.succeeded"
  | "action.failed"
  | "action.outcome-unknown"
  | "action.verified"
  /** An unknown outcome settled by reading the real state (details.applied). */
  | "action.settled"
  | "actions.frozen"
  | "actions.unfrozen"
  | "settings.changed"
  | "report.written";

export interface AuditEvent {
  /** Increasing sequence number: the order of the log. */
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly kind: AuditKind;
  readonly incidentId: string | null;
  readonly requestId: string | null;
  readonly details: JsonObject;
}

/** A runtime setting (e.g. the `/runbook freeze` kill switch), kept across restarts. */
export interface Setting {
  readonly key: string;
  readonly value: unknown;
  readonly updatedAt: Date;
  /** Slack user id or "bot". */
  readonly updatedBy: string;
}
