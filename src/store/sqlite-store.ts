import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { isTransitionAllowed, type RequestState } from "../core/approval.ts";
import type { RunReport, StepReport } from "../core/runbook.ts";
import { approvalRefusal } from "./approval-refusal.ts";
import type { Coordination } from "./coordination.ts";
import { bestEffortLedger, type OutboxLedger, SqliteOutboxLedger } from "./outbox-ledger.ts";
import { SqliteCoordination } from "./sqlite-coordination.ts";
import {
  type AuditRow,
  INTERRUPTED_NOTE,
  type IncidentRow,
  newId,
  type ReportRow,
  type RequestRow,
  type SettingRow,
  toAudit,
  toIncident,
  toRequest,
  toSetting,
} from "./sqlite-rows.ts";
import { migrate } from "./sqlite-schema.ts";
import {
  type ActionRequest,
  type AuditEvent,
  type AuditFilter,
  type AuditInput,
  type CreateRequestInput,
  type Incident,
  type InterruptedFilter,
  type OpenIncidentInput,
  type OpenIncidentResult,
  type PutSettingInput,
  type RecordApprovalInput,
  type RecordApprovalOutcome,
  type RequestFilter,
  type Setting,
  type Store,
  type StoreCondition,
  type StoredRunReport,
  type StoredStepResult,
  StoreError,
  type TransitionOutcome,
  type TransitionPatch,
} from "./store.ts";
import {
  approvalAudit,
  expiredAudit,
  incidentOpenedAudit,
  interruptedAudit,
  requestedAudit,
  transitionAudit,
} from "./store-audit.ts";
import { openErrorMessage, StoreHealth } from "./store-health.ts";
import { watchWrites } from "./watched-writes.ts";

export interface SqliteStoreOptions {
  /** How long a writer waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** How often the watch checks the file (and probes a write after a write fault). Default 2000 ms. */
  readonly watchIntervalMs?: number;
}

/**
 * Switching a fresh file to WAL takes an exclusive lock, and SQLite does not call the busy
 * handler for it: several processes opening the same new file at once can get SQLITE_BUSY. Retry
 * with a short backoff until the busy timeout (the other opener finishes in milliseconds).
 */
function enableWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, Math.min(100, 5 + attempt * 5));
    }
  }
}

export class SqliteStore implements Store {
  /** The connection, for diagnostics and tests. Write through the Store methods only. */
  readonly db: Database.Database;
  /** The schema version the file had when opened (0 for a new file). */
  readonly foundSchemaVersion: number;
  /** The watch on the file and on write faults (see store-health.ts). */
  readonly watch: StoreHealth;

  /**
   * Opens (creating the file, its directory and the schema if missing) the store at `path`, watched
   * (see store-health.ts). Throws StoreError "cannot-open" with a message that names the path.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const store = new SqliteStore(path, options);
    store.watch.start();
    return watchWrites(store, store.watch);
  }

  private constructor(path: string, options: SqliteStoreOptions) {
    const inMemory = path === ":memory:" || path === "";
    let db: Database.Database;
    try {
      if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
      db = new Database(path);
    } catch (err) {
      throw new StoreError("cannot-open", openErrorMessage(path, err));
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (!inMemory) enableWal(db, options.busyTimeoutMs ?? 5000);
      db.pragma("foreign_keys = ON");
      this.foundSchemaVersion = migrate(db);
      this.watch = new StoreHealth(inMemory ? ":memory:" : path, !inMemory, {
        ...(options.watchIntervalMs === undefined ? {} : { intervalMs: options.watchIntervalMs }),
        probe: () => probeWrite(db),
      });
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError("cannot-open", openErrorMessage(path, err));
    }
    this.db = db;
  }

  health(): StoreCondition {
    return this.watch.condition();
  }

  onHealthChange(listener: (condition: StoreCondition) => void): () => void {
    return this.watch.onChange(listener);
  }

  // ---- incidents ----------------------------------------------------------------------------

  async openIncident(input: OpenIncidentInput): Promise<OpenIncidentResult> {
    const insert = this.db.prepare<Record<string, unknown>, IncidentRow>(
      `INSERT INTO incidents (id, dedupe_key, runbook_id, alert_name, source, channel, thread_ts, state,
         severity, fire_count, opened_at, last_fired_at)
       VALUES (@id, @dedupeKey, @runbookId, @alertName, @source, @channel, @threadTs, 'open',
         @severity, 1, @at, @at)
       ON CONFLICT DO NOTHING
       RETURNING *`,
    );
    const byKey = this.db.prepare<[string], IncidentRow>("SELECT * FROM incidents WHERE dedupe_key = ?");
    const open = this.db.prepare<[string, string], IncidentRow>(
      "SELECT * FROM incidents WHERE channel = ? AND runbook_id = ? AND state = 'open'",
    );
    const tx = this.db.transaction((): OpenIncidentResult => {
      // A random id that collides with an existing one also hits ON CONFLICT: try a few.
      for (let attempt = 0; attempt < 5; attempt++) {
        const row = insert.get({
          id: newId("inc"),
          dedupeKey: input.dedupeKey,
          runbookId: input.runbookId,
          alertName: input.alertName,
          source: input.source,
          channel: input.channel,
          threadTs: input.threadTs,
          severity: input.severity,
          at: input.openedAt.getTime(),
        });
        if (row !== undefined) {
          const incident = toIncident(row);
          this.insertAudit(incidentOpenedAudit(input, incident));
          return { incident, created: true };
        }
        const same = byKey.get(input.dedupeKey);
        if (same !== undefined)
          return { incident: toIncident(same), created: false, matchedBy: "dedupe-key" };
        const current = open.get(input.channel, input.runbookId);
        if (current !== undefined) {
          return { incident: toIncident(current), created: false, matchedBy: "open-incident" };
        }
      }
      throw new Error("could not allocate an incident id");
    });
    return tx.immediate();
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const row = this.db.prepare<[string], IncidentRow>("SELECT * FROM incidents WHERE id = ?").get(id);
    return row === undefined ? undefined : toIncident(row);
  }

  async findOpenIncident(channel: string, runbookId: string): Promise<Incident | undefined> {
    const row = this.db
      .prepare<[string, string], IncidentRow>(
        "SELECT * FROM incidents WHERE channel = ? AND runbook_id = ? AND state = 'open'",
      )
      .get(channel, runbookId);
    return row === undefined ? undefined : toIncident(row);
  }

  async findLatestIncident(channel: string): Promise<Incident | undefined> {
    const row = this.db
      .prepare<[string], IncidentRow>(
        "SELECT * FROM incidents WHERE channel = ? ORDER BY opened_at DESC, rowid DESC LIMIT 1",
      )
      .get(channel);
    return row === undefined ? undefined : toIncident(row);
  }

  async findIncidentByThread(channel: string, threadTs: string): Promise<Incident | undefined> {
    const row = this.db
      .prepare<[string, string], IncidentRow>(
        "SELECT * FROM incidents WHERE channel = ? AND thread_ts = ? ORDER BY opened_at DESC, rowid DESC LIMIT 1",
      )
      .get(channel, threadTs);
    return row === undefined ? undefined : toIncident(row);
  }

  async listOpenIncidents(): Promise<Incident[]> {
    return this.db
      .prepare<[], IncidentRow>("SELECT * FROM incidents WHERE state = 'open' ORDER BY opened_at, rowid")
      .all()
      .map(toIncident);
  }

  async recordFire(id: string, at: Date): Promise<number> {
    const update = this.db.prepare<[number, string], { fire_count: number }>(
      `UPDATE incidents SET fire_count = fire_count + 1, last_fired_at = MAX(last_fired_at, ?)
       WHERE id = ? RETURNING fire_count`,
    );
    const tx = this.db.transaction((): number => {
      const row = update.get(at.getTime(), id);
      if (row === undefined) throw new StoreError("not-found", `no incident ${id}`);
      this.insertAudit({
        at,
        actor: "bot",
        kind: "incident.fired",
        incidentId: id,
        details: { fireCount: row.fire_count },
      });
      return row.fire_count;
    });
    return tx.immediate();
  }

  async resolveIncident(id: string, at: Date, actor = "bot"): Promise<boolean> {
    const update = this.db.prepare<[number, string], { id: string }>(
      "UPDATE incidents SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'open' RETURNING id",
    );
    const tx = this.db.transaction((): boolean => {
      if (update.get(at.getTime(), id) === undefined) {
        if (this.db.prepare("SELECT 1 FROM incidents WHERE id = ?").get(id) === undefined) {
          throw new StoreError("not-found", `no incident ${id}`);
        }
        return false;
      }
      this.insertAudit({ at, actor, kind: "incident.resolved", incidentId: id, details: {} });
      return true;
    });
    return tx.immediate();
  }

  async setStatusTs(id: string, statusTs: string): Promise<void> {
    const info = this.db.prepare("UPDATE incidents SET status_ts = ? WHERE id = ?").run(statusTs, id);
    if (info.changes === 0) throw new StoreError("not-found", `no incident ${id}`);
  }

  // ---- deliveries ---------------------------------------------------------------------------

  async markEventSeen(eventId: string, at: Date = new Date()): Promise<boolean> {
    const info = this.db
      .prepare("INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
      .run(eventId, at.getTime());
    return info.changes === 1;
  }

  async pruneSeenEvents(before: Date): Promise<number> {
    return this.db.prepare("DELETE FROM seen_events WHERE seen_at < ?").run(before.getTime()).changes;
  }

  // ---- step results and run reports ---------------------------------------------------------

  async saveStepResult(
    incidentId: string,
    runId: string,
    step: StepReport,
    at: Date = new Date(),
  ): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO step_results (incident_id, run_id, step_id, report, saved_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step_id) DO UPDATE SET report = excluded.report, saved_at = excluded.saved_at`,
      )
      .run(incidentId, runId, step.id, JSON.stringify(step), at.getTime());
  }

  async saveRunReport(
    incidentId: string,
    runId: string,
    report: RunReport,
    at: Date = new Date(),
  ): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO run_reports (incident_id, run_id, report, saved_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET report = excluded.report, saved_at = excluded.saved_at`,
      )
      .run(incidentId, runId, JSON.stringify(report), at.getTime());
  }

  async listStepResults(incidentId: string): Promise<StoredStepResult[]> {
    return this.db
      .prepare<[string], ReportRow>(
        "SELECT incident_id, run_id, report, saved_at FROM step_results WHERE incident_id = ? ORDER BY seq",
      )
      .all(incidentId)
      .map((r) => ({
        incidentId: r.incident_id,
        runId: r.run_id,
        step: JSON.parse(r.report) as StepReport,
        savedAt: new Date(r.saved_at),
      }));
  }

  async listRunReports(incidentId: string): Promise<StoredRunReport[]> {
    return this.db
      .prepare<[string], ReportRow>(
        "SELECT incident_id, run_id, report, saved_at FROM run_reports WHERE incident_id = ? ORDER BY seq",
      )
      .all(incidentId)
      .map((r) => ({
        incidentId: r.incident_id,
        runId: r.run_id,
        report: JSON.parse(r.report) as RunReport,
        savedAt: new Date(r.saved_at),
      }));
  }

  // ---- action requests ----------------------------------------------------------------------

  async createRequest(input: CreateRequestInput): Promise<{ request: ActionRequest; created: boolean }> {
    const insert = this.db.prepare<Record<string, unknown>, RequestRow>(
      `INSERT INTO action_requests (id, dedupe_key, incident_id, action, params, preview, requester_id, state,
         created_at, expires_at, message_ts, updated_at)
       VALUES (@id, @dedupeKey, @incidentId, @action, @params, @preview, @requesterId, 'requested',
         @createdAt, @expiresAt, @messageTs, @createdAt)
       ON CONFLICT DO NOTHING
       RETURNING *`,
    );
    const byKey = this.db.prepare<[string], RequestRow>("SELECT * FROM action_requests WHERE dedupe_key = ?");
    const tx = this.db.transaction((): { request: ActionRequest; created: boolean } => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const row = insert.get({
          id: newId("act"),
          dedupeKey: input.dedupeKey ?? null,
          incidentId: input.incidentId,
          action: input.action,
          params: JSON.stringify(input.params),
          preview: input.preview,
          requesterId: input.requesterId,
          createdAt: input.createdAt.getTime(),
          expiresAt: input.expiresAt.getTime(),
          messageTs: input.messageTs ?? null,
        });
        if (row !== undefined) {
          const request = toRequest(row);
          this.insertAudit(requestedAudit(input, request));
          return { request, created: true };
        }
        if (input.dedupeKey !== undefined) {
          const same = byKey.get(input.dedupeKey);
          if (same !== undefined) return { request: toRequest(same), created: false };
        }
      }
      throw new Error("could not allocate an action request id");
    });
    return tx.immediate();
  }

  async getRequest(id: string): Promise<ActionRequest | undefined> {
    const row = this.db.prepare<[string], RequestRow>("SELECT * FROM action_requests WHERE id = ?").get(id);
    return row === undefined ? undefined : toRequest(row);
  }

  async listRequests(filter: RequestFilter = {}): Promise<ActionRequest[]> {
    return this.db
      .prepare<{ state: string | null; incidentId: string | null; since: number | null }, RequestRow>(
        `SELECT * FROM action_requests
         WHERE (@state IS NULL OR state = @state) AND (@incidentId IS NULL OR incident_id = @incidentId)
           AND (@since IS NULL OR updated_at >= @since)
         ORDER BY created_at, rowid`,
      )
      .all({
        state: filter.state ?? null,
        incidentId: filter.incidentId ?? null,
        since: filter.updatedSince?.getTime() ?? null,
      })
      .map(toRequest);
  }

  async transitionRequest(
    id: string,
    from: RequestState,
    to: RequestState,
    patch: TransitionPatch,
  ): Promise<TransitionOutcome> {
    if (!isTransitionAllowed(from, to)) {
      throw new StoreError("illegal-transition", `an action request cannot go from ${from} to ${to}`);
    }
    const update = this.db.prepare<Record<string, unknown>, RequestRow>(
      `UPDATE action_requests SET
         state = @to,
         version = version + 1,
         updated_at = @at,
         approvals = CASE WHEN @to = 'approved'
           THEN json_insert(approvals, '$[#]', json_object('by', @actor, 'at', @at)) ELSE approvals END,
         decided_by = CASE WHEN @to IN ('approved', 'rejected') THEN @actor ELSE decided_by END,
         decided_at = CASE WHEN @to IN ('approved', 'rejected') THEN @at ELSE decided_at END,
         note = COALESCE(@note, note),
         result = COALESCE(@result, result),
         executor = CASE WHEN @to = 'executing' THEN @executor ELSE executor END,
         executing_since = CASE WHEN @to = 'executing' THEN @at ELSE executing_since END,
         heartbeat_at = CASE WHEN @to = 'executing' THEN @at ELSE heartbeat_at END
       WHERE id = @id AND state = @from
         AND (@to NOT IN ('approved', 'rejected') OR expires_at > @at)
         AND (@to <> 'expired' OR expires_at <= @at)
       RETURNING *`,
    );
    const select = this.db.prepare<[string], RequestRow>("SELECT * FROM action_requests WHERE id = ?");
    const tx = this.db.transaction((): TransitionOutcome => {
      const row = update.get({
        id,
        from,
        to,
        at: patch.at.getTime(),
        actor: patch.actor,
        note: patch.note ?? null,
        result: patch.result === undefined ? null : JSON.stringify(patch.result),
        executor: patch.executor ?? null,
      });
      if (row === undefined) {
        const current = select.get(id);
        return { won: false, current: current === undefined ? undefined : toRequest(current) };
      }
      const request = toRequest(row);
      this.insertAudit(transitionAudit(request, from, to, patch));
      return { won: true, request };
    });
    return tx.immediate();
  }

  async recordApproval(id: string, input: RecordApprovalInput): Promise<RecordApprovalOutcome> {
    // One conditional UPDATE: still requested, before the deadline, and this person not yet among
    // the approvals. The count decides the state in the same statement.
    const update = this.db.prepare<Record<string, unknown>, RequestRow>(
      `UPDATE action_requests SET
         approvals = json_insert(approvals, '$[#]', json_object('by', @by, 'at', @at)),
         state = CASE WHEN json_array_length(approvals) + 1 >= @required THEN 'approved' ELSE state END,
         decided_by = CASE WHEN json_array_length(approvals) + 1 >= @required THEN @by ELSE decided_by END,
         decided_at = CASE WHEN json_array_length(approvals) + 1 >= @required THEN @at ELSE decided_at END,
         version = version + 1,
         updated_at = @at
       WHERE id = @id AND state = 'requested' AND expires_at > @at
         AND NOT EXISTS (SELECT 1 FROM json_each(approvals) WHERE json_extract(value, '$.by') = @by)
       RETURNING *`,
    );
    const select = this.db.prepare<[string], RequestRow>("SELECT * FROM action_requests WHERE id = ?");
    const required = Math.max(1, Math.trunc(input.required));
    const tx = this.db.transaction((): RecordApprovalOutcome => {
      const row = update.get({ id, by: input.by, at: input.at.getTime(), required });
      if (row === undefined) {
        const currentRow = select.get(id);
        if (currentRow === undefined) return { recorded: false, reason: "not-found", current: undefined };
        return approvalRefusal(toRequest(currentRow), input.by);
      }
      const request = toRequest(row);
      const approved = request.state === "approved";
      this.insertAudit(approvalAudit(request, input, required));
      return { recorded: true, approved, request };
    });
    return tx.immediate();
  }

  async setRequestMessageTs(id: string, messageTs: string): Promise<void> {
    const info = this.db
      .prepare("UPDATE action_requests SET message_ts = ?, version = version + 1 WHERE id = ?")
      .run(messageTs, id);
    if (info.changes === 0) throw new StoreError("not-found", `no action request ${id}`);
  }

  async expireDue(now: Date): Promise<string[]> {
    const update = this.db.prepare<{ now: number }, RequestRow>(
      `UPDATE action_requests SET state = 'expired', version = version + 1, updated_at = @now
       WHERE state = 'requested' AND expires_at <= @now
       RETURNING *`,
    );
    const tx = this.db.transaction((): string[] => {
      const rows = update.all({ now: now.getTime() });
      rows.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
      for (const row of rows) {
        this.insertAudit(
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
    return tx.immediate();
  }

  async renewExecution(id: string, executor: string, at: Date): Promise<boolean> {
    const result = this.db
      .prepare<{ id: string; executor: string; at: number }>(
        `UPDATE action_requests SET heartbeat_at = @at
         WHERE id = @id AND state = 'executing' AND executor = @executor`,
      )
      .run({ id, executor, at: at.getTime() });
    return result.changes === 1;
  }

  async markInterruptedExecutions(at: Date, filter: InterruptedFilter = {}): Promise<ActionRequest[]> {
    const update = this.db.prepare<Record<string, unknown>, RequestRow>(
      `UPDATE action_requests SET state = 'outcome-unknown', version = version + 1, updated_at = @at,
         note = @note
       WHERE state = 'executing'
         AND (@before IS NULL OR executing_since < @before)
         AND (@executor IS NULL OR executor = @executor)
         AND (@stale IS NULL OR COALESCE(heartbeat_at, executing_since) < @stale)
       RETURNING *`,
    );
    const tx = this.db.transaction((): ActionRequest[] => {
      const rows = update.all({
        at: at.getTime(),
        note: INTERRUPTED_NOTE,
        before: filter.startedBefore?.getTime() ?? null,
        executor: filter.executor ?? null,
        stale: filter.heartbeatBefore?.getTime() ?? null,
      });
      const requests = rows.map(toRequest).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      for (const r of requests) {
        this.insertAudit(interruptedAudit(r, at, INTERRUPTED_NOTE));
      }
      return requests;
    });
    return tx.immediate();
  }

  // ---- settings -----------------------------------------------------------------------------

  async getSetting(key: string): Promise<Setting | undefined> {
    const row = this.db.prepare<[string], SettingRow>("SELECT * FROM settings WHERE key = ?").get(key);
    return row === undefined ? undefined : toSetting(row);
  }

  async putSetting(key: string, value: unknown, input: PutSettingInput): Promise<boolean> {
    const json = JSON.stringify(value ?? null);
    const select = this.db.prepare<[string], SettingRow>("SELECT * FROM settings WHERE key = ?");
    const upsert = this.db.prepare(
      `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
    );
    const tx = this.db.transaction((): boolean => {
      const before = select.get(key);
      if (before !== undefined && before.value === json) return false;
      upsert.run(key, json, input.at.getTime(), input.actor);
      this.insertAudit({
        at: input.at,
        actor: input.actor,
        kind: input.kind ?? "settings.changed",
        details: {
          key,
          from: before === undefined ? null : (JSON.parse(before.value) as unknown),
          to: JSON.parse(json) as unknown,
          ...input.details,
        },
      });
      return true;
    });
    return tx.immediate();
  }

  // ---- audit --------------------------------------------------------------------------------

  async audit(event: AuditInput): Promise<AuditEvent> {
    return this.insertAudit(event);
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return this.db
      .prepare<{ incidentId: string | null; requestId: string | null }, AuditRow>(
        `SELECT * FROM audit_log
         WHERE (@incidentId IS NULL OR incident_id = @incidentId) AND (@requestId IS NULL OR request_id = @requestId)
         ORDER BY seq`,
      )
      .all({ incidentId: filter.incidentId ?? null, requestId: filter.requestId ?? null })
      .map(toAudit);
  }

  private ledger: OutboxLedger | undefined;
  private coord: Coordination | undefined;

  /** The outbox's ledger, best effort: while the store cannot be written, messages go out unkept. */
  outboxLedger(): OutboxLedger {
    this.ledger ??= bestEffortLedger(
      new SqliteOutboxLedger(this.db),
      () => this.watch.condition().ok,
      (error) => this.watch.failed(error),
    );
    return this.ledger;
  }

  coordination(): Coordination {
    // Watched like the store's writes: refused while the file cannot be written (a lease is then
    // lost, the outbox paces locally), and a fault is reported to the watch.
    this.coord ??= watchWrites(new SqliteCoordination(this.db), this.watch);
    return this.coord;
  }

  async close(): Promise<void> {
    this.watch.stop();
    if (this.db.open) this.db.close();
  }

  private insertAudit(event: AuditInput): AuditEvent {
    const row = this.db
      .prepare<unknown[], AuditRow>(
        `INSERT INTO audit_log (at, actor, kind, incident_id, request_id, details)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        event.at.getTime(),
        event.actor,
        event.kind,
        event.incidentId ?? null,
        event.requestId ?? null,
        JSON.stringify(event.details ?? {}),
      );
    if (row === undefined) throw new Error("audit insert returned no row");
    return toAudit(row);
  }
}

/**
 * The watch's probe: commits a row of a page's size, added and removed. It needs the file writable
 * and a free page (a row that fits in a half-full page would succeed on a store that is full).
 */
function probeWrite(db: Database.Database): void {
  const pageSize = Number(db.pragma("page_size", { simple: true })) || 4096;
  db.transaction(() => {
    const id = `store-health-probe:${Date.now()}:${"x".repeat(pageSize)}`;
    db.prepare("INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING").run(id, 0);
    db.prepare("DELETE FROM seen_events WHERE event_id = ?").run(id);
  }).immediate();
}

/** Opens the SQLite store at `path` (":memory:" for tests). */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return SqliteStore.open(path, options);
}
