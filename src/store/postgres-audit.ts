/** The audit log's one write in PostgreSQL (append-only: the database refuses UPDATE and DELETE). */
import type { Queryable } from "./postgres-db.ts";
import { type AuditRow, toAudit } from "./sqlite-rows.ts";
import type { AuditEvent, AuditInput } from "./store.ts";

export async function insertAudit(q: Queryable, event: AuditInput): Promise<AuditEvent> {
  const { rows } = await q.query<AuditRow>(
    `INSERT INTO audit_log (at, actor, kind, incident_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [
      event.at.getTime(),
      event.actor,
      event.kind,
      event.incidentId ?? null,
      event.requestId ?? null,
      JSON.stringify(event.details ?? {}),
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error("audit insert returned no row");
  return toAudit(row);
}
