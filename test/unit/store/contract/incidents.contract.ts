import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../src/store/store.ts";
import { StoreError } from "../../../../src/store/store.ts";
import { at, incidentInput, T0 } from "../helpers.ts";
import type { StoreHarness } from "./harness.ts";

/** The contract on any store `h` opens. */
export function incidentsContract(h: StoreHarness): void {
  describe("incidents", () => {
    let store: Store;
    beforeEach(async () => {
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("opens an incident with an inc- id, fire count 1, and audits it", async () => {
      const result = await store.openIncident(incidentInput());
      expect(result.created).toBe(true);
      const inc = result.incident;
      expect(inc.id).toMatch(/^inc-[0-9a-f]{12}$/);
      expect(inc).toMatchObject({
        runbookId: "consumer-lag",
        alertName: "kafka-consumer-lag-high",
        source: "cloudwatch",
        channel: "C1",
        threadTs: "1700000000.000100",
        statusTs: null,
        state: "open",
        severity: "high",
        fireCount: 1,
        resolvedAt: null,
        dedupeKey: "C1:1700000000.000100",
      });
      expect(inc.openedAt).toEqual(T0);
      expect(inc.lastFiredAt).toEqual(T0);
      expect(await store.getIncident(inc.id)).toEqual(inc);
      const audit = await store.listAudit({ incidentId: inc.id });
      expect(audit.map((e) => [e.kind, e.actor])).toEqual([["incident.opened", "bot"]]);
      expect(audit[0]?.details).toMatchObject({ runbookId: "consumer-lag", channel: "C1" });
    });

    it("is idempotent on the dedupe key: a redelivery returns the first incident, unchanged", async () => {
      const first = await store.openIncident(incidentInput());
      const again = await store.openIncident(incidentInput({ openedAt: at(1), threadTs: "other" }));
      expect(again).toEqual({ incident: first.incident, created: false, matchedBy: "dedupe-key" });
      expect(await store.listOpenIncidents()).toHaveLength(1);
      expect((await store.listAudit()).filter((e) => e.kind === "incident.opened")).toHaveLength(1);
    });

    it("keeps one open incident per runbook per channel; a new firing matches the open one", async () => {
      const first = await store.openIncident(incidentInput());
      const second = await store.openIncident(
        incidentInput({ dedupeKey: "C1:1700000100.000200", openedAt: at(5) }),
      );
      expect(second).toEqual({ incident: first.incident, created: false, matchedBy: "open-incident" });

      const otherChannel = await store.openIncident(incidentInput({ dedupeKey: "C2:1", channel: "C2" }));
      const otherRunbook = await store.openIncident(
        incidentInput({ dedupeKey: "C1:2", runbookId: "dlq-spike", alertName: "dlq-spike-critical" }),
      );
      expect(otherChannel.created).toBe(true);
      expect(otherRunbook.created).toBe(true);
      expect((await store.listOpenIncidents()).map((i) => i.id)).toEqual([
        first.incident.id,
        otherChannel.incident.id,
        otherRunbook.incident.id,
      ]);
    });

    it("opens a fresh incident once the previous one is resolved; the old key still answers", async () => {
      const first = await store.openIncident(incidentInput());
      expect(await store.resolveIncident(first.incident.id, at(10), "U1")).toBe(true);
      const next = await store.openIncident(incidentInput({ dedupeKey: "C1:later", openedAt: at(20) }));
      expect(next.created).toBe(true);
      expect(next.incident.id).not.toBe(first.incident.id);
      const replay = await store.openIncident(incidentInput());
      expect(replay.created).toBe(false);
      expect(replay.incident.id).toBe(first.incident.id);
      expect(replay.incident.state).toBe("resolved");
    });

    it("finds the open incident by channel and runbook, and any incident by thread", async () => {
      const { incident } = await store.openIncident(incidentInput());
      expect((await store.findOpenIncident("C1", "consumer-lag"))?.id).toBe(incident.id);
      expect(await store.findOpenIncident("C1", "dlq-spike")).toBeUndefined();
      expect(await store.findOpenIncident("C9", "consumer-lag")).toBeUndefined();
      expect((await store.findIncidentByThread("C1", "1700000000.000100"))?.id).toBe(incident.id);
      await store.resolveIncident(incident.id, at(3));
      expect(await store.findOpenIncident("C1", "consumer-lag")).toBeUndefined();
      expect((await store.findIncidentByThread("C1", "1700000000.000100"))?.state).toBe("resolved");
      expect(await store.findIncidentByThread("C1", "nope")).toBeUndefined();
    });

    it("findLatestIncident gives the channel's most recently opened incident, open or resolved", async () => {
      expect(await store.findLatestIncident("C1")).toBeUndefined();
      const { incident: first } = await store.openIncident(incidentInput());
      await store.resolveIncident(first.id, at(1));
      expect((await store.findLatestIncident("C1"))?.id).toBe(first.id);
      const { incident: second } = await store.openIncident(
        incidentInput({
          dedupeKey: "C1:2",
          threadTs: "1700000000.000200",
          runbookId: "dlq-spike",
          openedAt: at(5),
        }),
      );
      await store.openIncident(incidentInput({ dedupeKey: "C2:1", channel: "C2", openedAt: at(9) }));
      expect((await store.findLatestIncident("C1"))?.id).toBe(second.id);
      expect(await store.findLatestIncident("C3")).toBeUndefined();
    });

    it("recordFire increments the count atomically and keeps the latest firing time", async () => {
      const { incident } = await store.openIncident(incidentInput());
      expect(await store.recordFire(incident.id, at(2))).toBe(2);
      expect(await store.recordFire(incident.id, at(4))).toBe(3);
      // An out-of-order (older) firing still counts but does not move last_fired_at back.
      expect(await store.recordFire(incident.id, at(1))).toBe(4);
      const now = await store.getIncident(incident.id);
      expect(now?.fireCount).toBe(4);
      expect(now?.lastFiredAt).toEqual(at(4));
      const fired = (await store.listAudit({ incidentId: incident.id })).filter(
        (e) => e.kind === "incident.fired",
      );
      expect(fired.map((e) => e.details)).toEqual([{ fireCount: 2 }, { fireCount: 3 }, { fireCount: 4 }]);
    });

    it("resolveIncident is a conditional write: true once, then false", async () => {
      const { incident } = await store.openIncident(incidentInput());
      expect(await store.resolveIncident(incident.id, at(10), "U1")).toBe(true);
      expect(await store.resolveIncident(incident.id, at(11), "U2")).toBe(false);
      const resolved = await store.getIncident(incident.id);
      expect(resolved?.state).toBe("resolved");
      expect(resolved?.resolvedAt).toEqual(at(10));
      expect(await store.listOpenIncidents()).toEqual([]);
      const kinds = (await store.listAudit({ incidentId: incident.id })).map((e) => `${e.kind}:${e.actor}`);
      expect(kinds).toEqual(["incident.opened:bot", "incident.resolved:U1"]);
    });

    it("setStatusTs records the bot's status message", async () => {
      const { incident } = await store.openIncident(incidentInput());
      await store.setStatusTs(incident.id, "1700000001.000200");
      expect((await store.getIncident(incident.id))?.statusTs).toBe("1700000001.000200");
    });

    it("reports unknown incidents with a not-found StoreError", async () => {
      await expect(store.recordFire("inc-missing", T0)).rejects.toMatchObject({ code: "not-found" });
      await expect(store.resolveIncident("inc-missing", T0)).rejects.toBeInstanceOf(StoreError);
      await expect(store.setStatusTs("inc-missing", "1.2")).rejects.toMatchObject({ code: "not-found" });
      expect(await store.getIncident("inc-missing")).toBeUndefined();
    });
  });

  describe("incidents across two connections to one database", () => {
    it("opens one incident when two connections open the same key", async () => {
      const shared = await h.database();
      const a = await shared.open();
      const b = await shared.open();
      try {
        // Both ask at once; each call is a transaction on its own connection.
        const [ra, rb] = await Promise.all([
          a.openIncident(incidentInput()),
          b.openIncident(incidentInput()),
        ]);
        expect([ra.created, rb.created].sort()).toEqual([false, true]);
        expect(ra.incident.id).toBe(rb.incident.id);
        // Interleaved the other way round, with a new key for the same runbook: still one open incident.
        const rb2 = await b.openIncident(incidentInput({ dedupeKey: "k2" }));
        const ra2 = await a.openIncident(incidentInput({ dedupeKey: "k2" }));
        expect(rb2).toMatchObject({ created: false, matchedBy: "open-incident" });
        expect(ra2).toMatchObject({ created: false, matchedBy: "open-incident" });
        expect(await a.listOpenIncidents()).toHaveLength(1);
        expect(await b.listOpenIncidents()).toHaveLength(1);
        expect((await b.listAudit()).filter((e) => e.kind === "incident.opened")).toHaveLength(1);
      } finally {
        await a.close();
        await b.close();
        await shared.cleanup();
      }
    });
  });

  describe("processed deliveries", () => {
    it("markEventSeen is true the first time only, and pruning forgets old ones", async () => {
      const store = await h.open();
      try {
        expect(await store.markEventSeen("Ev1", T0)).toBe(true);
        expect(await store.markEventSeen("Ev1", at(1))).toBe(false);
        expect(await store.markEventSeen("Ev1", at(2))).toBe(false);
        expect(await store.markEventSeen("Ev2", at(30))).toBe(true);
        expect(await store.pruneSeenEvents(at(10))).toBe(1);
        expect(await store.markEventSeen("Ev2", at(31))).toBe(false);
        expect(await store.markEventSeen("Ev1", at(32))).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}
