/**
 * The audit events a store writes in the transaction of its own state changes, the same for every
 * adapter (SQLite, PostgreSQL): pure builders from the change to the event.
 */
import type { RequestState } from "../core/approval.ts";
import type {
  ActionRequest,
  AuditInput,
  CreateRequestInput,
  Incident,
  OpenIncidentInput,
  RecordApprovalInput,
  TransitionPatch,
} from "./store.ts";

export function incidentOpenedAudit(input: OpenIncidentInput, incident: Incident): AuditInput {
  return {
    at: input.openedAt,
    actor: input.actor ?? "bot",
    kind: "incident.opened",
    incidentId: incident.id,
    details: {
      runbookId: input.runbookId,
      alertName: input.alertName,
      source: input.source,
      channel: input.channel,
      threadTs: input.threadTs,
      severity: input.severity,
      dedupeKey: input.dedupeKey,
    },
  };
}

export function requestedAudit(input: CreateRequestInput, request: ActionRequest): AuditInput {
  return {
    at: input.createdAt,
    actor: input.requesterId,
    kind: "action.requested",
    incidentId: request.incidentId,
    requestId: request.id,
    details: {
      action: request.action,
      params: request.params,
      preview: request.preview,
      expiresAt: request.expiresAt.toISOString(),
    },
  };
}

export function transitionAudit(
  request: ActionRequest,
  from: RequestState,
  to: RequestState,
  patch: TransitionPatch,
): AuditInput {
  return {
    at: patch.at,
    actor: patch.actor,
    kind: `action.${to}`,
    incidentId: request.incidentId,
    requestId: request.id,
    details: {
      action: request.action,
      from,
      to,
      ...(patch.note === undefined ? {} : { note: patch.note }),
      ...(patch.result === undefined ? {} : { result: patch.result }),
      ...(patch.executor === undefined ? {} : { executor: patch.executor }),
      ...patch.details,
    },
  };
}

/** action.approved when this approval completed the count, action.approval-recorded otherwise. */
export function approvalAudit(
  request: ActionRequest,
  input: RecordApprovalInput,
  required: number,
): AuditInput {
  const approved = request.state === "approved";
  return {
    at: input.at,
    actor: input.by,
    kind: approved ? "action.approved" : "action.approval-recorded",
    incidentId: request.incidentId,
    requestId: request.id,
    details: {
      action: request.action,
      ...(approved ? { from: "requested", to: "approved" } : {}),
      approvals: request.approvals.length,
      required,
      ...input.details,
    },
  };
}

export function expiredAudit(
  request: {
    readonly id: string;
    readonly incidentId: string;
    readonly action: string;
    readonly expiresAt: Date;
  },
  now: Date,
): AuditInput {
  return {
    at: now,
    actor: "bot",
    kind: "action.expired",
    incidentId: request.incidentId,
    requestId: request.id,
    details: {
      action: request.action,
      from: "requested",
      to: "expired",
      expiresAt: request.expiresAt.toISOString(),
    },
  };
}

export function interruptedAudit(request: ActionRequest, at: Date, note: string): AuditInput {
  return {
    at,
    actor: "bot",
    kind: "action.outcome-unknown",
    incidentId: request.incidentId,
    requestId: request.id,
    details: { action: request.action, from: "executing", to: "outcome-unknown", note },
  };
}
