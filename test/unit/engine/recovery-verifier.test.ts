/**
 * Which recovery watches a new process resumes: one cut short inside its window (for the time it
 * had left), one up to an hour past it (one last look), none later, none already verified. Over
 * an in-memory store, the simulated Kafka and a virtual clock.
 */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.ts";
import { RecoveryVerifier } from "../../../src/engine/recovery-verifier.ts";
import { silentLogger } from "../../../src/logger.ts";
import type { ThreadPort } from "../../../src/ports/thread.ts";
import { VirtualClock } from "../../../src/sandbox/drills/virtual-clock.ts";
import { ConsumerLagScenario } from "../../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../../src/sandbox/simulated/simulated-kafka.ts";
import { openSqliteStore } from "../../../src/store/sqlite-store.ts";

const MINUTE = 60_000;
const T = new Date("2026-01-13T10:30:00Z");

async function setup(minutesSinceFix: number, verified = false) {
  const store = openSqliteStore(":memory:");
  const clock = new VirtualClock(T.getTime() + minutesSinceFix * MINUTE);
  const notes: string[] = [];
  const thread = {
    postNote: async (_channel: string, _ts: string, text: string) => {
      notes.push(text);
      return "1.1";
    },
  } as unknown as ThreadPort;
  const { incident } = await store.openIncident({
    dedupeKey: "k",
    runbookId: "consumer-lag",
    alertName: "kafka-consumer-lag-high",
    source: "alertmanager",
    channel: "C1",
    threadTs: "1.0",
    severity: "high",
    openedAt: new Date(T.getTime() - 10 * MINUTE),
  });
  const { request } = await store.createRequest({
    incidentId: incident.id,
    action: "scale-taskmanagers",
    params: { replicas: 8 },
    preview: "flink-taskmanager: 4 -> 8 replicas",
    requesterId: "U1",
    createdAt: new Date(T.getTime() - 2 * MINUTE),
    expiresAt: new Date(T.getTime() + 13 * MINUTE),
  });
  await store.transitionRequest(request.id, "requested", "approved", { at: T, actor: "U2" });
  await store.transitionRequest(request.id, "approved", "executing", { at: T, actor: "bot", executor: "a" });
  await store.transitionRequest(request.id, "executing", "succeeded", { at: T, actor: "bot" });
  if (verified) {
    await store.audit({ at: T, actor: "bot", kind: "action.verified", requestId: request.id, details: {} });
  }
  const config = { ...configSchema.parse({}), secrets: {} };
  const verifier = new RecoveryVerifier(
    {
      config,
      ports: { clock, kafka: new SimulatedKafka(new ConsumerLagScenario({ now: clock.nowMs })) },
      store,
      thread,
      directory: { usergroupMembers: async () => [] },
      logger: silentLogger,
    },
    async (fn) => {
      await fn();
    },
  );
  return { store, verifier, notes, requestId: request.id };
}

describe("RecoveryVerifier.resume", () => {
  it("inside the window: watches for the time that was left, then gives its verdict", async () => {
    const { verifier, notes, store, requestId } = await setup(2);
    expect(await verifier.resume()).toBe(1);
    await verifier.settled();
    expect(notes[0]).toMatch(
      /^:mag: Resuming the check after \*flink-taskmanager: 4 -> 8 replicas\* \(the bot restarted\): watching the consumer group's lag for 3 min more\.$/,
    );
    expect(notes[1]).toMatch(/^:warning: \*Not recovered after 5 min\*: lag of order-processor/);
    const audit = (await store.listAudit({ requestId })).filter((e) => e.kind === "action.verified");
    expect(audit).toHaveLength(1);
  });

  it("up to an hour past the window: one last look", async () => {
    const { verifier, notes } = await setup(30);
    expect(await verifier.resume()).toBe(1);
    await verifier.settled();
    expect(notes[0]).toMatch(/watching the consumer group's lag for 0 ms more\.$/);
    // Timed from the fix: the look was 30 minutes after it.
    expect(notes[1]).toMatch(/^:warning: \*Not recovered after 30 min\*/);
  });

  it("long past the window, or already verified: nothing is watched or said", async () => {
    for (const [minutes, verified] of [
      [120, false],
      [2, true],
    ] as const) {
      const { verifier, notes } = await setup(minutes, verified);
      expect(await verifier.resume()).toBe(0);
      await verifier.settled();
      expect(notes).toEqual([]);
    }
  });
});
