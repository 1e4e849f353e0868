/**
 * Stopping with a backlog (issue 10, finding 8): with Slack's posting limit enforced, three
 * incidents queue more thread messages than Slack takes in a second; the bot stops within its
 * bound, keeps what it could not send in the store, and the next start on the same store sends
 * it: every step arrives, once.
 */
import { afterEach, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { type Harness, startHarness, textOf, until } from "./harness.ts";

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const isStatus = (m: StoredMessage) => /Incident `inc-/.test(textOf(m));
const stepOf = (m: StoredMessage) => /^:[a-z_]+: [^(:]+ · (Step \d+):/.exec(m.text)?.[1];
const RUNBOOKS = { "consumer-lag": 4, "dlq-spike": 6, "checkpoint-failure": 5 } as const;

it("stops within the bound with a backlog; the next start sends what was left, once", async () => {
  const harness = await startHarness({
    emulator: {
      rateLimits: { postMessagePerChannelPerSecond: 1, postMessageBurst: 4, chatUpdatePerMinute: 50 },
    },
    // Slack's own pacing (1/s per channel, short bursts); a short drain.
    outboxLimits: {},
    drainMs: 1000,
  });
  h = harness;
  const roots = new Map<string, string>();
  for (const id of Object.keys(RUNBOOKS)) roots.set(id, (await harness.postAlert(id)).ts);
  // Every incident has its status message (first replies go first), the steps are queued behind.
  for (const ts of roots.values()) await harness.waitForReply(ts, isStatus);

  const started = Date.now();
  await harness.restartBot();
  const restartMs = Date.now() - started;
  expect(restartMs).toBeLessThan(10_000);
  expect(harness.bot.resumed).toBeGreaterThan(0);

  for (const [id, ts] of roots) {
    const want = RUNBOOKS[id as keyof typeof RUNBOOKS];
    await until(() => harness.botReplies(ts).filter((m) => stepOf(m) !== undefined).length >= want, 60_000);
  }
  await harness.idle();
  await harness.bot.outbox.idle();
  for (const [id, ts] of roots) {
    const steps = harness
      .botReplies(ts)
      .map(stepOf)
      .filter((s) => s !== undefined);
    const want = RUNBOOKS[id as keyof typeof RUNBOOKS];
    expect(steps, id).toEqual(Array.from({ length: want }, (_, i) => `Step ${i + 1}`));
    expect(harness.botReplies(ts).filter(isStatus), id).toHaveLength(1);
  }
}, 120_000);
