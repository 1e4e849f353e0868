/** Settling an unknown outcome by reading the real state (issue 10, finding 3). */
import { describe, expect, it } from "vitest";
import { settleLine, settleOutcome } from "../../../src/engine/settle-outcome.ts";
import { VirtualClock } from "../../../src/sandbox/drills/virtual-clock.ts";

const signal = new AbortController().signal;

describe("settleOutcome", () => {
  it("looks until the held write lands: applied at the look that sees it", async () => {
    const clock = new VirtualClock();
    const start = clock.now().getTime();
    // The server applies the PATCH 20 s after it was sent (the client gave up at 10 s).
    const read = async () => {
      const replicas = clock.now().getTime() - start >= 10_000 ? 8 : 4;
      return { applied: replicas === 8, detail: `${replicas} taskmanagers` };
    };
    const verdict = await settleOutcome({ read, clock, withinMs: 60_000, everyMs: 2_000, signal });
    expect(verdict).toEqual({ state: "applied", detail: "8 taskmanagers", afterMs: 10_000 });
    expect(settleLine("flink-taskmanager: 4 -> 8", verdict)).toContain("did apply: 8 taskmanagers");
  });

  it("not applied by the end of the window: the last reading", async () => {
    const clock = new VirtualClock();
    let looks = 0;
    const read = async () => {
      looks += 1;
      return { applied: false, detail: "4 taskmanagers" };
    };
    const verdict = await settleOutcome({ read, clock, withinMs: 5_000, everyMs: 2_000, signal });
    expect(verdict).toMatchObject({ state: "not-applied", detail: "4 taskmanagers", afterMs: 5_000 });
    expect(looks).toBe(4); // at 0, 2, 4 and 5 s
    expect(settleLine("scale", verdict)).toMatch(/^:x: Settled: \*scale\* did not apply: 4 taskmanagers/);
  });

  it("a failing read goes on; never read at all: still unknown, never 'did not apply'", async () => {
    const clock = new VirtualClock();
    const read = async (): Promise<never> => {
      throw new Error("the Kubernetes API did not answer");
    };
    const verdict = await settleOutcome({ read, clock, withinMs: 3_000, everyMs: 1_000, signal });
    expect(verdict).toMatchObject({
      state: "not-applied",
      detail: undefined,
      error: "the Kubernetes API did not answer",
    });
    const line = settleLine("scale", verdict);
    expect(line).toContain("outcome still unknown");
    expect(line).not.toContain("did not apply");
  });

  it("stops when the bot stops", async () => {
    const stop = new AbortController();
    stop.abort(new Error("stopping"));
    const read = async () => ({ applied: false, detail: "x" });
    await expect(
      settleOutcome({
        read,
        clock: new VirtualClock(),
        withinMs: 3_000,
        everyMs: 1_000,
        signal: stop.signal,
      }),
    ).rejects.toThrow("stopping");
  });
});
