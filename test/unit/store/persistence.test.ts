import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LATEST_SCHEMA_VERSION } from "../../../src/store/sqlite-schema.ts";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { at, incidentInput, T0, tempDir } from "./helpers.ts";

describe("sqlite store on disk", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => {
    cleanup();
  });

  it("creates missing directories, uses WAL and a busy timeout, and records the schema version", async () => {
    const path = join(dir, "nested", "deeper", "bot.db");
    const store = SqliteStore.open(path, { busyTimeoutMs: 1234 });
    try {
      expect(existsSync(path)).toBe(true);
      expect(store.foundSchemaVersion).toBe(0);
      expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(store.db.pragma("busy_timeout", { simple: true })).toBe(1234);
      expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
      const versions = store.db.prepare("SELECT version FROM schema_version ORDER BY version").pluck().all();
      // Every migration, in order, applied once.
      expect(versions).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
    const reopened = SqliteStore.open(path);
    try {
      expect(reopened.foundSchemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(reopened.db.prepare("SELECT COUNT(*) FROM schema_version").pluck().get()).toBe(
        LATEST_SCHEMA_VERSION,
      );
    } finally {
      await reopened.close();
    }
  });

  it("keeps incidents, pending requests, deliveries and the audit log across close and reopen", async () => {
    const path = join(dir, "bot.db");
    const first = SqliteStore.open(path);
    const { incident } = await first.openIncident(incidentInput());
    await first.recordFire(incident.id, at(1));
    await first.setStatusTs(incident.id, "1700000001.000200");
    const { request } = await first.createRequest({
      incidentId: incident.id,
      action: "scale-taskmanagers",
      params: { replicas: 8 },
      preview: "scale 4 -> 8",
      requesterId: "U1",
      createdAt: T0,
      expiresAt: at(15),
    });
    await first.markEventSeen("Ev1", T0);
    const auditBefore = await first.listAudit();
    await first.close();

    const second = SqliteStore.open(path);
    try {
      expect(await second.listOpenIncidents()).toEqual([
        { ...incident, fireCount: 2, lastFiredAt: at(1), statusTs: "1700000001.000200" },
      ]);
      expect(await second.listRequests({ state: "requested" })).toEqual([request]);
      expect(await second.markEventSeen("Ev1", at(2))).toBe(false);
      expect(await second.listAudit()).toEqual(auditBefore);
      // Still idempotent after a restart.
      expect((await second.openIncident(incidentInput())).created).toBe(false);
      // And the pending request can still be approved.
      const out = await second.transitionRequest(request.id, "requested", "approved", {
        at: at(3),
        actor: "U2",
      });
      expect(out.won).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("after a crash mid-execution, reopening finds the request and marks it outcome-unknown", async () => {
    const path = join(dir, "bot.db");
    const before = SqliteStore.open(path);
    const { incident } = await before.openIncident(incidentInput());
    const { request } = await before.createRequest({
      incidentId: incident.id,
      action: "scale-taskmanagers",
      params: {},
      preview: "scale",
      requesterId: "U1",
      createdAt: T0,
      expiresAt: at(15),
    });
    await before.transitionRequest(request.id, "requested", "approved", { at: at(1), actor: "U2" });
    await before.transitionRequest(request.id, "approved", "executing", { at: at(2), actor: "bot" });
    // No close(): the process "dies" with the connection open (the real crash is in the integration test).

    const after = SqliteStore.open(path);
    try {
      const interrupted = await after.markInterruptedExecutions(at(5));
      expect(interrupted.map((r) => [r.id, r.state, r.incidentId])).toEqual([
        [request.id, "outcome-unknown", incident.id],
      ]);
      expect(await after.markInterruptedExecutions(at(6))).toEqual([]);
      const kinds = (await after.listAudit({ requestId: request.id })).map((e) => e.kind);
      expect(kinds).toEqual([
        "action.requested",
        "action.approved",
        "action.executing",
        "action.outcome-unknown",
      ]);
    } finally {
      await after.close();
      await before.close();
    }
  });

  it("refuses a database written by a newer bot", async () => {
    const path = join(dir, "bot.db");
    await SqliteStore.open(path).close();
    const raw = new Database(path);
    raw
      .prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")
      .run(LATEST_SCHEMA_VERSION + 1, 0);
    raw.close();
    expect(() => SqliteStore.open(path)).toThrow(/newer than this bot knows/);
  });

  it("accepts :memory: and each in-memory store is its own database", async () => {
    const a = SqliteStore.open(":memory:");
    const b = SqliteStore.open(":memory:");
    await a.openIncident(incidentInput());
    expect(await a.listOpenIncidents()).toHaveLength(1);
    expect(await b.listOpenIncidents()).toHaveLength(0);
    await a.close();
    await b.close();
    await a.close(); // closing twice is harmless
  });
});
