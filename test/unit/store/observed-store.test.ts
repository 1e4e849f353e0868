/**
 * observeStore: every operation of a real SQLite store timed under its method name, and what the
 * store's answers say counted: incidents opened and resolved (by runbook), approvals by outcome,
 * actions that ended; a lost race counts nothing.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { observeStore } from "../../../src/store/observed-store.ts";
import { openSqliteStore } from "../../../src/store/sqlite-store.ts";
import { StoreError } from "../../../src/store/store.ts";
import { MemoryTelemetry } from "../../fakes/memory-telemetry.ts";
import { at, incidentInput, T0, tempDir } from "./helpers.ts";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function observed() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const telemetry = new MemoryTelemetry();
  const store = observeStore(openSqliteStore(join(dir, "bot.db")), telemetry);
  cleanups.push(() => store.close());
  return { store, telemetry };
}

describe("observeStore", () => {
  it("hands out the store's ledger and coordination as they are (not wrapped into promises)", async () => {
    const { store } = observed();
    const coordination = store.coordination();
    expect(coordination).not.toBeInstanceOf(Promise);
    expect(await coordination.acquireLease("sweeps", "replica-a", 1000, T0)).toBe(true);
    expect(store.outboxLedger()).not.toBeInstanceOf(Promise);
    expect(store.health()).toMatchObject({ ok: true });
  });

  it("counts an incident opened once (a redelivery counts nothing) and resolved once, by runbook", async () => {
    const { store, telemetry } = observed();
    const { incident } = await store.openIncident(incidentInput());
    await store.openIncident(incidentInput());
    expect(await store.resolveIncident(incident.id, at(5))).toBe(true);
    expect(await store.resolveIncident(incident.id, at(6))).toBe(false);
    expect(telemetry.events).toEqual(["incident-opened consumer-lag", "incident-resolved consumer-lag"]);
  });

  it("counts approvals and refusals, then the action's end; a lost transition counts nothing", async () => {
    const { store, telemetry } = observed();
    const { incident } = await store.openIncident(incidentInput());
    const input = {
      incidentId: incident.id,
      action: "scale-taskmanagers",
      params: { replicas: 6 },
      preview: "scale to 6",
      requesterId: "U1",
      createdAt: T0,
      expiresAt: at(15),
    };
    const { request } = await store.createRequest(input);
    await store.recordApproval(request.id, { by: "U2", at: at(1), required: 2 });
    await store.recordApproval(request.id, { by: "U2", at: at(1), required: 2 });
    await store.recordApproval(request.id, { by: "U3", at: at(2), required: 2 });
    await store.recordApproval(request.id, { by: "U4", at: at(2), required: 2 });
    await store.transitionRequest(request.id, "approved", "executing", {
      at: at(3),
      actor: "bot",
      executor: "a",
    });
    await store.transitionRequest(request.id, "approved", "executing", {
      at: at(3),
      actor: "bot",
      executor: "b",
    });
    await store.transitionRequest(request.id, "executing", "succeeded", { at: at(4), actor: "bot" });
    const { request: other } = await store.createRequest({ ...input, createdAt: at(10), expiresAt: at(11) });
    await store.transitionRequest(other.id, "requested", "rejected", { at: at(10), actor: "U2" });
    const { request: late } = await store.createRequest({ ...input, createdAt: at(20), expiresAt: at(21) });
    expect(await store.expireDue(at(30))).toEqual([late.id]);
    expect(telemetry.events).toEqual([
      "incident-opened consumer-lag",
      "approval partial",
      "approval refused-already-approved",
      "approval approved",
      "approval refused-not-pending",
      "action scale-taskmanagers succeeded",
      "approval rejected",
      "approval expired",
    ]);
  });

  it("times every operation by method name, an error as an error", async () => {
    const { store, telemetry } = observed();
    await store.getIncident("inc-none");
    await expect(store.resolveIncident("inc-none", T0)).rejects.toBeInstanceOf(StoreError);
    expect(telemetry.said).toEqual(["store getIncident ok", "store resolveIncident error"]);
    for (const d of telemetry.durations) {
      expect(d.seconds).toBeGreaterThanOrEqual(0);
      expect(d.seconds).toBeLessThan(1);
    }
    // The health and the ledger pass through untimed.
    store.health?.();
    store.outboxLedger();
    expect(telemetry.said).toHaveLength(2);
  });
});
