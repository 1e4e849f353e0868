/** The recovery watch on a virtual clock: when it looks, when it stops, what it does with failures. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.ts";
import type {
  RecoveryCheck,
  RecoveryContext,
  RecoveryLook,
  RecoveryReading,
} from "../../../src/core/verification.ts";
import { watchRecovery } from "../../../src/engine/recovery-watch.ts";
import type { Ports } from "../../../src/ports/index.ts";
import { VirtualClock } from "../../../src/sandbox/drills/virtual-clock.ts";

const config = { ...configSchema.parse({ runbooks: { probeTimeoutSeconds: 1 } }), secrets: {} };

/** A check whose looks answer from a script, recording what each look was given. */
function scripted(
  answers: readonly (RecoveryReading | Error | "hang")[],
  needs: RecoveryCheck["needs"] = [],
) {
  const seen: RecoveryContext[] = [];
  const check: RecoveryCheck = {
    watches: "the signal",
    recoveredWhen: () => "ok",
    withinMinutes: 5,
    everySeconds: 60,
    needs,
    nextStep: "next.",
    async read(ctx) {
      seen.push(ctx);
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      if (answer === "hang") return new Promise<RecoveryReading>(() => undefined);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { check, seen };
}

const bad = (value: number): RecoveryReading => ({ recovered: false, value, text: `at ${value}` });
const good = (value: number): RecoveryReading => ({ recovered: true, value, text: `at ${value}` });

function setup() {
  const clock = new VirtualClock();
  const ports: Ports = { clock };
  const since = clock.now();
  return { clock, ports, since };
}

describe("watchRecovery", () => {
  it("looks every interval and stops at the first recovered reading; each look sees the first one", async () => {
    const { clock, ports, since } = setup();
    const { check, seen } = scripted([bad(100), bad(90), good(40)]);
    const looks: RecoveryLook[] = [];
    const verdict = await watchRecovery({
      check,
      ports,
      config,
      since,
      signal: new AbortController().signal,
      onLook: (l) => looks.push(l),
    });
    expect(verdict).toMatchObject({ state: "recovered", afterMs: 180_000, reading: good(40) });
    expect(seen.map((c) => c.now.getTime() - since.getTime())).toEqual([60_000, 120_000, 180_000]);
    expect(seen.map((c) => c.first?.value)).toEqual([undefined, 100, 100]);
    expect(seen.every((c) => c.since === since)).toBe(true);
    expect(looks).toHaveLength(3);
    expect(clock.now().getTime() - since.getTime()).toBe(180_000);
  });

  it("gives up at the expected recovery time with the last reading", async () => {
    const { ports, since } = setup();
    const { check, seen } = scripted([bad(100)]);
    const verdict = await watchRecovery({
      check,
      ports,
      config,
      since,
      signal: new AbortController().signal,
    });
    expect(verdict).toMatchObject({ state: "not-recovered", afterMs: 300_000, reading: bad(100) });
    expect(seen).toHaveLength(5);
  });

  it("a look that throws or hangs is recorded and the watch goes on", async () => {
    const { ports, since } = setup();
    const { check } = scripted([new Error("connection refused"), "hang", good(1)]);
    const looks: RecoveryLook[] = [];
    const verdict = await watchRecovery({
      check,
      ports,
      config,
      since,
      signal: new AbortController().signal,
      onLook: (l) => looks.push(l),
    });
    expect(looks.map((l) => (l.ok ? "ok" : l.error))).toEqual([
      "connection refused",
      "timed out after 1s",
      "ok",
    ]);
    expect(verdict.state).toBe("recovered");
  });

  it("only failures until the end: not recovered with the last error", async () => {
    const { ports, since } = setup();
    const { check } = scripted([new Error("kafka: broker unreachable")]);
    const verdict = await watchRecovery({
      check,
      ports,
      config,
      since,
      signal: new AbortController().signal,
    });
    expect(verdict).toEqual({
      state: "not-recovered",
      afterMs: 300_000,
      reading: undefined,
      error: "kafka: broker unreachable",
    });
  });

  it("a port the check needs is not configured: ends at the first look, saying so", async () => {
    const { ports, since } = setup();
    const { check, seen } = scripted([good(1)], ["kafka"]);
    const verdict = await watchRecovery({
      check,
      ports,
      config,
      since,
      signal: new AbortController().signal,
    });
    expect(verdict).toMatchObject({ state: "not-recovered", error: "kafka is not configured" });
    expect(seen).toHaveLength(0);
  });

  it("the config's timing overrides the check's", async () => {
    const { ports, since } = setup();
    const { check, seen } = scripted([bad(5)]);
    const fast = {
      ...config,
      actions: { ...config.actions, verification: { enabled: true, withinMinutes: 1, everySeconds: 15 } },
    };
    const verdict = await watchRecovery({
      check,
      ports,
      config: fast,
      since,
      signal: new AbortController().signal,
    });
    expect(verdict).toMatchObject({ state: "not-recovered", afterMs: 60_000 });
    expect(seen).toHaveLength(4);
  });

  it("an abort (the bot stopping) ends the watch without a verdict", async () => {
    const { ports, since } = setup();
    const { check } = scripted([bad(5)]);
    const controller = new AbortController();
    controller.abort(new Error("the bot is stopping"));
    await expect(watchRecovery({ check, ports, config, since, signal: controller.signal })).rejects.toThrow(
      "the bot is stopping",
    );
  });
});
