/**
 * The store on PostgreSQL, for several replicas: the same semantics as the SQLite store
 * (sqlite-store.ts), every race decided by a conditional write in the database, every state change
 * audited in its own transaction. Opened from a URL (the password never reaches a log: every
 * reason names the masked URL); the schema migrated at open. Action requests are in
 * postgres-requests.ts, the outbox ledger in postgres-ledger.ts, leases and send slots in
 * postgres-coordination.ts, the watch on the server in postgres-health.ts.
 */
import { hostname } from "node:os";
import type { RequestState } from "../core/approval.ts";
import { maskUrl } from "../core/mask-url.ts";
import type { RunReport, StepReport } from "../core/runbook.ts";
import type { Coordination } from "./coordination.ts";
import { bestEffortLedger, type OutboxLedger } from "./outbox-ledger.ts";
import { insertAudit } from "./postgres-audit.ts";
import { PostgresCoordination } from "./postgres-coordination.ts";
import { createPool, PostgresDb } from "./postgres-db.ts";
import { PostgresHealth } from "./postgres-health.ts";
import * as incidents from "./postgres-incidents.ts";
import { PostgresOutboxLedger } from "./postgres-ledger.ts";
import * as requests from "./postgres-requests.ts";
import { migratePostgres } from "./postgres-schema.ts";
import { type AuditRow, newId, type ReportRow, type SettingRow, toAudit, toSetting } from "./sqlite-rows.ts";
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

export interface PostgresStoreOptions {
  /** The schema the tables live in (created if missing). Default: the role's search_path (public). */
  readonly schema?: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** How long opening a connection may take before the server counts as unreachable. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** How often the server is probed. Default 2000 ms. */
  readonly healthIntervalMs?: number;
  /** This replica's id: the owner of its outbox ledger rows. Default host-pid-random. */
  readonly instanceId?: string;
  /** A replica silent for longer than this is gone: another may resend its ledger rows. Default 30 s. */
  readonly outboxOwnerTtlMs?: number;
}

export class PostgresStore implements Store {
  /** The schema version the database had when opened (0 for an empty one). */
  readonly foundSchemaVersion: number;
  readonly instanceId: string;
  private ledger: PostgresOutboxLedger | undefined;
  private bestEffort: OutboxLedger | undefined;
  private readonly coordinationImpl: PostgresCoordination;

  private constructor(
    readonly db: PostgresDb,
    readonly watch: PostgresHealth,
    found: number,
    private readonly options: PostgresStoreOptions,
  ) {
    this.foundSchemaVersion = found;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${newId("inc").slice(4)}`;
    this.coordinationImpl = new PostgresCoordination(db);
  }

  /**
   * Connects, migrates and starts the watch. Throws StoreError "cannot-open" (naming the masked
   * URL) when the server cannot be reached or refuses the login, "schema-too-new" when the database
   * is ahead of this code.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = maskUrl(url);
    const pool = await createPool(
      url,
      options.schema,
      options.poolSize ?? 10,
      options.connectTimeoutMs ?? 5000,
    );
    // Idle connections cut by the server: the watch hears of it; the pool replaces them.
    const health = new PostgresHealth(
      where,
      async (write) => {
        if (!write) {
          await pool.query("SELECT 1");
          return;
        }
        // A row added and removed in one committed transaction: needs a writable server with room.
        const client = await pool.connect();
        let broken: Error | undefined;
        const onError = (error: Error): void => {
          broken = error;
        };
        client.on("error", onError);
        try {
          await client.query("BEGIN");
          await client.query(
            "INSERT INTO seen_events (event_id, seen_at) VALUES ($1, 0) ON CONFLICT DO NOTHING",
            [`store-health-probe:${Date.now()}`],
          );
          await client.query("DELETE FROM seen_events WHERE event_id LIKE 'store-health-probe:%'");
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch((e: unknown) => {
            broken = e instanceof Error ? e : new Error(String(e));
          });
          throw error;
        } finally {
          // A connection that could not roll back (or was cut) is dropped, not pooled.
          client.off("error", onError);
          client.release(broken);
        }
      },
      options.healthIntervalMs ?? 2000,
    );
    pool.on("error", (error) => health.failed(error));
    let found: number;
    try {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error): void => {
        broken = error;
      };
      client.on("error", onError);
      try {
        found = await migratePostgres(client, options.schema ?? "public");
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      const detail = maskUrl(error instanceof Error ? error.message : String(error));
      throw new StoreError("cannot-open", `cannot open the database ${where} (${detail})`);
    }
    health.start();
    return new PostgresStore(new PostgresDb(pool, health), health, found, options);
  }

  health(): StoreCondition {
    return this.watch.condition();
  }

  onHealthChange(listener: (condition: StoreCondition) => void): () => void {
    return this.watch.onChange(listener);
  }

  coordination(): Coordination {
    return this.coordinationImpl;
  }

  // ---- incidents (postgres-incidents.ts) ----------------------------------------------------

  openIncident(input: OpenIncidentInput): Promise<OpenIncidentResult> {
    return incidents.openIncident(this.db, input);
  }
  getIncident(id: string): Promise<Incident | undefined> {
    return incidents.getIncident(this.db, id);
  }
  findOpenIncident(channel: string, runbookId: string): Promise<Incident | undefined> {
    return incidents.findOpenIncident(this.db, channel, runbookId);
  }
  findLatestIncident(channel: string): Promise<Incident | undefined> {
    return incidents.findLatestIncident(this.db, channel);
  }
  findIncidentByThread(channel: string, threadTs: string): Promise<Incident | undefined> {
    return incidents.findIncidentByThread(this.db, channel, threadTs);
  }
  listOpenIncidents(): Promise<Incident[]> {
    return incidents.listOpenIncidents(this.db);
  }
  recordFire(id: string, at: Date): Promise<number> {
    return incidents.recordFire(this.db, id, at);
  }
  resolveIncident(id: string, at: Date, actor?: string): Promise<boolean> {
    return incidents.resolveIncident(this.db, id, at, actor);
  }
  setStatusTs(id: string, statusTs: string): Promise<void> {
    return incidents.setStatusTs(this.db, id, statusTs);
  }

  // ---- deliveries ---------------------------------------------------------------------------

  async markEventSeen(eventId: string, at: Date = new Date()): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "INSERT INTO seen_events (event_id, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [eventId, at.getTime()],
    );
    return rowCount === 1;
  }

  async pruneSeenEvents(before: Date): Promise<number> {
    return (await this.db.query("DELETE FROM seen_events WHERE seen_at < $1", [before.getTime()])).rowCount;
  }

  // ---- step results and run reports ---------------------------------------------------------

  async saveStepResult(
    incidentId: string,
    runId: string,
    step: StepReport,
    at: Date = new Date(),
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO step_results (incident_id, run_id, step_id, report, saved_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id, step_id) DO UPDATE SET report = EXCLUDED.report, saved_at = EXCLUDED.saved_at`,
      [incidentId, runId, step.id, JSON.stringify(step), at.getTime()],
    );
  }

  async saveRunReport(
    incidentId: string,
    runId: string,
    report: RunReport,
    at: Date = new Date(),
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO run_reports (incident_id, run_id, report, saved_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO UPDATE SET report = EXCLUDED.report, saved_at = EXCLUDED.saved_at`,
      [incidentId, runId, JSON.stringify(report), at.getTime()],
    );
  }

  async listStepResults(incidentId: string): Promise<StoredStepResult[]> {
    const { rows } = await this.db.query<ReportRow>(
      "SELECT incident_id, run_id, report, saved_at FROM step_results WHERE incident_id = $1 ORDER BY seq",
      [incidentId],
    );
    return rows.map((r) => ({
      incidentId: r.incident_id,
      runId: r.run_id,
      step: JSON.parse(r.report) as StepReport,
      savedAt: new Date(r.saved_at),
    }));
  }

  async listRunReports(incidentId: string): Promise<StoredRunReport[]> {
    const { rows } = await this.db.query<ReportRow>(
      "SELECT incident_id, run_id, report, saved_at FROM run_reports WHERE incident_id = $1 ORDER BY seq",
      [incidentId],
    );
    return rows.map((r) => ({
      incidentId: r.incident_id,
      runId: r.run_id,
      report: JSON.parse(r.report) as RunReport,
      savedAt: new Date(r.saved_at),
    }));
  }

  // ---- action requests (postgres-requests.ts) ------------------------------------------------

  createRequest(input: CreateRequestInput): Promise<{ request: ActionRequest; created: boolean }> {
    return requests.createRequest(this.db, input);
  }
  getRequest(id: string): Promise<ActionRequest | undefined> {
    return requests.getRequest(this.db, id);
  }
  listRequests(filter?: RequestFilter): Promise<ActionRequest[]> {
    return requests.listRequests(this.db, filter);
  }
  transitionRequest(
    id: string,
    from: RequestState,
    to: RequestState,
    patch: TransitionPatch,
  ): Promise<TransitionOutcome> {
    return requests.transitionRequest(this.db, id, from, to, patch);
  }
  recordApproval(id: string, input: RecordApprovalInput): Promise<RecordApprovalOutcome> {
    return requests.recordApproval(this.db, id, input);
  }
  setRequestMessageTs(id: string, messageTs: string): Promise<void> {
    return requests.setRequestMessageTs(this.db, id, messageTs);
  }
  expireDue(now: Date): Promise<string[]> {
    return requests.expireDue(this.db, now);
  }
  markInterruptedExecutions(at: Date, filter?: InterruptedFilter): Promise<ActionRequest[]> {
    return requests.markInterruptedExecutions(this.db, at, filter);
  }
  renewExecution(id: string, executor: string, at: Date): Promise<boolean> {
    return requests.renewExecution(this.db, id, executor, at);
  }

  // ---- settings -----------------------------------------------------------------------------

  async getSetting(key: string): Promise<Setting | undefined> {
    const { rows } = await this.db.query<SettingRow>("SELECT * FROM settings WHERE key = $1", [key]);
    return rows[0] === undefined ? undefined : toSetting(rows[0]);
  }

  async putSetting(key: string, value: unknown, input: PutSettingInput): Promise<boolean> {
    const json = JSON.stringify(value ?? null);
    return this.db.tx(async (q) => {
      // The row locked (or its key, when new) so that two replicas changing it audit in turn.
      await q.query("SELECT pg_advisory_xact_lock(hashtext('settings:' || $1))", [key]);
      const { rows } = await q.query<SettingRow>("SELECT * FROM settings WHERE key = $1", [key]);
      const before = rows[0];
      if (before !== undefined && before.value === json) return false;
      await q.query(
        `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at,
           updated_by = EXCLUDED.updated_by`,
        [key, json, input.at.getTime(), input.actor],
      );
      await insertAudit(q, {
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
  }

  // ---- audit --------------------------------------------------------------------------------

  audit(event: AuditInput): Promise<AuditEvent> {
    return this.db.tx((q) => insertAudit(q, event));
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM audit_log
       WHERE ($1::text IS NULL OR incident_id = $1) AND ($2::text IS NULL OR request_id = $2)
       ORDER BY seq`,
      [filter.incidentId ?? null, filter.requestId ?? null],
    );
    return rows.map(toAudit);
  }

  // ---- outbox ledger ------------------------------------------------------------------------

  /** This replica's ledger (postgres-ledger.ts), best effort: while the server is down, messages go out unkept. */
  outboxLedger(): OutboxLedger {
    if (this.bestEffort === undefined) {
      this.ledger = new PostgresOutboxLedger(
        this.db,
        this.instanceId,
        this.options.outboxOwnerTtlMs ?? 30_000,
      );
      this.ledger.start();
      this.bestEffort = bestEffortLedger(
        this.ledger,
        () => this.watch.condition().ok,
        (error) => this.watch.failed(error),
      );
    }
    return this.bestEffort;
  }

  async close(): Promise<void> {
    this.watch.stop();
    this.ledger?.stop();
    await this.db.pool.end().catch(() => undefined);
  }
}

/** Opens the PostgreSQL store at `url` (see PostgresStore.open). */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  return PostgresStore.open(url, options);
}
