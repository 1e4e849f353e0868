/**
 * Slack's limits shared across replicas: two outboxes (two replicas) on two connections to one
 * SQLite file draw their send times from the store's slots (coordinatedPacer), so that their
 * combined rate in one channel stays within 1/s with bursts of 3, and chat.update within the
 * workspace's rate; priorities hold within each process; and when the store cannot be reached
 * each paces locally, saying so once. On a virtual clock (vitest's fake timers).
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  coordinatedPacer,
  Outbox,
  type OutboxLimits,
  systemOutboxTimer,
} from "../../../src/slack/outbox/index.ts";
import { MemoryOutboxLedger, type OutboxCall } from "../../../src/store/outbox-ledger.ts";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import type { Store } from "../../../src/store/store.ts";
import { tempDir } from "../store/helpers.ts";

interface Sent {
  readonly at: number;
  readonly replica: string;
  readonly call: OutboxCall;
}

let dir: ReturnType<typeof tempDir>;
let stores: Store[];
let t0: number;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-01-13T10:00:00Z") });
  t0 = Date.now();
  dir = tempDir();
  stores = [];
});
afterEach(async () => {
  vi.useRealTimers();
  for (const s of stores) await s.close();
  dir.cleanup();
});

function replica(
  name: string,
  sent: Sent[],
  extra: { limits?: Partial<OutboxLimits>; onPacing?: (shared: boolean) => void } = {},
) {
  const store = SqliteStore.open(join(dir.dir, "bot.db"), { watchIntervalMs: 3_600_000 });
  stores.push(store);
  let n = 0;
  const outbox = new Outbox({
    ledger: new MemoryOutboxLedger(),
    timer: systemOutboxTimer,
    pacer: coordinatedPacer(store.coordination()),
    ...(extra.limits ? { limits: extra.limits } : {}),
    ...(extra.onPacing ? { onPacing: extra.onPacing } : {}),
    send: async (call) => {
      sent.push({ at: Date.now() - t0, replica: name, call });
      return { ts: `${name}.${++n}` };
    },
  });
  return { outbox, store };
}

const post = (channel: string, text: string): OutboxCall => ({
  method: "chat.postMessage",
  args: { channel, thread_ts: "1.0", text },
});

/** At most `burst` sends in any window shorter than one interval past the burst: GCRA's bound. */
function expectWithinRate(times: number[], intervalMs: number, burst: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + burst < sorted.length; i++) {
    expect((sorted[i + burst] ?? 0) - (sorted[i] ?? 0)).toBeGreaterThanOrEqual(intervalMs);
  }
}

describe("two replicas sharing the store's send slots", () => {
  it("post to one channel at 1/s with a burst of 3 combined, and lose nothing", async () => {
    const sent: Sent[] = [];
    const a = replica("A", sent);
    const b = replica("B", sent);
    const done = [];
    for (let i = 0; i < 10; i++) {
      done.push(a.outbox.post(post("C1", `A${i}`), { durable: true }));
      done.push(b.outbox.post(post("C1", `B${i}`), { durable: true }));
    }
    await vi.advanceTimersByTimeAsync(30_000);
    await Promise.all(done);
    expect(sent).toHaveLength(20);
    const times = sent.map((s) => s.at);
    expect(times.filter((t) => t === 0)).toHaveLength(3);
    expectWithinRate(times, 1000, 3);
    expect(Math.max(...times)).toBe(17_000); // 3 at once, then one a second: the single-process schedule
    // Both replicas got slots (neither starved).
    expect(new Set(sent.slice(0, 6).map((s) => s.replica))).toEqual(new Set(["A", "B"]));
  });

  it("other channels are not held up by a busy one", async () => {
    const sent: Sent[] = [];
    const a = replica("A", sent);
    const b = replica("B", sent);
    for (let i = 0; i < 6; i++) void a.outbox.post(post("C1", `A${i}`), { durable: false });
    await vi.advanceTimersByTimeAsync(1);
    await b.outbox.post(post("C2", "B0"), { durable: false });
    expect(sent.find((s) => s.call.args.channel === "C2")?.at).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(10_000);
  });

  it("chat.update keeps to the workspace's rate across replicas", async () => {
    const sent: Sent[] = [];
    const limits = { updates: { perSecond: 1, burst: 2 } };
    const a = replica("A", sent, { limits });
    const b = replica("B", sent, { limits });
    const done = [];
    for (let i = 0; i < 4; i++) {
      done.push(a.outbox.update({ method: "chat.update", args: { channel: "C1", ts: `1.${i}`, text: "a" } }));
      done.push(b.outbox.update({ method: "chat.update", args: { channel: "C2", ts: `2.${i}`, text: "b" } }));
    }
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(done);
    expect(sent).toHaveLength(8);
    expectWithinRate(
      sent.map((s) => s.at),
      1000,
      2,
    );
  });

  it("Slack's default update rate (45 a minute, burst 5) is shared without falling back", async () => {
    const sent: Sent[] = [];
    const changes: boolean[] = [];
    const a = replica("A", sent, { onPacing: (shared) => changes.push(shared) });
    const b = replica("B", sent, { onPacing: (shared) => changes.push(shared) });
    const done = [];
    for (let i = 0; i < 5; i++) {
      done.push(a.outbox.update({ method: "chat.update", args: { channel: "C1", ts: `1.${i}`, text: "a" } }));
      done.push(b.outbox.update({ method: "chat.update", args: { channel: "C2", ts: `2.${i}`, text: "b" } }));
    }
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(done);
    expect(changes).toEqual([]);
    expect(sent.map((s) => s.at).sort((x, y) => x - y)).toEqual([
      0, 0, 0, 0, 0, 1334, 2667, 4000, 5334, 6667,
    ]);
  });

  it("a first reply still goes ahead of its own process's waiting steps", async () => {
    const sent: Sent[] = [];
    const a = replica("A", sent);
    const b = replica("B", sent);
    for (let i = 0; i < 5; i++) void b.outbox.post(post("C1", `B-step${i}`), { durable: true });
    for (let i = 0; i < 5; i++) void a.outbox.post(post("C1", `A-step${i}`), { durable: true });
    await vi.advanceTimersByTimeAsync(1_500);
    const first = a.outbox.post(post("C1", "A-first-reply"), { durable: true, urgent: true });
    await vi.advanceTimersByTimeAsync(30_000);
    await first;
    const ofA = sent.filter((s) => s.replica === "A").map((s) => s.call.args.text);
    // A had sent what its slots allowed by 1.5 s; the first reply is the next of A's sends.
    const sentBefore = sent.filter((s) => s.replica === "A" && s.at <= 1_500).length;
    expect(ofA[sentBefore]).toBe("A-first-reply");
    expectWithinRate(
      sent.map((s) => s.at),
      1000,
      3,
    );
  });

  it("when the store cannot be reached, each paces locally and says so once", async () => {
    const sent: Sent[] = [];
    const changes: boolean[] = [];
    const a = replica("A", sent, { onPacing: (shared) => changes.push(shared) });
    await a.store.close(); // every reservation fails from now on
    const done = [];
    for (let i = 0; i < 6; i++) done.push(a.outbox.post(post("C1", `A${i}`), { durable: false }));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(done);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 0, 1000, 2000, 3000]);
    expect(changes).toEqual([false]);
  });
});
