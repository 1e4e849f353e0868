/**
 * The PostgreSQL schema as numbered migrations, the same tables as the SQLite store's
 * (sqlite-schema.ts) plus what replicas share: the outbox ledger's owners, leases and send slots.
 * `schema_version` holds one row per applied migration; `migratePostgres` applies the missing ones
 * in one transaction under an advisory lock, so replicas starting together apply each migration
 * once. Times are epoch milliseconds (BIGINT), as in SQLite. Add a migration; never edit one.
 */
import type { PoolClient } from "pg";
import { StoreError } from "./store.ts";

interface Migration {
  readonly version: number;
  readonly sql: string;
}

const REQUEST_STATES_SQL =
  "'requested','approved','rejected','expired','executing','succeeded','failed','outcome-unknown'";

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id            TEXT PRIMARY KEY,
        dedupe_key    TEXT NOT NULL UNIQUE,
        runbook_id    TEXT NOT NULL,
        alert_name    TEXT NOT NULL,
        source        TEXT NOT NULL,
        channel       TEXT NOT NULL,
        thread_ts     TEXT NOT NULL,
        status_ts     TEXT,
        state         TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
        severity      TEXT NOT NULL,
        fire_count    INTEGER NOT NULL DEFAULT 1,
        opened_at     BIGINT NOT NULL,
        resolved_at   BIGINT,
        last_fired_at BIGINT NOT NULL,
        seq           BIGSERIAL NOT NULL
      );
      -- At most one open incident per runbook per channel: a racing second open becomes a no-op.
      CREATE UNIQUE INDEX incidents_one_open ON incidents (channel, runbook_id) WHERE state = 'open';
      CREATE INDEX incidents_thread ON incidents (channel, thread_ts);

      CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at  BIGINT NOT NULL
      );
      CREATE INDEX seen_events_at ON seen_events (seen_at);

      CREATE TABLE step_results (
        seq         BIGSERIAL PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        run_id      TEXT NOT NULL,
        step_id     TEXT NOT NULL,
        report      TEXT NOT NULL,
        saved_at    BIGINT NOT NULL,
        UNIQUE (run_id, step_id)
      );
      CREATE INDEX step_results_incident ON step_results (incident_id, seq);

      CREATE TABLE run_reports (
        seq         BIGSERIAL PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        run_id      TEXT NOT NULL UNIQUE,
        report      TEXT NOT NULL,
        saved_at    BIGINT NOT NULL
      );
      CREATE INDEX run_reports_incident ON run_reports (incident_id, seq);

      CREATE TABLE action_requests (
        id              TEXT PRIMARY KEY,
        dedupe_key      TEXT UNIQUE,
        incident_id     TEXT NOT NULL REFERENCES incidents (id),
        action          TEXT NOT NULL,
        params          TEXT NOT NULL,
        preview         TEXT NOT NULL,
        requester_id    TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN (${REQUEST_STATES_SQL})),
        created_at      BIGINT NOT NULL,
        expires_at      BIGINT NOT NULL,
        approvals       JSONB NOT NULL DEFAULT '[]',
        decided_by      TEXT,
        decided_at      BIGINT,
        note            TEXT,
        result          TEXT,
        message_ts      TEXT,
        executor        TEXT,
        executing_since BIGINT,
        heartbeat_at    BIGINT,
        updated_at      BIGINT NOT NULL,
        version         INTEGER NOT NULL DEFAULT 1,
        seq             BIGSERIAL NOT NULL
      );
      CREATE INDEX action_requests_state ON action_requests (state, expires_at);
      CREATE INDEX action_requests_incident ON action_requests (incident_id, created_at);

      CREATE TABLE audit_log (
        seq         BIGSERIAL PRIMARY KEY,
        at          BIGINT NOT NULL,
        actor       TEXT NOT NULL,
        kind        TEXT NOT NULL,
        incident_id TEXT,
        request_id  TEXT,
        details     TEXT NOT NULL
      );
      CREATE INDEX audit_log_incident ON audit_log (incident_id, seq);
      CREATE INDEX audit_log_request ON audit_log (request_id, seq);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

      -- Runtime switches kept across restarts (the /runbook freeze kill switch), as JSON text.
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL
      );

      -- The Slack outbox's ledger (outbox-ledger.ts), each row owned by the replica that wrote it.
      CREATE TABLE outbox (
        id         BIGSERIAL PRIMARY KEY,
        owner      TEXT NOT NULL,
        lane       TEXT NOT NULL CHECK (lane IN ('post', 'update')),
        channel    TEXT NOT NULL,
        key        TEXT,
        urgent     BOOLEAN NOT NULL DEFAULT false,
        call       TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX outbox_owner ON outbox (owner, id);
      -- Replicas that own ledger rows, and when each last said it is alive.
      CREATE TABLE outbox_owners (
        owner    TEXT PRIMARY KEY,
        alive_at BIGINT NOT NULL
      );

      -- Coordination (coordination.ts): one row per lease, one per send-slot key.
      CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE send_slots (
        key TEXT PRIMARY KEY,
        -- GCRA's theoretical arrival time of the next slot (epoch ms, fractional: 45 a minute).
        tat DOUBLE PRECISION NOT NULL
      );
    `,
  },
];

export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Any fixed number: the advisory lock replicas take to migrate one at a time. */
const MIGRATION_LOCK = 7_413_290_115;

/** Quotes an identifier (a schema name) for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Brings the database (in `schema`, created if missing) to the latest schema; returns the version
 * it found. Throws StoreError "schema-too-new" when the database is ahead of this code.
 */
export async function migratePostgres(client: PoolClient, schema: string, now = new Date()): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    );
    const { rows } = await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_version");
    const found = rows[0]?.v ?? 0;
    if (found > PG_LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        "schema-too-new",
        `the database has schema version ${found}, newer than this bot knows (${PG_LATEST_SCHEMA_VERSION}); upgrade the bot`,
      );
    }
    for (const m of PG_MIGRATIONS) {
      if (m.version <= found) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", [
        m.version,
        now.getTime(),
      ]);
    }
    await client.query("COMMIT");
    return found;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
