/**
 * The SQLite rows of the store's tables and their mapping to the domain types (pure), plus the
 * ids the store mints.
 */
import { randomBytes } from "node:crypto";
import type { RequestState } from "../core/approval.ts";
import type { RunbookSeverity } from "../core/catalog.ts";
import type {
  ActionRequest,
  Approval,
  AuditEvent,
  AuditKind,
  Incident,
  JsonObject,
  Setting,
} from "./store.ts";

export interface IncidentRow {
  id: string;
  dedupe_key: string;
  runbook_id: string;
  alert_name: string;
  source: string;
  channel: string;
  thread_ts: string;
  status_ts: string | null;
  state: "open" | "resolved";
  severity: string;
  fire_count: number;
  opened_at: number;
  resolved_at: number | null;
  last_fired_at: number;
}

export interface RequestRow {
  id: string;
  dedupe_key: string | null;
  incident_id: string;
  action: string;
  params: string;
  preview: string;
  requester_id: string;
  state: RequestState;
  created_at: number;
  expires_at: number;
  approvals: string;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
  result: string | null;
  message_ts: string | null;
  executor: string | null;
  executing_since: number | null;
  heartbeat_at: number | null;
  updated_at: number;
  version: number;
}

export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  kind: string;
  incident_id: string | null;
  request_id: string | null;
  details: string;
}

export interface SettingRow {
  key: string;
  value: string;
  updated_at: number;
  updated_by: string;
}

export function toSetting(row: SettingRow): Setting {
  return {
    key: row.key,
    value: JSON.parse(row.value) as unknown,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}

export interface ReportRow {
  incident_id: string;
  run_id: string;
  report: string;
  saved_at: number;
}

export const INTERRUPTED_NOTE =
  "the bot stopped while this action was executing: check whether it took effect";

export function newId(prefix: "inc" | "act"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

export function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    runbookId: row.runbook_id,
    alertName: row.alert_name,
    source: row.source,
    channel: row.channel,
    threadTs: row.thread_ts,
    statusTs: row.status_ts,
    state: row.state,
    severity: row.severity as RunbookSeverity,
    fireCount: row.fire_count,
    openedAt: new Date(row.opened_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
    lastFiredAt: new Date(row.last_fired_at),
    dedupeKey: row.dedupe_key,
  };
}

export function toRequest(row: RequestRow): ActionRequest {
  const approvals = (JSON.parse(row.approvals) as { by: string; at: number }[]).map(
    (a): Approval => ({ by: a.by, at: new Date(a.at) }),
  );
  return {
    id: row.id,
    incidentId: row.incident_id,
    action: row.action,
    params: JSON.parse(row.params) as JsonObject,
    preview: row.preview,
    requesterId: row.requester_id,
    state: row.state,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    approvals,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
    note: row.note,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    messageTs: row.message_ts,
    executor: row.executor,
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

export function toAudit(row: AuditRow): AuditEvent {
  return {
    seq: row.seq,
    at: new Date(row.at),
    actor: row.actor,
    kind: row.kind as AuditKind,
    incidentId: row.incident_id,
    requestId: row.request_id,
    details: JSON.parse(row.details) as JsonObject,
  };
}
