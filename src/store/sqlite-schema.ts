/**
 * The SQLite schema as numbered migrations. `schema_version` holds one row per applied migration;
 * `migrate` applies the missing ones inside one IMMEDIATE transaction, so two processes opening
 * the same new file at once apply each migration exactly once. Add a migration; never edit one.
 */
import type Database from "better-sqlite3";
import { StoreError } from "./store.ts";

interface Migration {
  readonly version: number;
  readonly sql: string;
}

const REQUEST_STATES_SQL =
  "'requested','approved','rejected','expired','executing','succeeded','failed','outcome-unknown'";

export const MIGRATIONS: readonly Migration[] = [
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
        opened_at     INTEGER NOT NULL,
        resolved_at   INTEGER,
        last_fired_at INTEGER NOT NULL
      ) STRICT;
      -- At most one open incident per runbook per channel: a racing second open becomes a no-op.
      CREATE UNIQUE INDEX incidents_one_open ON incidents (channel, runbook_id) WHERE state = 'open';
      CREATE INDEX incidents_thread ON incidents (channel, thread_ts);

      CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX seen_events_at ON seen_events (seen_at);

      CREATE TABLE step_results (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        run_id      TEXT NOT NULL,
        step_id     TEXT NOT NULL,
        report      TEXT NOT NULL,
        saved_at    INTEGER NOT NULL,
        UNIQUE (run_id, step_id)
      ) STRICT;
      CREATE INDEX step_results_incident ON step_results (incident_id, seq);

      CREATE TABLE run_reports (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        run_id      TEXT NOT NULL UNIQUE,
        report      TEXT NOT NULL,
        saved_at    INTEGER NOT NULL
      ) STRICT;
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
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER NOT NULL,
        approvals       TEXT NOT NULL DEFAULT '[]',
        decided_by      TEXT,
        decided_at      INTEGER,
        note            TEXT,
        result          TEXT,
        message_ts      TEXT,
        executor        TEXT,
        executing_since INTEGER,
        updated_at      INTEGER NOT NULL,
        version         INTEGER NOT NULL DEFAULT 1
      ) STRICT;
      CREATE INDEX action_requests_state ON action_requests (state, expires_at);
      CREATE INDEX action_requests_incident ON action_requests (incident_id, created_at);

      CREATE TABLE audit_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          INTEGER NOT NULL,
        actor       TEXT NOT NULL,
        kind        TEXT NOT NULL,
        incident_id TEXT,
        request_id  TEXT,
        details     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_incident ON audit_log (incident_id, seq);
      CREATE INDEX audit_log_request ON audit_log (request_id, seq);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    sql: `
      -- Runtime switches kept across restarts (the /runbook freeze kill switch), as JSON values.
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      -- The executor's lease on a request it executes: renewed while it works, so that another
      -- process tells a live execution (fresh) from one whose process died (stale).
      ALTER TABLE action_requests ADD COLUMN heartbeat_at INTEGER;
    `,
  },
  {
    version: 4,
    sql: `
      -- The Slack outbox's ledger (src/store/outbox-ledger.ts): thread posts and status updates
      -- accepted but not yet answered by Slack, sent at the next start if the bot stopped first.
      CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        lane       TEXT NOT NULL CHECK (lane IN ('post', 'update')),
        channel    TEXT NOT NULL,
        key        TEXT,
        urgent     INTEGER NOT NULL DEFAULT 0,
        call       TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    sql: `
      -- Coordination between replicas (src/store/sqlite-coordination.ts): leases on work that one
      -- replica at a time does, and the theoretical arrival time of each shared send-slot key (GCRA).
      CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE send_slots (
        key TEXT PRIMARY KEY,
        tat REAL NOT NULL
      ) STRICT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Brings the database to the latest schema; returns the version it found. */
export function migrate(db: Database.Database, now: Date = new Date()): number {
  const run = db.transaction(() => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
    );
    const row = db.prepare<[], { v: number | null }>("SELECT MAX(version) AS v FROM schema_version").get();
    const found = row?.v ?? 0;
    if (found > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        "schema-too-new",
        `the database has schema version ${found}, newer than this bot knows (${LATEST_SCHEMA_VERSION}); upgrade the bot`,
      );
    }
    const record = db.prepare<[number, number]>(
      "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
    );
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue;
      db.exec(m.sql);
      record.run(m.version, now.getTime());
    }
    return found;
  });
  return run.immediate();
}
