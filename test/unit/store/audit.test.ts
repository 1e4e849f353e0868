import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { at, tempDir } from "./helpers.ts";

describe("audit log", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = SqliteStore.open(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });

  it("appends events in order and filters by incident and request", async () => {
    const e1 = await store.audit({
      at: at(1),
      actor: "bot",
      kind: "step.completed",
      incidentId: "inc-1",
      details: { step: "assess", status: "warning" },
    });
    const e2 = await store.audit({
      at: at(2),
      actor: "U7",
      kind: "action.refused",
      incidentId: "inc-1",
      requestId: "act-1",
      details: { reason: "not an authorised approver" },
    });
    const e3 = await store.audit({ at: at(3), actor: "bot", kind: "step.completed", incidentId: "inc-2" });
    expect(e2.seq).toBeGreaterThan(e1.seq);
    expect(e1).toEqual({
      seq: e1.seq,
      at: at(1),
      actor: "bot",
      kind: "step.completed",
      incidentId: "inc-1",
      requestId: null,
      details: { step: "assess", status: "warning" },
    });
    expect(e3.details).toEqual({});
    expect((await store.listAudit()).map((e) => e.seq)).toEqual([e1.seq, e2.seq, e3.seq]);
    expect((await store.listAudit({ incidentId: "inc-1" })).map((e) => e.seq)).toEqual([e1.seq, e2.seq]);
    expect((await store.listAudit({ requestId: "act-1" })).map((e) => e.seq)).toEqual([e2.seq]);
    expect(await store.listAudit({ incidentId: "inc-2", requestId: "act-1" })).toEqual([]);
  });

  it("the database itself refuses UPDATE and DELETE on the log", async () => {
    await store.audit({ at: at(1), actor: "bot", kind: "step.completed", incidentId: "inc-1" });
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
    expect(() => store.db.prepare("UPDATE audit_log SET details = '{}' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    const [event] = await store.listAudit();
    expect(event?.actor).toBe("bot");
  });

  it("also refuses them from another connection to the file", async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, "audit.db");
    const file = SqliteStore.open(path);
    const raw = new Database(path);
    try {
      await file.audit({ at: at(1), actor: "U1", kind: "action.approved", requestId: "act-1" });
      expect(() => raw.prepare("DELETE FROM audit_log WHERE request_id = 'act-1'").run()).toThrow(
        /append-only/,
      );
      expect(() => raw.prepare("UPDATE audit_log SET kind = 'action.rejected'").run()).toThrow(/append-only/);
      expect(await file.listAudit({ requestId: "act-1" })).toHaveLength(1);
    } finally {
      raw.close();
      await file.close();
      cleanup();
    }
  });

  it("has no update or delete method", () => {
    const methods = Object.getOwnPropertyNames(SqliteStore.prototype).filter((m) => /audit/i.test(m));
    expect(methods.sort()).toEqual(["audit", "insertAudit", "listAudit"]);
  });
});
