/**
 * The Coordination contract (src/store/coordination.ts), for every store adapter: run it with a
 * factory that opens connections to one fresh database (each `connect()` is another connection,
 * as another replica would have). SQLite: coordination.sqlite.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/store.ts";

export interface CoordinationHarness {
  /** Another connection (another replica's store) to the same database. */
  connect(): Promise<Store>;
  /** Closes what it opened and removes the database. */
  cleanup(): Promise<void>;
}

const T0 = new Date("2025-01-01T10:00:00.000Z");
const plus = (ms: number) => new Date(T0.getTime() + ms);

export function coordinationContract(adapter: string, fresh: () => Promise<CoordinationHarness>): void {
  describe(`Coordination on ${adapter}`, () => {
    let harness: CoordinationHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await fresh();
      store = await harness.connect();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    describe("leases", () => {
      it("a free lease is taken, and leaseHolder names its holder until it expires", async () => {
        const c = store.coordination();
        expect(await c.leaseHolder("sweeps", T0)).toBeUndefined();
        expect(await c.acquireLease("sweeps", "replica-a", 15_000, T0)).toBe(true);
        expect(await c.leaseHolder("sweeps", plus(14_999))).toBe("replica-a");
        expect(await c.leaseHolder("sweeps", plus(15_000))).toBeUndefined();
      });

      it("the holder renews it, which moves its expiry on", async () => {
        const c = store.coordination();
        expect(await c.acquireLease("sweeps", "replica-a", 15_000, T0)).toBe(true);
        expect(await c.acquireLease("sweeps", "replica-a", 15_000, plus(10_000))).toBe(true);
        expect(await c.leaseHolder("sweeps", plus(20_000))).toBe("replica-a");
        expect(await c.acquireLease("sweeps", "replica-b", 15_000, plus(20_000))).toBe(false);
      });

      it("another holder is refused while it runs, and nothing changes", async () => {
        const a = store.coordination();
        const b = (await harness.connect()).coordination();
        expect(await a.acquireLease("sweeps", "replica-a", 15_000, T0)).toBe(true);
        expect(await b.acquireLease("sweeps", "replica-b", 60_000, plus(1_000))).toBe(false);
        expect(await b.leaseHolder("sweeps", plus(1_000))).toBe("replica-a");
        // The refused call did not extend anything: it still expires at 15 s.
        expect(await a.leaseHolder("sweeps", plus(15_000))).toBeUndefined();
      });

      it("is taken over once it expired, and the old holder cannot renew it then", async () => {
        const a = store.coordination();
        const b = (await harness.connect()).coordination();
        expect(await a.acquireLease("sweeps", "replica-a", 15_000, T0)).toBe(true);
        expect(await b.acquireLease("sweeps", "replica-b", 15_000, plus(15_000))).toBe(true);
        expect(await a.acquireLease("sweeps", "replica-a", 15_000, plus(16_000))).toBe(false);
        expect(await a.leaseHolder("sweeps", plus(16_000))).toBe("replica-b");
      });

      it("release frees it at once for its holder only", async () => {
        const a = store.coordination();
        const b = (await harness.connect()).coordination();
        expect(await a.acquireLease("sweeps", "replica-a", 15_000, T0)).toBe(true);
        await b.releaseLease("sweeps", "replica-b"); // not b's: nothing happens
        expect(await b.leaseHolder("sweeps", plus(1_000))).toBe("replica-a");
        await a.releaseLease("sweeps", "replica-a");
        expect(await b.leaseHolder("sweeps", plus(1_000))).toBeUndefined();
        expect(await b.acquireLease("sweeps", "replica-b", 15_000, plus(1_000))).toBe(true);
        await a.releaseLease("never-taken", "replica-a");
      });

      it("leases of different names are independent", async () => {
        const c = store.coordination();
        expect(await c.acquireLease("watch:act-1", "replica-a", 15_000, T0)).toBe(true);
        expect(await c.acquireLease("watch:act-2", "replica-b", 15_000, T0)).toBe(true);
        expect(await c.leaseHolder("watch:act-1", T0)).toBe("replica-a");
        expect(await c.leaseHolder("watch:act-2", T0)).toBe("replica-b");
      });

      it("of many holders racing for a free lease over two connections, exactly one wins", async () => {
        const stores = [store, await harness.connect()];
        const attempts = Array.from({ length: 40 }, (_, i) =>
          stores[i % 2]?.coordination().acquireLease("sweeps", `replica-${i}`, 15_000, T0),
        );
        const won = (await Promise.all(attempts)).filter((w) => w === true);
        expect(won).toHaveLength(1);
      });
    });

    describe("send slots", () => {
      it("gives `burst` slots at once after a quiet spell, then one every interval", async () => {
        const c = store.coordination();
        const slots: number[] = [];
        for (let i = 0; i < 6; i++) slots.push((await c.reserveSlot("post:C1", T0, 1000, 3)).getTime());
        expect(slots.map((t) => t - T0.getTime())).toEqual([0, 0, 0, 1000, 2000, 3000]);
      });

      it("spaces callers that come at their slot, and refills the burst after a quiet spell", async () => {
        const c = store.coordination();
        expect((await c.reserveSlot("post:C1", T0, 1000, 3)).getTime()).toBe(T0.getTime());
        // Well inside the rate: every caller goes at once.
        for (const s of [2000, 4000, 6000]) {
          expect((await c.reserveSlot("post:C1", plus(s), 1000, 3)).getTime()).toBe(plus(s).getTime());
        }
        // After 10 quiet seconds the burst is whole again, and no more.
        const burst = [];
        for (let i = 0; i < 4; i++)
          burst.push((await c.reserveSlot("post:C1", plus(20_000), 1000, 3)).getTime());
        expect(burst.map((t) => t - plus(20_000).getTime())).toEqual([0, 0, 0, 1000]);
      });

      it("takes fractional intervals (45 a minute) without drift", async () => {
        const c = store.coordination();
        const slots: number[] = [];
        for (let i = 0; i < 8; i++)
          slots.push((await c.reserveSlot("update:workspace", T0, 60_000 / 45, 5)).getTime());
        expect(slots.map((t) => t - T0.getTime())).toEqual([0, 0, 0, 0, 0, 1334, 2667, 4000]);
      });

      it("keys are independent", async () => {
        const c = store.coordination();
        for (let i = 0; i < 3; i++) await c.reserveSlot("post:C1", T0, 1000, 1);
        expect((await c.reserveSlot("post:C2", T0, 1000, 1)).getTime()).toBe(T0.getTime());
        expect((await c.reserveSlot("update:workspace", T0, 1333, 5)).getTime()).toBe(T0.getTime());
      });

      it("never gives a slot twice to concurrent callers over two connections", async () => {
        const stores = [store, await harness.connect()];
        const calls = Array.from({ length: 60 }, (_, i) =>
          stores[i % 2]?.coordination().reserveSlot("post:C1", plus(i % 7), 1000, 3),
        );
        const slots = (await Promise.all(calls)).map((d) => (d as Date).getTime() - T0.getTime());
        slots.sort((x, y) => x - y);
        // Three at the start (the burst), then one a second: the schedule of a single caller.
        const late = slots.slice(3);
        for (let i = 1; i < late.length; i++) {
          expect((late[i] ?? 0) - (late[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
        }
        expect(slots[slots.length - 1]).toBeGreaterThanOrEqual(57_000);
        expect(new Set(late).size).toBe(late.length);
      });
    });
  });
}
