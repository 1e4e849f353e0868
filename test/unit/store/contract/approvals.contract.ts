/**
 * Partial approvals (critical needs two people) as one conditional write, and runtime settings
 * (the /runbook freeze kill switch) that survive a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requestDeadline } from "../../../../src/core/approval.ts";
import type { ActionRequest, CreateRequestInput, Store } from "../../../../src/store/store.ts";
import { at, incidentInput, T0 } from "../helpers.ts";
import type { StoreHarness } from "./harness.ts";

/** The contract on any store `h` opens. */
export function approvalsContract(h: StoreHarness): void {
  function requestInput(incidentId: string, overrides: Partial<CreateRequestInput> = {}): CreateRequestInput {
    return {
      incidentId,
      action: "reboot-broker",
      params: { brokerId: 2 },
      preview: "reboot MSK broker 2 of OrderProcessing",
      requesterId: "U1",
      createdAt: T0,
      expiresAt: requestDeadline(T0, 15),
      ...overrides,
    };
  }

  describe("recordApproval", () => {
    let store: Store;
    let request: ActionRequest;

    beforeEach(async () => {
      store = await h.open();
      const incidentId = (await store.openIncident(incidentInput())).incident.id;
      request = (await store.createRequest(requestInput(incidentId))).request;
    });
    afterEach(async () => {
      await store.close();
    });

    const kinds = async (id: string) =>
      (await store.listAudit({ requestId: id })).map((e) => [e.kind, e.actor]);

    it("critical: the first approval is recorded without moving, the second distinct one approves", async () => {
      const first = await store.recordApproval(request.id, { by: "U2", at: at(1), required: 2 });
      expect(first).toMatchObject({ recorded: true, approved: false });
      expect(first.recorded && first.request).toMatchObject({
        state: "requested",
        approvals: [{ by: "U2", at: at(1) }],
        decidedBy: null,
        version: 2,
      });
      const second = await store.recordApproval(request.id, { by: "U3", at: at(2), required: 2 });
      expect(second).toMatchObject({ recorded: true, approved: true });
      expect(second.recorded && second.request).toMatchObject({
        state: "approved",
        approvals: [
          { by: "U2", at: at(1) },
          { by: "U3", at: at(2) },
        ],
        decidedBy: "U3",
        decidedAt: at(2),
        version: 3,
      });
      expect(await kinds(request.id)).toEqual([
        ["action.requested", "U1"],
        ["action.approval-recorded", "U2"],
        ["action.approved", "U3"],
      ]);
      const [, partial, approved] = await store.listAudit({ requestId: request.id });
      expect(partial?.details).toMatchObject({ action: "reboot-broker", approvals: 1, required: 2 });
      expect(approved?.details).toMatchObject({
        from: "requested",
        to: "approved",
        approvals: 2,
        required: 2,
      });
      // Then the usual edge to execution.
      const start = await store.transitionRequest(request.id, "approved", "executing", {
        at: at(3),
        actor: "bot",
      });
      expect(start.won).toBe(true);
    });

    it("one approval is enough when one is required (low and high)", async () => {
      const out = await store.recordApproval(request.id, {
        by: "U1",
        at: at(1),
        required: 1,
        details: { tier: "low" },
      });
      expect(out).toMatchObject({
        recorded: true,
        approved: true,
        request: { state: "approved", decidedBy: "U1" },
      });
      const audit = await store.listAudit({ requestId: request.id });
      expect(audit.at(-1)).toMatchObject({ kind: "action.approved", actor: "U1", details: { tier: "low" } });
    });

    it("the same person approving twice counts once, and the second write changes nothing", async () => {
      await store.recordApproval(request.id, { by: "U2", at: at(1), required: 2 });
      const again = await store.recordApproval(request.id, { by: "U2", at: at(2), required: 2 });
      expect(again).toMatchObject({ recorded: false, reason: "already-approved" });
      const now = await store.getRequest(request.id);
      expect(now).toMatchObject({ state: "requested", approvals: [{ by: "U2", at: at(1) }], version: 2 });
      expect(await kinds(request.id)).toEqual([
        ["action.requested", "U1"],
        ["action.approval-recorded", "U2"],
      ]);
    });

    it("refuses after the deadline, once decided, and for an unknown request", async () => {
      expect(await store.recordApproval(request.id, { by: "U2", at: at(15), required: 2 })).toMatchObject({
        recorded: false,
        reason: "expired",
        current: { state: "requested" },
      });
      await store.recordApproval(request.id, { by: "U2", at: at(1), required: 1 });
      expect(await store.recordApproval(request.id, { by: "U3", at: at(2), required: 1 })).toMatchObject({
        recorded: false,
        reason: "not-pending",
        current: { state: "approved" },
      });
      expect(await store.recordApproval("act-missing", { by: "U3", at: at(2), required: 1 })).toEqual({
        recorded: false,
        reason: "not-found",
        current: undefined,
      });
    });

    it("50 concurrent clicks by two approvers, each many times: two approvals, one approval event, one execution", async () => {
      let executed = 0;
      const click = async (i: number) => {
        const by = i % 2 === 0 ? "U2" : "U3";
        const out = await store.recordApproval(request.id, { by, at: at(1), required: 2 });
        if (out.recorded && out.approved) {
          const start = await store.transitionRequest(request.id, "approved", "executing", {
            at: at(1),
            actor: "bot",
          });
          if (start.won) executed += 1;
        }
        return out;
      };
      const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => click(i)));
      expect(outs.filter((o) => o.recorded)).toHaveLength(2);
      expect(outs.filter((o) => o.recorded && o.approved)).toHaveLength(1);
      expect(executed).toBe(1);
      const now = await store.getRequest(request.id);
      expect(now?.state).toBe("executing");
      expect(now?.approvals.map((a) => a.by).sort()).toEqual(["U2", "U3"]);
      const audit = (await kinds(request.id)).map(([k]) => k);
      expect(audit.filter((k) => k === "action.approval-recorded")).toHaveLength(1);
      expect(audit.filter((k) => k === "action.approved")).toHaveLength(1);
      expect(audit.filter((k) => k === "action.executing")).toHaveLength(1);
    });

    it("a partial approval and a rejection race: whichever comes first decides", async () => {
      await store.recordApproval(request.id, { by: "U2", at: at(1), required: 2 });
      const rejected = await store.transitionRequest(request.id, "requested", "rejected", {
        at: at(2),
        actor: "U4",
      });
      expect(rejected.won).toBe(true);
      expect(await store.recordApproval(request.id, { by: "U3", at: at(3), required: 2 })).toMatchObject({
        recorded: false,
        reason: "not-pending",
      });
    });
  });

  describe("recordApproval across two connections (two bot processes on one database)", () => {
    it("two approvers at once on a critical request through two processes: approved once, executed once", async () => {
      const shared = await h.database();
      const a = await shared.open();
      const b = await shared.open();
      try {
        const incidentId = (await a.openIncident(incidentInput())).incident.id;
        const { request } = await a.createRequest(requestInput(incidentId));
        const runs: string[] = [];
        const attempt = async (store: Store, by: string, replica: string) => {
          const out = await store.recordApproval(request.id, { by, at: at(1), required: 2 });
          if (out.recorded && out.approved) {
            const start = await store.transitionRequest(request.id, "approved", "executing", {
              at: at(1),
              actor: "bot",
              executor: replica,
            });
            if (start.won) runs.push(replica);
          }
        };
        // Both approvers click twice, on both replicas.
        await Promise.all([
          attempt(a, "U2", "a"),
          attempt(b, "U3", "b"),
          attempt(b, "U2", "b"),
          attempt(a, "U3", "a"),
        ]);
        expect(runs).toHaveLength(1);
        const now = await b.getRequest(request.id);
        expect(now?.approvals.map((x) => x.by).sort()).toEqual(["U2", "U3"]);
        expect(now?.state).toBe("executing");
        const audit = (await a.listAudit({ requestId: request.id })).map((e) => e.kind);
        expect(audit).toEqual([
          "action.requested",
          "action.approval-recorded",
          "action.approved",
          "action.executing",
        ]);
      } finally {
        await a.close();
        await b.close();
        await shared.cleanup();
      }
    });
  });

  describe("settings", () => {
    it("puts a value once (an equal value writes nothing), audits the change, and keeps it across reopen", async () => {
      const shared = await h.database();
      const store = await shared.open();
      try {
        expect(await store.getSetting("actions.frozen")).toBeUndefined();
        expect(
          await store.putSetting("actions.frozen", true, {
            at: at(1),
            actor: "U1",
            kind: "actions.frozen",
            details: { reason: "maintenance" },
          }),
        ).toBe(true);
        expect(
          await store.putSetting("actions.frozen", true, { at: at(2), actor: "U2", kind: "actions.frozen" }),
        ).toBe(false);
        expect(await store.getSetting("actions.frozen")).toEqual({
          key: "actions.frozen",
          value: true,
          updatedAt: at(1),
          updatedBy: "U1",
        });
        expect(await store.putSetting("other", { a: 1 }, { at: at(3), actor: "bot" })).toBe(true);
      } finally {
        await store.close();
      }
      const reopened = await shared.open();
      try {
        expect((await reopened.getSetting("actions.frozen"))?.value).toBe(true);
        expect((await reopened.getSetting("other"))?.value).toEqual({ a: 1 });
        const audit = await reopened.listAudit();
        expect(audit.map((e) => [e.kind, e.actor, e.details])).toEqual([
          ["actions.frozen", "U1", { key: "actions.frozen", from: null, to: true, reason: "maintenance" }],
          ["settings.changed", "bot", { key: "other", from: null, to: { a: 1 } }],
        ]);
        expect(
          await reopened.putSetting("actions.frozen", false, {
            at: at(4),
            actor: "U2",
            kind: "actions.unfrozen",
          }),
        ).toBe(true);
        expect((await reopened.listAudit()).at(-1)).toMatchObject({
          kind: "actions.unfrozen",
          actor: "U2",
          details: { from: true, to: false },
        });
      } finally {
        await reopened.close();
        await shared.cleanup();
      }
    });
  });
}
