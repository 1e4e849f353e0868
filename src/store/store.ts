/**
 * The persistence port: incidents, processed Slack deliveries, step results, action requests and
 * the audit log. In our words; the SQLite adapter (sqlite-store.ts) is the embedded default and
 * a networked database adapter can implement the same interface for several replicas.
 *
 * Every method is async so that a networked adapter fits; every write that two processes could
 * race on is a conditional write (UNIQUE + ON CONFLICT DO NOTHING, or UPDATE ... WHERE state = ?),
 * the AWS Powertools idempotency idea: the store, not the caller, decides who won.
 *
 * The store writes the audit events of its own state changes in the same transaction as the
 * change, so exactly the winner audits: incident.opened, incident.resolved, action.requested and
 * action.<to> for every request transition (including expireDue and markInterruptedExecutions),
 * action.approval-recorded for a partial approval, settings.changed for a runtime setting.
 * Everything else (step.completed, action.refused, ...) goes through `audit()`.
 */

import type { RequestState } from "../core/approval.ts";
import type { RunbookSeverity } from "../core/catalog.ts";
import type {
  ActionRequest,
  AuditEvent,
  AuditKind,
  Incident,
  JsonObject,
  Setting,
  StoredRunReport,
  StoredStepResult,
} from "../core/records.ts";
import type { RunReport, StepReport } from "../core/runbook.ts";
import type { Coordination } from "./coordination.ts";
import type { OutboxLedger } from "./outbox-ledger.ts";

export type {
  ActionRequest,
  Approval,
  AuditEvent,
  AuditKind,
  Incident,
  IncidentState,
  JsonObject,
  Setting,
  StoredRunReport,
  StoredStepResult,
} from "../core/records.ts";
export type { RequestState };

export interface OpenIncidentInput {
  readonly dedupeKey: string;
  readonly runbookId: string;
  readonly alertName: string;
  readonly source: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly severity: RunbookSeverity;
  readonly openedAt: Date;
  /** Slack user id or "bot", for the audit event. Default "bot". */
  readonly actor?: string;
}

/**
 * `created: false` says which existing incident answered: the one opened under the same dedupe
 * key (a redelivery: do nothing), or the incident already open for this runbook in this channel
 * (a new firing: the caller may `recordFire`). At most one incident per (channel, runbook) is open.
 */
export type OpenIncidentResult =
  | { readonly incident: Incident; readonly created: true }
  | {
      readonly incident: Incident;
      readonly created: false;
      readonly matchedBy: "dedupe-key" | "open-incident";
    };

export interface CreateRequestInput {
  readonly incidentId: string;
  readonly action: string;
  readonly params: JsonObject;
  readonly preview: string;
  readonly requesterId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly messageTs?: string;
  /**
   * Makes creation idempotent (e.g. the clicked button's action_ts): a second call with the same
   * key returns the first request with `created: false`.
   */
  readonly dedupeKey?: string;
}

export interface TransitionPatch {
  readonly at: Date;
  /** Slack user id or "bot". Approving appends `{by: actor, at}` to approvals and sets decidedBy;
   * rejecting sets decidedBy. Always the actor of the audit event. */
  readonly actor: string;
  readonly note?: string;
  /** JSON result of execution. */
  readonly result?: unknown;
  /** Instance id of the executor (with `to: "executing"`). */
  readonly executor?: string;
  /** Extra details for the audit event. */
  readonly details?: JsonObject;
}

/**
 * `won: false` when the request was not in `from` any more (someone else took the edge first), or
 * when approving/rejecting at or past its deadline; `current` is the request as it now stands.
 */
export type TransitionOutcome =
  | { readonly won: true; readonly request: ActionRequest }
  | { readonly won: false; readonly current: ActionRequest | undefined };

export interface RequestFilter {
  readonly state?: RequestState;
  readonly incidentId?: string;
  /** Only requests whose last change is at or after this time. */
  readonly updatedSince?: Date;
}

export interface InterruptedFilter {
  /** Only executions that started before this time (other replicas' fresh work is left alone). */
  readonly startedBefore?: Date;
  /** Only executions this executor (instance id) started. */
  readonly executor?: string;
  /**
   * Only executions whose executor's lease (its last renewal, or the start when never renewed) is
   * older than this: a live executor renews its lease, a dead one stops.
   */
  readonly heartbeatBefore?: Date;
}

export interface RecordApprovalInput {
  /** The approver's Slack user id. */
  readonly by: string;
  readonly at: Date;
  /** Approvals the request needs in all (1 for low and high, 2 for critical). */
  readonly required: number;
  /** Extra details for the audit event (e.g. the risk tier). */
  readonly details?: JsonObject;
}

/**
 * `recorded: true`: the approval was appended; `approved` says whether it completed the count (the
 * request moved to `approved` in the same write). `recorded: false` says why nothing was written:
 * the request is no longer `requested`, its deadline has passed, this person already approved it,
 * or there is no such request; `current` is the request as it now stands.
 */
export type RecordApprovalOutcome =
  | { readonly recorded: true; readonly approved: boolean; readonly request: ActionRequest }
  | {
      readonly recorded: false;
      readonly reason: "not-pending" | "expired" | "already-approved" | "not-found";
      readonly current: ActionRequest | undefined;
    };

export interface PutSettingInput {
  readonly at: Date;
  readonly actor: string;
  /** The audit event's kind. Default settings.changed. */
  readonly kind?: AuditKind;
  /** Extra details for the audit event. */
  readonly details?: JsonObject;
}

export interface AuditInput {
  readonly at: Date;
  /** Slack user id or "bot". */
  readonly actor: string;
  readonly kind: AuditKind;
  readonly incidentId?: string;
  readonly requestId?: string;
  readonly details?: JsonObject;
}

export interface AuditFilter {
  readonly incidentId?: string;
  readonly requestId?: string;
}

export interface Store {
  // Incidents
  /** Idempotent on `dedupeKey`; two processes racing produce one incident. */
  openIncident(input: OpenIncidentInput): Promise<OpenIncidentResult>;
  getIncident(id: string): Promise<Incident | undefined>;
  findOpenIncident(channel: string, runbookId: string): Promise<Incident | undefined>;
  /** The incident whose thread is (channel, threadTs), open or not. */
  findIncidentByThread(channel: string, threadTs: string): Promise<Incident | undefined>;
  /** The most recently opened incident of a channel, open or resolved. */
  findLatestIncident(channel: string): Promise<Incident | undefined>;
  /** Oldest first. */
  listOpenIncidents(): Promise<Incident[]>;
  /** Atomically increments fire_count; returns the new count. Throws StoreError "not-found". */
  recordFire(id: string, at: Date): Promise<number>;
  /** True if this call resolved it, false if it was already resolved. Throws "not-found". */
  resolveIncident(id: string, at: Date, actor?: string): Promise<boolean>;
  /** Throws "not-found". */
  setStatusTs(id: string, statusTs: string): Promise<void>;

  // Slack deliveries (at-least-once)
  /** True the first time an event id is seen, false on every redelivery. */
  markEventSeen(eventId: string, at?: Date): Promise<boolean>;
  /** Forgets deliveries seen before `before`; returns how many. */
  pruneSeenEvents(before: Date): Promise<number>;

  // Step results and run reports
  saveStepResult(incidentId: string, runId: string, step: StepReport, at?: Date): Promise<void>;
  saveRunReport(incidentId: string, runId: string, report: RunReport, at?: Date): Promise<void>;
  /** In save order. */
  listStepResults(incidentId: string): Promise<StoredStepResult[]>;
  /** In save order. */
  listRunReports(incidentId: string): Promise<StoredRunReport[]>;

  // Action requests
  createRequest(input: CreateRequestInput): Promise<{ request: ActionRequest; created: boolean }>;
  getRequest(id: string): Promise<ActionRequest | undefined>;
  /** Oldest first. */
  listRequests(filter?: RequestFilter): Promise<ActionRequest[]>;
  /**
   * The conditional write: `UPDATE ... WHERE id = ? AND state = from`. Exactly one of any number of
   * concurrent callers wins. Throws StoreError "illegal-transition" if `from -> to` is no edge.
   */
  transitionRequest(
    id: string,
    from: RequestState,
    to: RequestState,
    patch: TransitionPatch,
  ): Promise<TransitionOutcome>;
  /**
   * The conditional write for one approval: appends `{by, at}` only if the request is still
   * `requested`, before its deadline, and `by` has not approved it yet; moves it to `approved` in
   * the same write when that makes `required` approvals. Audits action.approved when it moves,
   * action.approval-recorded otherwise; nothing when refused. Of any number of concurrent calls,
   * each person counts once and exactly one call moves the request.
   */
  recordApproval(id: string, input: RecordApprovalInput): Promise<RecordApprovalOutcome>;
  /** Throws "not-found". */
  setRequestMessageTs(id: string, messageTs: string): Promise<void>;
  /** Moves every `requested` request whose deadline is at or before `now` to `expired`; returns their ids. */
  expireDue(now: Date): Promise<string[]>;
  /**
   * Requests left `executing` (the bot died) become `outcome-unknown` and are returned, so the bot
   * can say so in their threads. Call at startup; with several replicas, pass a filter.
   */
  markInterruptedExecutions(at: Date, filter?: InterruptedFilter): Promise<ActionRequest[]>;
  /**
   * The executor's lease on a request it is executing: renewed while it works. False when the
   * request is no longer executing by this executor (e.g. another process declared it interrupted).
   */
  renewExecution(id: string, executor: string, at: Date): Promise<boolean>;

  // Settings (runtime switches kept across restarts)
  getSetting(key: string): Promise<Setting | undefined>;
  /**
   * Sets `key` to `value` (JSON). Returns false, writing nothing, when it already holds an equal
   * value; otherwise writes it and audits `input.kind` (default settings.changed) with key, from and
   * to, in the same transaction.
   */
  putSetting(key: string, value: unknown, input: PutSettingInput): Promise<boolean>;

  // Audit log (append-only: no update or delete, and the database refuses them too)
  audit(event: AuditInput): Promise<AuditEvent>;
  /** In order (seq ascending). */
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;

  /** The Slack outbox's ledger of posts not yet answered (outbox-ledger.ts). */
  outboxLedger(): OutboxLedger;
  /** Leases and shared send slots among the replicas on this store (coordination.ts). */
  coordination(): Coordination;
  close(): Promise<void>;

  // The store's own health (adapters that watch their storage; see store-health.ts)
  /** Whether the store can be written now, and if not why (checked afresh). */
  health?(): StoreCondition;
  /** Called once per change of health (unhealthy, another fault, healthy again); returns an unsubscribe. */
  onHealthChange?(listener: (condition: StoreCondition) => void): () => void;
}

/**
 * What went wrong with the storage: the file removed or replaced, or writes failing; for a database
 * server, `unreachable` (down, or the connection lost).
 */
export type StoreFault =
  | "removed"
  | "replaced"
  | "full"
  | "read-only"
  | "io-error"
  | "corrupt"
  | "unreachable";

export type StoreCondition =
  | { readonly ok: true; readonly path: string }
  | {
      readonly ok: false;
      readonly path: string;
      readonly fault: StoreFault;
      /** One sentence naming the path and the cause, for the log, the thread and the clicker. */
      readonly reason: string;
      readonly since: Date;
    };

export type StoreErrorCode =
  | "not-found"
  | "illegal-transition"
  | "schema-too-new"
  | "unavailable"
  | "cannot-open";

/** An error with a stable code (bolt-js style). */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A write refused (nothing written) or failed because the store cannot be written. */
export class StoreUnavailableError extends StoreError {
  constructor(readonly condition: Extract<StoreCondition, { ok: false }>) {
    super("unavailable", condition.reason);
  }
}

/**
 * The Store members that wrappers (the store watch, the metrics) hand through untouched: they are
 * not writes to guard or time, and some return objects, not promises (the ledger, coordination).
 */
export const STORE_PASS_THROUGH: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  "close",
  "health",
  "onHealthChange",
  "outboxLedger",
  "coordination",
  "constructor",
]);
