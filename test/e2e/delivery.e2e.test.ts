/**
 * Delivery to Slack that loses nothing (issue 10, finding 2), driven through the emulator's fault
 * injection: retryable Web API errors and 429 are retried (Retry-After honoured without extra
 * delay), errors that would fail again are not, a run whose first message never reached the thread
 * is run again, a step Slack would not take is named in the status message, and a status message
 * never goes back to an older state.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka, SimulatedMetrics } from "../../src/sandbox/simulated/simulated-ports.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { type Harness, type HarnessOptions, startHarness, textOf, until, WAIT_MS } from "./harness.ts";

const STEPS = 4; // consumer-lag's steps
const FAST_RETRY = { retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 2000 } };
const UNPACED_FAST = {
  postPerChannel: { perSecond: 1000, burst: 1000 },
  updates: { perSecond: 1000, burst: 1000 },
  ...FAST_RETRY,
};

let h: Harness | undefined;

async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness({ outboxLimits: UNPACED_FAST, ...options });
  return h;
}

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const isStatus = (m: StoredMessage) => /Incident `inc-/.test(textOf(m));
/** "Step 2" of a step message (":warning: Consumer Lag High · Step 2: ..."), not of the status message. */
const stepOf = (m: StoredMessage) => /^:[a-z_]+: [^(:]+ · (Step \d+):/.exec(m.text)?.[1];
const stepMessages = (harness: Harness, root: string) =>
  harness.botReplies(root).filter((m) => stepOf(m) !== undefined);

/** Every step of the run in the thread, the status message done. */
async function threadComplete(harness: Harness, root: string): Promise<StoredMessage> {
  await until(() => stepMessages(harness, root).length >= STEPS, WAIT_MS);
  const status = harness.botReplies(root).find(isStatus);
  if (!status) throw new Error("no status message");
  await until(
    () => /done/.test(harness.emulator.findMessage((m) => m.ts === status.ts)?.text ?? ""),
    WAIT_MS,
  );
  return status;
}

describe("retryable failures are retried", () => {
  it.each(["ratelimited", "internal_error", "service_unavailable", "fatal_error", "request_timeout"])(
    "an HTTP-200 %s on the first chat.postMessage of a run: the thread still gets everything",
    async (code) => {
      const harness = await start();
      harness.emulator.failNext("chat.postMessage", code, { times: 2 });
      const root = await harness.postAlert("consumer-lag");
      await threadComplete(harness, root.ts);
      expect(stepMessages(harness, root.ts)).toHaveLength(STEPS);
      expect(harness.botReplies(root.ts).filter(isStatus)).toHaveLength(1);
    },
  );

  it("an HTTP 503 on a step's message: the step arrives", async () => {
    const harness = await start();
    harness.emulator.failNext("chat.postMessage", "service_unavailable", { status: 503, after: 1, times: 2 });
    const root = await harness.postAlert("consumer-lag");
    await threadComplete(harness, root.ts);
    expect(stepMessages(harness, root.ts).map(stepOf)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4"]);
  });

  it("a 429 with Retry-After: 1 delays the first reply by about 1 s, not 15", async () => {
    const harness = await start({
      outboxLimits: { ...UNPACED_FAST, retry: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 } },
    });
    // Warm the bot so that the figure is the retry, not the first run's start-up.
    await harness.runAlert("consumer-lag");
    await harness.postAlert("consumer-lag", "resolved");
    await harness.idle();
    harness.emulator.failNext("chat.postMessage", "ratelimited", { status: 429, retryAfter: 1 });
    const started = Date.now();
    const root = await harness.postAlert("consumer-lag");
    await harness.waitForReply(root.ts, isStatus);
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(2500);
    const posts = harness.emulator.callsTo("chat.postMessage").filter((c) => c.status === 429);
    expect(posts).toHaveLength(1);
  });
});

describe("failures that would happen again", () => {
  it.each(["msg_too_long", "invalid_blocks"])(
    "%s on a step is not retried, and the status message names the step",
    async (code) => {
      const harness = await start();
      // The status message passes; the first step's message is refused.
      harness.emulator.failNext("chat.postMessage", code, { after: 1 });
      const root = await harness.postAlert("consumer-lag");
      await harness.waitForReply(root.ts, isStatus);
      await harness.idle();
      const refused = harness.emulator.callsTo("chat.postMessage").filter((c) => c.response.error === code);
      expect(refused).toHaveLength(1);
      expect(stepMessages(harness, root.ts).map(stepOf)).toEqual(["Step 2", "Step 3", "Step 4"]);
      const statusTs = harness.botReplies(root.ts).find(isStatus)?.ts;
      await until(() => {
        const now = harness.emulator.findMessage((m) => m.ts === statusTs);
        return JSON.stringify(now?.blocks ?? []).includes(
          "Slack did not take this step's message: Step 1: Assess",
        );
      }, WAIT_MS);
    },
  );
});

describe("a run whose first message Slack never took", () => {
  it("is run again by the next alert, instead of a 'fired again' note into an empty thread", async () => {
    const harness = await start();
    harness.emulator.failNext("chat.postMessage", "internal_error", { times: 3 });
    const root = await harness.postAlert("consumer-lag");
    await harness.idle();
    expect(harness.botReplies(root.ts)).toEqual([]);
    const [incident] = await harness.store.listOpenIncidents();
    expect(incident?.statusTs ?? undefined).toBeUndefined();

    await harness.postAlert("consumer-lag");
    await threadComplete(harness, root.ts);
    await harness.idle();
    const replies = harness.botReplies(root.ts);
    expect(replies.filter((m) => m.text.includes("fired again"))).toEqual([]);
    expect(replies.filter(isStatus)).toHaveLength(1);
    expect(stepMessages(harness, root.ts)).toHaveLength(STEPS);
  });

  it("is run again by the sweep when no alert comes", async () => {
    const harness = await start();
    harness.emulator.failNext("chat.postMessage", "fatal_error", { times: 3 });
    const root = await harness.postAlert("consumer-lag");
    await harness.idle();
    expect(harness.botReplies(root.ts)).toEqual([]);
    expect(await harness.bot.service.sweepUndelivered(new Date(Date.now() + 60_000))).toBe(1);
    await threadComplete(harness, root.ts);
    expect(stepMessages(harness, root.ts)).toHaveLength(STEPS);
  });
});

/** Every metrics and Kafka read takes `ms` longer: a run long enough to be caught in the middle. */
function slowed<T extends object>(target: T, ms: number): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, ms));
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

describe("the status message", () => {
  it("mid-run, a repeat shows the run's progress (not 0/N), and nothing older lands after Resolved", async () => {
    const scenario = new ConsumerLagScenario();
    const harness = await start({
      ports: {
        kafka: slowed(new SimulatedKafka(scenario), 150),
        metrics: slowed(new SimulatedMetrics(scenario), 150),
      },
    });
    const root = await harness.postAlert("consumer-lag");
    const status = await harness.waitForReply(root.ts, isStatus);
    await until(() => stepMessages(harness, root.ts).length >= 1, WAIT_MS);
    await harness.postAlert("consumer-lag"); // a repeat, mid-run
    await harness.postAlert("consumer-lag");
    await harness.postAlert("consumer-lag", "resolved");
    await harness.idle();

    const updates = harness.emulator
      .callsTo("chat.update")
      .filter((c) => c.body.ts === status.ts && c.response.ok === true)
      .map((c) => String(c.body.text) + JSON.stringify(c.body.blocks));
    const repeat = updates.find((u) => u.includes("2 times"));
    expect(repeat).toBeDefined();
    expect(repeat).not.toMatch(/Diagnosing, 0\/4 steps/);
    const resolvedAt = updates.findIndex((u) => u.includes("Resolved"));
    expect(resolvedAt).toBeGreaterThanOrEqual(0);
    expect(updates.slice(resolvedAt).filter((u) => !u.includes("Resolved"))).toEqual([]);
    expect(harness.emulator.findMessage((m) => m.ts === status.ts)?.text).toMatch(/Resolved/);
    // Later repeats are counted in the status message, not one note each.
    expect(harness.botReplies(root.ts).filter((m) => m.text.includes("fired again"))).toHaveLength(1);
  });
});
