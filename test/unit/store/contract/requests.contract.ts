import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requestDeadline } from "../../../../src/core/approval.ts";
import type { ActionRequest, CreateRequestInput, Store } from "../../../../src/store/store.ts";
import { at, incidentInput, T0 } from "../helpers.ts";
import type { StoreHarness } from "./harness.ts";

/** The contract on any store `h` opens. */
export function requestsContract(h: StoreHarness): void {
  describe("action requests", () => {
    let store: Store;
    let incidentId: string;

    function requestInput(overrides: Partial<CreateRequestInput> = {}): CreateRequestInput {
      return {
        incidentId,
        action: "scale-taskmanagers",
        params: { namespace: "flink", replicas: 8 },
        preview: "kubectl scale deployment/flink-taskmanager --replicas=8 in namespace flink: 4 -> 8",
        requesterId: "U1",
        createdAt: T0,
        expiresAt: requestDeadline(T0, 15),
        ...overrides,
      };
    }

    async function create(overrides: Partial<CreateRequestInput> = {}): Promise<ActionRequest> {
      return (await store.createRequest(requestInput(overrides))).request;
    }

    beforeEach(async () => {
      store = await h.open();
      incidentId = (await store.openIncident(incidentInput())).incident.id;
    });
    afterEach(async () => {
      await store.close();
    });

    it("creates a request in state requested, version 1, and audits it as the requester", async () => {
      const { request, created } = await store.createRequest(
        requestInput({ messageTs: "1700000002.000300" }),
      );
      expect(created).toBe(true);
      expect(request.id).toMatch(/^act-[0-9a-f]{12}$/);
      expect(request).toMatchObject({
        incidentId,
        action: "scale-taskmanagers",
        params: { namespace: "flink", replicas: 8 },
        requesterId: "U1",
        state: "requested",
        approvals: [],
        decidedBy: null,
        decidedAt: null,
        note: null,
        result: null,
        messageTs: "1700000002.000300",
        executor: null,
        version: 1,
      });
      expect(request.expiresAt).toEqual(at(15));
      expect(await store.getRequest(request.id)).toEqual(request);
      const audit = await store.listAudit({ requestId: request.id });
      expect(audit.map((e) => [e.kind, e.actor, e.incidentId])).toEqual([
        ["action.requested", "U1", incidentId],
      ]);
    });

    it("creation is idempotent on a dedupe key", async () => {
      const first = await store.createRequest(requestInput({ dedupeKey: "click-1" }));
      const again = await store.createRequest(requestInput({ dedupeKey: "click-1", requesterId: "U2" }));
      expect(again).toEqual({ request: first.request, created: false });
      const other = await store.createRequest(requestInput({ dedupeKey: "click-2" }));
      expect(other.created).toBe(true);
      // Without a key every call is a new request.
      await create();
      await create();
      expect(await store.listRequests()).toHaveLength(4);
    });

    it("walks the happy path with conditional writes, audits each edge, and bumps the version", async () => {
      const r = await create();
      const approved = await store.transitionRequest(r.id, "requested", "approved", {
        at: at(2),
        actor: "U2",
      });
      expect(approved.won).toBe(true);
      if (!approved.won) return;
      expect(approved.request).toMatchObject({ state: "approved", decidedBy: "U2", version: 2 });
      expect(approved.request.approvals).toEqual([{ by: "U2", at: at(2) }]);
      expect(approved.request.decidedAt).toEqual(at(2));

      const executing = await store.transitionRequest(r.id, "approved", "executing", {
        at: at(3),
        actor: "bot",
        executor: "pod-a",
      });
      expect(executing.won && executing.request.executor).toBe("pod-a");

      const done = await store.transitionRequest(r.id, "executing", "succeeded", {
        at: at(4),
        actor: "bot",
        result: { before: 4, after: 8 },
        details: { verify: "lag falling" },
      });
      expect(done.won).toBe(true);
      const final = await store.getRequest(r.id);
      expect(final).toMatchObject({
        state: "succeeded",
        result: { before: 4, after: 8 },
        version: 4,
        decidedBy: "U2",
      });
      expect(final?.updatedAt).toEqual(at(4));

      const audit = await store.listAudit({ requestId: r.id });
      expect(audit.map((e) => `${e.kind}:${e.actor}`)).toEqual([
        "action.requested:U1",
        "action.approved:U2",
        "action.executing:bot",
        "action.succeeded:bot",
      ]);
      expect(audit[3]?.details).toEqual({
        action: "scale-taskmanagers",
        from: "executing",
        to: "succeeded",
        result: { before: 4, after: 8 },
        verify: "lag falling",
      });
    });

    it("records a rejection with its reason", async () => {
      const r = await create();
      const out = await store.transitionRequest(r.id, "requested", "rejected", {
        at: at(1),
        actor: "U2",
        note: "not during the batch window",
      });
      expect(out.won && out.request).toMatchObject({
        state: "rejected",
        decidedBy: "U2",
        note: "not during the batch window",
      });
      const late = await store.transitionRequest(r.id, "requested", "approved", { at: at(2), actor: "U3" });
      expect(late.won).toBe(false);
      if (!late.won) expect(late.current?.state).toBe("rejected");
    });

    it("records a failure", async () => {
      const r = await create();
      await store.transitionRequest(r.id, "requested", "approved", { at: at(1), actor: "U2" });
      await store.transitionRequest(r.id, "approved", "executing", { at: at(1), actor: "bot" });
      const out = await store.transitionRequest(r.id, "executing", "failed", {
        at: at(2),
        actor: "bot",
        note: "deployments.apps is forbidden",
        result: { error: "403" },
      });
      expect(out.won && out.request).toMatchObject({
        state: "failed",
        note: "deployments.apps is forbidden",
      });
    });

    it("only the first of two approvals wins; the loser sees the request as it stands", async () => {
      const r = await create();
      const first = await store.transitionRequest(r.id, "requested", "approved", { at: at(1), actor: "U2" });
      const second = await store.transitionRequest(r.id, "requested", "approved", { at: at(1), actor: "U3" });
      expect(first.won).toBe(true);
      expect(second.won).toBe(false);
      if (!second.won) {
        expect(second.current?.state).toBe("approved");
        expect(second.current?.approvals).toEqual([{ by: "U2", at: at(1) }]);
      }
      expect(
        (await store.listAudit({ requestId: r.id })).filter((e) => e.kind === "action.approved"),
      ).toHaveLength(1);
    });

    it("50 simultaneous approve-and-execute attempts execute once", async () => {
      const r = await create();
      let executed = 0;
      const attempt = async (i: number) => {
        await store.transitionRequest(r.id, "requested", "approved", { at: at(1), actor: `U${100 + i}` });
        const start = await store.transitionRequest(r.id, "approved", "executing", {
          at: at(1),
          actor: "bot",
        });
        if (start.won) executed += 1;
        return start.won;
      };
      const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(i)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(executed).toBe(1);
      const now = await store.getRequest(r.id);
      expect(now?.approvals).toHaveLength(1);
      expect(now?.version).toBe(3);
    });

    it("refuses edges that are not in the state machine, e.g. executing without approval", async () => {
      const r = await create();
      await expect(
        store.transitionRequest(r.id, "requested", "executing", { at: at(1), actor: "bot" }),
      ).rejects.toMatchObject({
        code: "illegal-transition",
      });
      await expect(
        store.transitionRequest(r.id, "succeeded", "failed", { at: at(1), actor: "bot" }),
      ).rejects.toMatchObject({
        code: "illegal-transition",
      });
      expect((await store.getRequest(r.id))?.state).toBe("requested");
    });

    it("an unknown request loses with no current request", async () => {
      expect(
        await store.transitionRequest("act-missing", "requested", "approved", { at: at(1), actor: "U2" }),
      ).toEqual({
        won: false,
        current: undefined,
      });
    });

    it("cannot approve or reject at or after the deadline, and cannot expire before it", async () => {
      const r = await create();
      expect(
        (await store.transitionRequest(r.id, "requested", "approved", { at: at(15), actor: "U2" })).won,
      ).toBe(false);
      expect(
        (await store.transitionRequest(r.id, "requested", "rejected", { at: at(16), actor: "U2" })).won,
      ).toBe(false);
      expect(
        (await store.transitionRequest(r.id, "requested", "expired", { at: at(14), actor: "bot" })).won,
      ).toBe(false);
      expect((await store.getRequest(r.id))?.state).toBe("requested");
      const expired = await store.transitionRequest(r.id, "requested", "expired", {
        at: at(15),
        actor: "bot",
      });
      expect(expired.won && expired.request.state).toBe("expired");
    });

    it("expireDue expires only pending requests past their deadline and audits each", async () => {
      const due1 = await create({ createdAt: at(0), expiresAt: at(5) });
      const due2 = await create({ createdAt: at(1), expiresAt: at(10) });
      const notYet = await create({ createdAt: at(2), expiresAt: at(30) });
      const approved = await create({ createdAt: at(0), expiresAt: at(5) });
      await store.transitionRequest(approved.id, "requested", "approved", { at: at(1), actor: "U2" });

      expect(await store.expireDue(at(10))).toEqual([due1.id, due2.id]);
      expect(await store.expireDue(at(10))).toEqual([]);
      expect((await store.getRequest(due1.id))?.state).toBe("expired");
      expect((await store.getRequest(notYet.id))?.state).toBe("requested");
      expect((await store.getRequest(approved.id))?.state).toBe("approved");
      const expiredAudit = (await store.listAudit()).filter((e) => e.kind === "action.expired");
      expect(expiredAudit.map((e) => [e.requestId, e.actor])).toEqual([
        [due1.id, "bot"],
        [due2.id, "bot"],
      ]);
      // A click that arrives after the sweep loses.
      expect(
        (await store.transitionRequest(due1.id, "requested", "approved", { at: at(4), actor: "U2" })).won,
      ).toBe(false);
    });

    it("markInterruptedExecutions turns executing requests into outcome-unknown, with filters", async () => {
      const mine = await create({ createdAt: at(0) });
      const theirs = await create({ createdAt: at(1) });
      const pending = await create({ createdAt: at(2) });
      for (const [r, executor, when] of [
        [mine, "pod-a", at(3)],
        [theirs, "pod-b", at(8)],
      ] as const) {
        await store.transitionRequest(r.id, "requested", "approved", { at: at(2), actor: "U2" });
        await store.transitionRequest(r.id, "approved", "executing", { at: when, actor: "bot", executor });
      }
      expect(await store.markInterruptedExecutions(at(9), { executor: "pod-c" })).toEqual([]);
      expect(await store.markInterruptedExecutions(at(9), { startedBefore: at(3) })).toEqual([]);
      const marked = await store.markInterruptedExecutions(at(9), { executor: "pod-a" });
      expect(marked.map((r) => [r.id, r.state])).toEqual([[mine.id, "outcome-unknown"]]);
      expect(marked[0]?.note).toMatch(/check whether it took effect/);
      const rest = await store.markInterruptedExecutions(at(10));
      expect(rest.map((r) => r.id)).toEqual([theirs.id]);
      expect((await store.getRequest(pending.id))?.state).toBe("requested");
      const audit = (await store.listAudit()).filter((e) => e.kind === "action.outcome-unknown");
      expect(audit.map((e) => e.requestId)).toEqual([mine.id, theirs.id]);
    });

    it("an executor's lease: renewed only by its holder while executing; only stale leases are marked", async () => {
      const live = await create({ createdAt: at(0) });
      const dead = await create({ createdAt: at(1) });
      for (const [r, executor] of [
        [live, "pod-a"],
        [dead, "pod-b"],
      ] as const) {
        await store.transitionRequest(r.id, "requested", "approved", { at: at(2), actor: "U2" });
        await store.transitionRequest(r.id, "approved", "executing", { at: at(3), actor: "bot", executor });
      }
      // pod-a keeps renewing; pod-b died at once. Another pod's renewal is refused.
      expect(await store.renewExecution(live.id, "pod-a", at(20))).toBe(true);
      expect(await store.renewExecution(dead.id, "pod-a", at(20))).toBe(false);
      expect(await store.renewExecution("act-missing", "pod-a", at(20))).toBe(false);
      // A lease of 10 s at t=21: pod-a's (renewed at 20) is fresh, pod-b's (from 3) is stale.
      const marked = await store.markInterruptedExecutions(at(21), { heartbeatBefore: at(11) });
      expect(marked.map((r) => r.id)).toEqual([dead.id]);
      expect((await store.getRequest(live.id))?.state).toBe("executing");
      // Once it is no longer executing, its holder cannot renew it either.
      await store.transitionRequest(live.id, "executing", "succeeded", { at: at(22), actor: "bot" });
      expect(await store.renewExecution(live.id, "pod-a", at(23))).toBe(false);
      expect(await store.markInterruptedExecutions(at(60), { heartbeatBefore: at(50) })).toEqual([]);
    });

    it("lists requests by state and incident, oldest first", async () => {
      const other = (await store.openIncident(incidentInput({ dedupeKey: "k2", channel: "C2" }))).incident.id;
      const a = await create({ createdAt: at(0) });
      const b = await create({ createdAt: at(1), incidentId: other });
      const c = await create({ createdAt: at(2) });
      await store.transitionRequest(c.id, "requested", "rejected", { at: at(3), actor: "U2" });
      const ids = (rs: ActionRequest[]) => rs.map((r) => r.id);
      expect(ids(await store.listRequests())).toEqual([a.id, b.id, c.id]);
      expect(ids(await store.listRequests({ state: "requested" }))).toEqual([a.id, b.id]);
      expect(ids(await store.listRequests({ incidentId }))).toEqual([a.id, c.id]);
      expect(ids(await store.listRequests({ incidentId, state: "requested" }))).toEqual([a.id]);
      expect(ids(await store.listRequests({ state: "succeeded" }))).toEqual([]);
      // By last change: c was rejected at 3, a and b have not changed since their creation.
      expect(ids(await store.listRequests({ updatedSince: at(2) }))).toEqual([c.id]);
      expect(ids(await store.listRequests({ updatedSince: at(1) }))).toEqual([b.id, c.id]);
      expect(ids(await store.listRequests({ updatedSince: at(4) }))).toEqual([]);
    });

    it("setRequestMessageTs records the thread message showing the request", async () => {
      const r = await create();
      await store.setRequestMessageTs(r.id, "1700000003.000400");
      expect(await store.getRequest(r.id)).toMatchObject({ messageTs: "1700000003.000400", version: 2 });
      await expect(store.setRequestMessageTs("act-missing", "1")).rejects.toMatchObject({
        code: "not-found",
      });
    });
  });
}
