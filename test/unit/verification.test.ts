/** The pure half of verification after a fix: judging looks, timing overrides, the thread line. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import {
  judgeRecovery,
  type RecoveryCheck,
  type RecoveryLook,
  recoveryTiming,
  verdictLine,
} from "../../src/core/verification.ts";
import { newestAfter } from "../../src/runbooks/metric-recovery.ts";

const t0 = new Date("2026-01-13T10:30:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const deadline = at(300);
const good = (s: number, text = "ok"): RecoveryLook => ({
  ok: true,
  at: at(s),
  reading: { recovered: true, text },
});
const bad = (s: number, text = "still bad"): RecoveryLook => ({
  ok: true,
  at: at(s),
  reading: { recovered: false, text },
});
const failed = (s: number, error = "connection refused"): RecoveryLook => ({ ok: false, at: at(s), error });

const check: RecoveryCheck = {
  watches: "the thing",
  recoveredWhen: () => "fine",
  withinMinutes: 5,
  everySeconds: 30,
  needs: [],
  nextStep: "call a human.",
  read: async () => ({ recovered: true, text: "x" }),
};

describe("judgeRecovery", () => {
  it.each([
    ["no look yet, before the deadline", [], 10, { state: "watching" }],
    ["bad looks before the deadline", [bad(30), bad(60)], 60, { state: "watching" }],
    [
      "a recovered look ends it, timed from the start",
      [bad(30), good(60, "lag 10")],
      60,
      { state: "recovered", afterMs: 60_000 },
    ],
    [
      "a recovered look after failures counts",
      [failed(30), good(60)],
      60,
      { state: "recovered", afterMs: 60_000 },
    ],
    [
      "bad looks at the deadline: not recovered, with the last reading",
      [bad(150, "first"), bad(300, "last")],
      300,
      { state: "not-recovered", afterMs: 300_000 },
    ],
  ] as const)("%s", (_name, looks, nowS, want) => {
    const verdict = judgeRecovery(looks, t0, deadline, at(nowS));
    expect(verdict).toMatchObject(want);
  });

  it("keeps the last good reading and the last error when the final look failed", () => {
    const verdict = judgeRecovery(
      [bad(30, "lag 90,000"), failed(300, "timed out after 10s")],
      t0,
      deadline,
      at(300),
    );
    expect(verdict).toEqual({
      state: "not-recovered",
      afterMs: 300_000,
      reading: { recovered: false, text: "lag 90,000" },
      error: "timed out after 10s",
    });
  });

  it("no working look at all: no reading, the error", () => {
    const verdict = judgeRecovery([failed(300, "kafka down")], t0, deadline, at(300));
    expect(verdict).toEqual({
      state: "not-recovered",
      afterMs: 300_000,
      reading: undefined,
      error: "kafka down",
    });
  });
});

describe("recoveryTiming", () => {
  const config = { ...configSchema.parse({}), secrets: {} };
  it("is the check's own by default", () => {
    expect(recoveryTiming(check, config)).toEqual({ withinMs: 300_000, everyMs: 30_000 });
  });
  it("takes the config's overrides", () => {
    const fast = {
      ...configSchema.parse({ actions: { verification: { withinMinutes: 0.5, everySeconds: 0.25 } } }),
      secrets: {},
    };
    expect(recoveryTiming(check, fast)).toEqual({ withinMs: 30_000, everyMs: 250 });
  });
  it("refuses nonsense in the config", () => {
    expect(() => configSchema.parse({ actions: { verification: { withinMinutes: 0 } } })).toThrow();
    expect(() => configSchema.parse({ actions: { verification: { everySeconds: -1 } } })).toThrow();
    expect(() => configSchema.parse({ actions: { verification: { every: 5 } } })).toThrow();
  });
});

describe("verdictLine", () => {
  it("recovered: the time since the fix and the reading, one sentence", () => {
    expect(
      verdictLine(
        { state: "recovered", afterMs: 90_000, reading: { recovered: true, text: "3 of 3 brokers alive." } },
        check,
      ),
    ).toBe(":white_check_mark: *Recovered* (2 min after the fix): 3 of 3 brokers alive.");
  });
  it("not recovered: the reading, the last error, and the next step", () => {
    const line = verdictLine(
      {
        state: "not-recovered",
        afterMs: 300_000,
        reading: { recovered: false, text: "lag 90,000" },
        error: "timed out.",
      },
      check,
    );
    expect(line).toBe(
      ":warning: *Not recovered after 5 min*: lag 90,000. The last look failed: timed out. Next suggested step: call a human.",
    );
  });
  it("not recovered without any reading says none worked and why", () => {
    const line = verdictLine(
      { state: "not-recovered", afterMs: 0, reading: undefined, error: "kafka is not configured" },
      check,
    );
    expect(line).toBe(
      ":warning: *Not recovered after 0 ms*: no reading of the thing worked (kafka is not configured). Next suggested step: call a human.",
    );
  });
});

describe("newestAfter", () => {
  const points = [0, 60, 120, 180].map((s, i) => ({ at: at(s), value: i }));
  it("is the newest bucket that ends after the fix", () => {
    expect(newestAfter(points, at(200), 60)?.value).toBe(3); // 180..240 contains the fix
    expect(newestAfter(points, at(90), 60)?.value).toBe(3);
  });
  it("is undefined when every bucket ended before the fix", () => {
    expect(newestAfter(points, at(240), 60)).toBeUndefined();
    expect(newestAfter([], at(0), 60)).toBeUndefined();
  });
});
