/**
 * The Coordination contract (src/store/coordination.ts) for any adapter: leases (acquire, renew,
 * refuse while held, take over after expiry, release) and send slots (GCRA spacing and burst), each
 * also under concurrent callers of two "replicas" (two stores on one database).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Coordination } from "../../../../src/store/coordination.ts";

export interface CoordinationPair {
  /** Two replicas' views of one fresh database. */
  readonly a: Coordination;
  readonly b: Coordination;
  close(): Promise<void>;
}

const T0 = new Date("2025-01-01T10:00:00.000Z");
const ms = (n: number) => new Date(T0.getTime() + n);

export function coordinationContract(openPair: () => Promise<CoordinationPair>): void {
  describe("coordination", () => {
    let pair: CoordinationPair;
    beforeEach(async () => {
      pair = await openPair();
    });
    afterEach(async () => {
      await pair.close();
    });

    it("a lease: taken when free, renewed by its holder, refused to another while it runs", async () => {
      const { a, b } = pair;
      expect(await a.acquireLease("sweeps", "r1", 1000, ms(0))).toBe(true);
      expect(await b.acquireLease("sweeps", "r2", 1000, ms(10))).toBe(false);
      expect(await a.leaseHolder("sweeps", ms(20))).toBe("r1");
      // Renewed at 900: runs to 1900, so r2 is still refused at 1500.
      expect(await a.acquireLease("sweeps", "r1", 1000, ms(900))).toBe(true);
      expect(await b.acquireLease("sweeps", "r2", 1000, ms(1500))).toBe(false);
      expect(await b.leaseHolder("sweeps", ms(1500))).toBe("r1");
      // Another name is another lease.
      expect(await b.acquireLease("expiries", "r2", 1000, ms(1500))).toBe(true);
    });

    it("taken over once its holder stops renewing; released only by its holder", async () => {
      const { a, b } = pair;
      expect(await a.acquireLease("watch", "r1", 1000, ms(0))).toBe(true);
      expect(await b.leaseHolder("watch", ms(1000))).toBeUndefined();
      expect(await b.acquireLease("watch", "r2", 1000, ms(1000))).toBe(true);
      // The old holder comes back: refused, and its release does nothing.
      expect(await a.acquireLease("watch", "r1", 1000, ms(1100))).toBe(false);
      await a.releaseLease("watch", "r1");
      expect(await a.leaseHolder("watch", ms(1100))).toBe("r2");
      await b.releaseLease("watch", "r2");
      expect(await a.leaseHolder("watch", ms(1100))).toBeUndefined();
      expect(await a.acquireLease("watch", "r1", 1000, ms(1200))).toBe(true);
    });

    it("of 40 replicas racing for a free lease, exactly one gets it", async () => {
      const { a, b } = pair;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).acquireLease("race", `r${i}`, 5000, ms(0)),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = `r${results.indexOf(true)}`;
      expect(await a.leaseHolder("race", ms(1))).toBe(winner);
    });

    it("send slots: `burst` at once after a quiet spell, then one per interval; keys are apart", async () => {
      const { a } = pair;
      const slots: number[] = [];
      for (let i = 0; i < 6; i++)
        slots.push((await a.reserveSlot("channel:C1", ms(0), 100, 3)).getTime() - T0.getTime());
      expect(slots).toEqual([0, 0, 0, 100, 200, 300]);
      expect((await a.reserveSlot("channel:C2", ms(0), 100, 3)).getTime()).toBe(T0.getTime());
      // A caller later than the queue: its slot is the next free one, not its own time.
      expect((await a.reserveSlot("channel:C1", ms(150), 100, 3)).getTime() - T0.getTime()).toBe(400);
      // After a quiet spell the burst is there again.
      const quiet = [];
      for (let i = 0; i < 4; i++)
        quiet.push((await a.reserveSlot("channel:C1", ms(10_000), 100, 3)).getTime());
      expect(quiet.map((t) => t - T0.getTime())).toEqual([10_000, 10_000, 10_000, 10_100]);
    });

    it("send slots under 40 concurrent callers of two replicas: distinct slots, exactly `interval` apart", async () => {
      const { a, b } = pair;
      const slots = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).reserveSlot("method:chat.update", ms(0), 50, 4),
        ),
      );
      const offsets = slots.map((d) => d.getTime() - T0.getTime()).sort((x, y) => x - y);
      expect(offsets).toEqual([0, 0, 0, 0, ...Array.from({ length: 36 }, (_, i) => (i + 1) * 50)]);
    });
  });
}
