/**
 * The action requests of the PostgreSQL store: every edge one conditional UPDATE (`WHERE state =
 * $from ... RETURNING`), audited in the same transaction. Under READ COMMITTED a second writer of
 * the same row waits for the first and re-checks the condition on the row as the first left it,
 * so of any number of concurrent callers exactly one wins (and each approver counts once).
 */

import { isTransitionAllowed, type RequestState } from "../core/approval.ts";
import { approvalRefusal } from "./approval-refusal.ts";
import { insertAudit } from "./postgres-audit.ts";
import type { PostgresDb } from "./postgres-db.ts";
import { INTERRUPTED_NOTE, newId, type RequestRow, toRequest } from "./sqlite-rows.ts";
import {
  type ActionRequest,
  type CreateRequestInput,
  type InterruptedFilter,
  type RecordApprovalInput,
  type RecordApprovalOutcome,
  type RequestFilter,
  StoreError,
  type TransitionOutcome,
  type TransitionPatch,
} from "./store.ts";
import {
  approvalAudit,
  expiredAudit,
  interruptedAudit,
  requestedAudit,
  transitionAudit,
} from "./store-audit.ts";

const APPROVAL = "jsonb_build_array(jsonb_build_object('by', $2::text, 'at', $3::bigint))";

export async function createRequest(
  db: PostgresDb,
  input: CreateRequestInput,
): Promise<{ request: ActionRequest; created: boolean }> {
  return db.tx(async (q) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { rows } = await q.query<RequestRow>(
        `INSERT INTO action_requests (id, dedupe_key, incident_id, action, params, preview, requester_id, state,
           created_at, expires_at, message_ts, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $8)
         ON CONFLICT DO NOTHING
         RETURNING *`,
        [
          newId("act"),
          input.dedupeKey ?? null,
          input.incidentId,
          input.action,
          JSON.stringify(input.params),
          input.preview,
          input.requesterId,
          input.createdAt.getTime(),
          input.expiresAt.getTime(),
          input.messageTs ?? null,
        ],
      );
      const row = rows[0];
      if (row !== undefined) {
        const request = toRequest(row);
        await insertAudit(q, requestedAudit(input, request));
        return { request, created: true };
      }
      if (input.dedupeKey !== undefined) {
        const same = await q.query<RequestRow>("SELECT * FROM action_requests WHERE dedupe_key = $1", [
          input.dedupeKey,
        ]);
        const found = same.rows[0];
        if (found !== undefined) return { request: toRequest(found), created: false };
      }
    }
    throw new Error("could not allocate an action request id");
  });
}

export async function getRequest(db: PostgresDb, id: string): Promise<ActionRequest | undefined> {
  const { rows } = await db.query<RequestRow>("SELECT * FROM action_requests WHERE id = $1", [id]);
  return rows[0] === undefined ? undefined : toRequest(rows[0]);
}

export async function listRequests(db: PostgresDb, filter: RequestFilter = {}): Promise<ActionRequest[]> {
  const { rows } = await db.query<RequestRow>(
    `SELECT * FROM action_requests
     WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR incident_id = $2)
       AND ($3::bigint IS NULL OR updated_at >= $3)
     ORDER BY created_at, seq`,
    [filter.state ?? null, filter.incidentId ?? null, filter.updatedSince?.getTime() ?? null],
  );
  return rows.map(toRequest);
}

export async function transitionRequest(
  db: PostgresDb,
  id: string,
  from: RequestState,
  to: RequestState,
  patch: TransitionPatch,
): Promise<TransitionOutcome> {
  if (!isTransitionAllowed(from, to)) {
    throw new StoreError("illegal-transition", `an action request cannot go from ${from} to ${to}`);
  }
  return db.tx(async (q): Promise<TransitionOutcome> => {
    const { rows } = await q.query<RequestRow>(
      `UPDATE action_requests SET
         state = $5::text,
         version = version + 1,
         updated_at = $3::bigint,
         approvals = CASE WHEN $5::text = 'approved' THEN approvals || ${APPROVAL} ELSE approvals END,
         decided_by = CASE WHEN $5::text IN ('approved', 'rejected') THEN $2::text ELSE decided_by END,
         decided_at = CASE WHEN $5::text IN ('approved', 'rejected') THEN $3::bigint ELSE decided_at END,
         note = COALESCE($6::text, note),
         result = COALESCE($7::text, result),
         executor = CASE WHEN $5::text = 'executing' THEN $8::text ELSE executor END,
         executing_since = CASE WHEN $5::text = 'executing' THEN $3::bigint ELSE executing_since END,
         heartbeat_at = CASE WHEN $5::text = 'executing' THEN $3::bigint ELSE heartbeat_at END
       WHERE id = $1 AND state = $4::text
         AND ($5::text NOT IN ('approved', 'rejected') OR expires_at > $3::bigint)
         AND ($5::text <> 'expired' OR expires_at <= $3::bigint)
       RETURNING *`,
      [
        id,
        patch.actor,
        patch.at.getTime(),
        from,
        to,
        patch.note ?? null,
        patch.result === undefined ? null : JSON.stringify(patch.result),
        patch.executor ?? null,
      ],
    );
    const row = rows[0];
    if (row === undefined) {
      const current = await q.query<RequestRow>("SELECT * FROM action_requests WHERE id = $1", [id]);
      return { won: false, current: current.rows[0] === undefined ? undefined : toRequest(current.rows[0]) };
    }
    const request = toRequest(row);
    await insertAudit(q, transitionAudit(request, from, to, patch));
    return { won: true, request };
  });
}

export async function recordApproval(
  db: PostgresDb,
  id: string,
  input: RecordApprovalInput,
): Promise<RecordApprovalOutcome> {
  const required = Math.max(1, Math.trunc(input.required));
  return db.tx(async (q): Promise<RecordApprovalOutcome> => {
    // Still requested, before the deadline, this person not yet among the approvals; the count
    // decides the state in the same statement.
    const { rows } = await q.query<RequestRow>(
      `UPDATE action_requests SET
         approvals = approvals || ${APPROVAL},
         state = CASE WHEN jsonb_array_length(approvals) + 1 >= $4::int THEN 'approved' ELSE state END,
         decided_by = CASE WHEN jsonb_array_length(approvals) + 1 >= $4::int THEN $2::text ELSE decided_by END,
         decided_at = CASE WHEN jsonb_array_length(approvals) + 1 >= $4::int THEN $3::bigint ELSE decided_at END,
         version = version + 1,
         updated_at = $3::bigint
       WHERE id = $1 AND state = 'requested' AND expires_at > $3::bigint
         AND NOT (approvals @> jsonb_build_array(jsonb_build_object('by', $2::text)))
       RETURNING *`,
      [id, input.by, input.at.getTime(), required],
    );
    const row = rows[0];
    if (row === undefined) {
      const currentRows = await q.query<RequestRow>("SELECT * FROM action_requests WHERE id = $1", [id]);
      const currentRow = currentRows.rows[0];
      if (currentRow === undefined) return { recorded: false, reason: "not-found", current: undefined };
      return approvalRefusal(toRequest(currentRow), input.by);
    }
    const request = toRequest(row);
    const approved = request.state === "approved";
    await insertAudit(q, approvalAudit(request, input, required));
    return { recorded: true, approved, request };
  });
}

export async function setRequestMessageTs(db: PostgresDb, id: string, messageTs: string): Promise<void> {
  const { rowCount } = await db.query(
    "UPDATE action_requests SET message_ts = $1, version = version + 1 WHERE id = $2",
    [messageTs, id],
  );
  if (rowCount === 0) throw new StoreError("not-found", `no action request ${id}`);
}

export async function expireDue(db: PostgresDb, now: Date): Promise<string[]> {
  return db.tx(async (q) => {
    const { rows } = await q.query<RequestRow>(
      `UPDATE action_requests SET state = 'expired', version = version + 1, updated_at = $1
       WHERE state = 'requested' AND expires_at <= $1
       RETURNING *`,
      [now.getTime()],
    );
    rows.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    for (const row of rows) {
      await insertAudit(
        q,
        expiredAudit(
          {
            id: row.id,
            incidentId: row.incident_id,
            action: row.action,
            expiresAt: new Date(row.expires_at),
          },
          now,
        ),
      );
    }
    return rows.map((r) => r.id);
  });
}

export async function renewExecution(
  db: PostgresDb,
  id: string,
  executor: string,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE action_requests SET heartbeat_at = $3 WHERE id = $1 AND state = 'executing' AND executor = $2",
    [id, executor, at.getTime()],
  );
  return rowCount === 1;
}

export async function markInterruptedExecutions(
  db: PostgresDb,
  at: Date,
  filter: InterruptedFilter = {},
): Promise<ActionRequest[]> {
  return db.tx(async (q) => {
    const { rows } = await q.query<RequestRow>(
      `UPDATE action_requests SET state = 'outcome-unknown', version = version + 1, updated_at = $1,
         note = $2
       WHERE state = 'executing'
         AND ($3::bigint IS NULL OR executing_since < $3::bigint)
         AND ($4::text IS NULL OR executor = $4::text)
         AND ($5::bigint IS NULL OR COALESCE(heartbeat_at, executing_since) < $5::bigint)
       RETURNING *`,
      [
        at.getTime(),
        INTERRUPTED_NOTE,
        filter.startedBefore?.getTime() ?? null,
        filter.executor ?? null,
        filter.heartbeatBefore?.getTime() ?? null,
      ],
    );
    const requests = rows.map(toRequest).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const r of requests) {
      await insertAudit(q, interruptedAudit(r, at, INTERRUPTED_NOTE));
    }
    return requests;
  });
}
