import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../src/store/store.ts";
import { at } from "../helpers.ts";
import type { StoreHarness } from "./harness.ts";

/** The contract on any store `h` opens. */
export function auditContract(h: StoreHarness): void {
  describe("audit log", () => {
    let store: Store;
    beforeEach(async () => {
      store = await h.open();
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
      await expect(h.rawSql(store, "UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(/append-only/);
      await expect(h.rawSql(store, "DELETE FROM audit_log")).rejects.toThrow(/append-only/);
      await expect(h.rawSql(store, "UPDATE audit_log SET details = '{}' WHERE seq = 1")).rejects.toThrow(
        /append-only/,
      );
      const [event] = await store.listAudit();
      expect(event?.actor).toBe("bot");
    });

    it("has no update or delete method", () => {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((m) =>
        /audit/i.test(m),
      );
      expect(methods).toEqual(expect.arrayContaining(["audit", "listAudit"]));
      expect(methods.filter((m) => /update|delete|remove|clear|truncate|edit/i.test(m))).toEqual([]);
    });
  });
}
