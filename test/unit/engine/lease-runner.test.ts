/**
 * Work under a lease (src/engine/lease-runner.ts) on a virtual clock (vitest's fake timers), with
 * two "replicas" on two connections to one real SQLite file: only the holder works, it renews, it
 * stops at once when it loses the lease, it releases on a clean stop, and the other takes over
 * within the lease (and a third) when the holder dies.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeasedLoop, LeaseLostError, underLease } from "../../../src/engine/lease-runner.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import type { Store } from "../../../src/store/store.ts";
import { tempDir } from "../store/helpers.ts";

const LEASE_MS = 15_000;

let dir: ReturnType<typeof tempDir>;
let stores: Store[];
const open = () => {
  const store = SqliteStore.open(join(dir.dir, "bot.db"), { watchIntervalMs: 3_600_000 });
  stores.push(store);
  return store;
};

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-01-13T10:00:00Z") });
  dir = tempDir();
  stores = [];
});
afterEach(async () => {
  vi.useRealTimers();
  for (const s of stores) await s.close();
  dir.cleanup();
});

function replica(store: Store, holder: string, runs: Array<{ holder: string; at: number; first: boolean }>) {
  const held: boolean[] = [];
  const loop = new LeasedLoop({
    coordination: store.coordination(),
    name: "sweeps",
    holder,
    leaseMs: LEASE_MS,
    clock: systemClock,
    everyMs: 5_000,
    job: async (_signal, first) => {
      runs.push({ holder, at: Date.now(), first });
    },
    onHeld: (h) => held.push(h),
  });
  return { loop, held };
}

describe("LeasedLoop", () => {
  it("runs the job on one replica only, at once and then every period, renewing its lease", async () => {
    const runs: Array<{ holder: string; at: number; first: boolean }> = [];
    const a = replica(open(), "A", runs);
    const b = replica(open(), "B", runs);
    const t0 = Date.now();
    a.loop.start();
    await vi.advanceTimersByTimeAsync(1);
    b.loop.start();
    await vi.advanceTimersByTimeAsync(60_000); // four lease lengths: A renewed all along
    expect(new Set(runs.map((r) => r.holder))).toEqual(new Set(["A"]));
    expect(runs.map((r) => r.at - t0)).toEqual([
      0, 5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 45000, 50000, 55000, 60000,
    ]);
    expect(runs.filter((r) => r.first)).toHaveLength(1);
    expect(a.loop.held).toBe(true);
    expect(b.loop.held).toBe(false);
    expect(await stores[0]?.coordination().leaseHolder("sweeps", new Date())).toBe("A");
    await a.loop.stop();
    await b.loop.stop();
  });

  it("a clean stop releases the lease: the other replica takes over at its next try", async () => {
    const runs: Array<{ holder: string; at: number; first: boolean }> = [];
    const a = replica(open(), "A", runs);
    const b = replica(open(), "B", runs);
    a.loop.start();
    await vi.advanceTimersByTimeAsync(1);
    b.loop.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stoppedAt = Date.now();
    await a.loop.stop();
    expect(a.held).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(LEASE_MS / 3);
    const firstOfB = runs.find((r) => r.holder === "B");
    expect(firstOfB?.first).toBe(true);
    expect((firstOfB?.at ?? Infinity) - stoppedAt).toBeLessThanOrEqual(LEASE_MS / 3);
    expect(runs.filter((r) => r.holder === "A" && r.at > stoppedAt)).toEqual([]);
    await b.loop.stop();
  });

  it("when the holder dies (its store gone, no renewal), another replica takes over within a lease and a third", async () => {
    const runs: Array<{ holder: string; at: number; first: boolean }> = [];
    const storeA = open();
    const a = replica(storeA, "A", runs);
    const b = replica(open(), "B", runs);
    a.loop.start();
    await vi.advanceTimersByTimeAsync(1);
    b.loop.start();
    await vi.advanceTimersByTimeAsync(12_000);
    const diedAt = Date.now();
    await storeA.close(); // A can no longer renew: it stops its job at its next renewal
    await vi.advanceTimersByTimeAsync(LEASE_MS + LEASE_MS / 3 + 1);
    const firstOfB = runs.find((r) => r.holder === "B");
    expect(firstOfB).toBeDefined();
    expect((firstOfB?.at ?? Infinity) - diedAt).toBeLessThanOrEqual(LEASE_MS + LEASE_MS / 3);
    // Not before A's last renewal ran out: never two holders at once.
    expect((firstOfB?.at ?? 0) - diedAt).toBeGreaterThanOrEqual(LEASE_MS / 3);
    expect(a.loop.held).toBe(false);
    const lastOfA = Math.max(...runs.filter((r) => r.holder === "A").map((r) => r.at));
    expect(lastOfA).toBeLessThan(firstOfB?.at ?? 0);
    await a.loop.stop();
    await b.loop.stop();
  });
});

describe("underLease", () => {
  it("runs the work while holding the lease, refuses a second holder, and releases when done", async () => {
    const a = open().coordination();
    const b = open().coordination();
    const terms = { name: "watch:act-1", leaseMs: LEASE_MS, clock: systemClock };
    let busy: unknown;
    const work = underLease({ ...terms, coordination: a, holder: "A" }, async (signal) => {
      busy = await underLease({ ...terms, coordination: b, holder: "B" }, async () => "never");
      await systemClock.sleep(40_000, signal); // longer than the lease: renewed meanwhile
      return "verdict";
    });
    await vi.advanceTimersByTimeAsync(40_000);
    expect(await work).toEqual({ state: "done", value: "verdict" });
    expect(busy).toEqual({ state: "busy" });
    expect(await a.leaseHolder("watch:act-1", new Date())).toBeUndefined();
  });

  it("aborts the work at once when the lease cannot be renewed, and says so", async () => {
    const storeA = open();
    const lost: string[] = [];
    let reason: unknown;
    const work = underLease(
      {
        coordination: storeA.coordination(),
        name: "watch:act-1",
        holder: "A",
        leaseMs: LEASE_MS,
        clock: systemClock,
        onLost: (name) => lost.push(name),
      },
      async (signal) => {
        await systemClock.sleep(3_600_000, signal).catch((e: unknown) => {
          reason = e;
          throw e;
        });
      },
    );
    await vi.advanceTimersByTimeAsync(1000);
    await storeA.close();
    await vi.advanceTimersByTimeAsync(LEASE_MS / 3);
    expect(await work).toEqual({ state: "lost" });
    expect(lost).toEqual(["watch:act-1"]);
    expect(reason).toBeInstanceOf(LeaseLostError);
  });

  it("stops the work and releases the lease when the caller stops", async () => {
    const a = open().coordination();
    const stop = new AbortController();
    const work = underLease(
      { coordination: a, name: "watch:act-1", holder: "A", leaseMs: LEASE_MS, clock: systemClock },
      (signal) => systemClock.sleep(3_600_000, signal),
      stop.signal,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(await a.leaseHolder("watch:act-1", new Date())).toBe("A");
    stop.abort();
    expect(await work).toEqual({ state: "stopped" });
    expect(await a.leaseHolder("watch:act-1", new Date())).toBeUndefined();
  });
});
