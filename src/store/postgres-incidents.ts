/**
 * The incidents of the PostgreSQL store: opened once per dedupe key (ON CONFLICT DO NOTHING on the
 * key and on the one-open-incident-per-runbook-and-channel index), each change audited in its
 * transaction.
 */

import { insertAudit } from "./postgres-audit.ts";
import type { PostgresDb } from "./postgres-db.ts";
import { type IncidentRow, newId, toIncident } from "./sqlite-rows.ts";
import { type Incident, type OpenIncidentInput, type OpenIncidentResult, StoreError } from "./store.ts";
import { incidentOpenedAudit } from "./store-audit.ts";

const INCIDENT_COLUMNS =
  "id, dedupe_key, runbook_id, alert_name, source, channel, thread_ts, status_ts, state, severity, fire_count, opened_at, resolved_at, last_fired_at";

export async function openIncident(db: PostgresDb, input: OpenIncidentInput): Promise<OpenIncidentResult> {
  return db.tx(async (q): Promise<OpenIncidentResult> => {
    // A random id that collides with an existing one also hits ON CONFLICT: try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const { rows } = await q.query<IncidentRow>(
        `INSERT INTO incidents (id, dedupe_key, runbook_id, alert_name, source, channel, thread_ts, state,
           severity, fire_count, opened_at, last_fired_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, 1, $9, $9)
         ON CONFLICT DO NOTHING
         RETURNING ${INCIDENT_COLUMNS}`,
        [
          newId("inc"),
          input.dedupeKey,
          input.runbookId,
          input.alertName,
          input.source,
          input.channel,
          input.threadTs,
          input.severity,
          input.openedAt.getTime(),
        ],
      );
      const row = rows[0];
      if (row !== undefined) {
        const incident = toIncident(row);
        await insertAudit(q, incidentOpenedAudit(input, incident));
        return { incident, created: true };
      }
      const same = await q.query<IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE dedupe_key = $1`,
        [input.dedupeKey],
      );
      if (same.rows[0] !== undefined)
        return { incident: toIncident(same.rows[0]), created: false, matchedBy: "dedupe-key" };
      const open = await q.query<IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE channel = $1 AND runbook_id = $2 AND state = 'open'`,
        [input.channel, input.runbookId],
      );
      if (open.rows[0] !== undefined)
        return { incident: toIncident(open.rows[0]), created: false, matchedBy: "open-incident" };
    }
    throw new Error("could not allocate an incident id");
  });
}

async function oneIncident(db: PostgresDb, where: string, params: unknown[]): Promise<Incident | undefined> {
  const { rows } = await db.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents ${where}`, params);
  return rows[0] === undefined ? undefined : toIncident(rows[0]);
}

export function getIncident(db: PostgresDb, id: string): Promise<Incident | undefined> {
  return oneIncident(db, "WHERE id = $1", [id]);
}

export function findOpenIncident(
  db: PostgresDb,
  channel: string,
  runbookId: string,
): Promise<Incident | undefined> {
  return oneIncident(db, "WHERE channel = $1 AND runbook_id = $2 AND state = 'open'", [channel, runbookId]);
}

export function findLatestIncident(db: PostgresDb, channel: string): Promise<Incident | undefined> {
  return oneIncident(db, "WHERE channel = $1 ORDER BY opened_at DESC, seq DESC LIMIT 1", [channel]);
}

export function findIncidentByThread(
  db: PostgresDb,
  channel: string,
  threadTs: string,
): Promise<Incident | undefined> {
  return oneIncident(db, "WHERE channel = $1 AND thread_ts = $2 ORDER BY opened_at DESC, seq DESC LIMIT 1", [
    channel,
    threadTs,
  ]);
}

export async function listOpenIncidents(db: PostgresDb): Promise<Incident[]> {
  const { rows } = await db.query<IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE state = 'open' ORDER BY opened_at, seq`,
  );
  return rows.map(toIncident);
}

export async function recordFire(db: PostgresDb, id: string, at: Date): Promise<number> {
  return db.tx(async (q) => {
    const { rows } = await q.query<{ fire_count: number }>(
      `UPDATE incidents SET fire_count = fire_count + 1, last_fired_at = GREATEST(last_fired_at, $1)
       WHERE id = $2 RETURNING fire_count`,
      [at.getTime(), id],
    );
    const row = rows[0];
    if (row === undefined) throw new StoreError("not-found", `no incident ${id}`);
    await insertAudit(q, {
      at,
      actor: "bot",
      kind: "incident.fired",
      incidentId: id,
      details: { fireCount: row.fire_count },
    });
    return row.fire_count;
  });
}

export async function resolveIncident(db: PostgresDb, id: string, at: Date, actor = "bot"): Promise<boolean> {
  return db.tx(async (q) => {
    const updated = await q.query(
      "UPDATE incidents SET state = 'resolved', resolved_at = $1 WHERE id = $2 AND state = 'open' RETURNING id",
      [at.getTime(), id],
    );
    if (updated.rows.length === 0) {
      const exists = await q.query("SELECT 1 FROM incidents WHERE id = $1", [id]);
      if (exists.rows.length === 0) throw new StoreError("not-found", `no incident ${id}`);
      return false;
    }
    await insertAudit(q, { at, actor, kind: "incident.resolved", incidentId: id, details: {} });
    return true;
  });
}

export async function setStatusTs(db: PostgresDb, id: string, statusTs: string): Promise<void> {
  const { rowCount } = await db.query("UPDATE incidents SET status_ts = $1 WHERE id = $2", [statusTs, id]);
  if (rowCount === 0) throw new StoreError("not-found", `no incident ${id}`);
}
