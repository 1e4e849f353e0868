/**
 * The Slack outbox on a virtual clock (vitest's fake timers): retries only what is retryable,
 * waits exactly Slack's Retry-After, paces posts per channel, coalesces status updates so that the
 * newest state wins, and keeps what it could not send for the next start.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Outbox,
  OutboxError,
  type OutboxLimits,
  systemOutboxTimer,
} from "../../../src/slack/outbox/index.ts";
import { TokenBucket } from "../../../src/slack/outbox/token-bucket.ts";
import { MemoryOutboxLedger, type OutboxCall } from "../../../src/store/outbox-ledger.ts";

const platform = (error: string) => ({ code: "slack_webapi_platform_error", data: { ok: false, error } });
const rateLimited = (seconds: number) => ({ code: "slack_webapi_rate_limited_error", retryAfter: seconds });
const http = (statusCode: number) => ({ code: "slack_webapi_http_error", statusCode });

interface Sent {
  readonly at: number;
  readonly call: OutboxCall;
}

function setup(failures: unknown[] = [], limits: Partial<OutboxLimits> = {}) {
  const sent: Sent[] = [];
  const attempts: Sent[] = [];
  const ledger = new MemoryOutboxLedger();
  const t0 = Date.now();
  let n = 0;
  const outbox = new Outbox({
    ledger,
    timer: systemOutboxTimer,
    limits: { retry: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 }, ...limits },
    send: async (call) => {
      attempts.push({ at: Date.now() - t0, call });
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push({ at: Date.now() - t0, call });
      return { ts: `1.${++n}` };
    },
  });
  return { outbox, sent, attempts, ledger };
}

const post = (channel: string, text: string): OutboxCall => ({
  method: "chat.postMessage",
  args: { channel, thread_ts: "1.0", text },
});
const update = (text: string, ts = "9.9") => ({
  method: "chat.update" as const,
  args: { channel: "C1", ts, text },
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("retries", () => {
  it.each(["ratelimited", "internal_error", "service_unavailable", "fatal_error", "request_timeout"])(
    "an HTTP-200 %s is retried until Slack takes the message",
    async (code) => {
      const { outbox, sent, attempts } = setup([platform(code), platform(code)]);
      const done = outbox.post(post("C1", "step 1"), { durable: true });
      await vi.advanceTimersByTimeAsync(5_000);
      await expect(done).resolves.toEqual({ ts: "1.1" });
      expect(attempts).toHaveLength(3);
      expect(sent.map((s) => s.call.args.text)).toEqual(["step 1"]);
    },
  );

  it("HTTP 429 and 5xx are retried; a 429's Retry-After is waited exactly, not more", async () => {
    const { outbox, attempts } = setup([rateLimited(1), http(503)]);
    const done = outbox.post(post("C1", "status"), { durable: false, urgent: true });
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(done).resolves.toEqual({ ts: "1.1" });
    // 429 at 0 -> again at exactly 1000 (Retry-After: 1) -> 503 -> backoff 1000 (2nd retry) -> 2000.
    expect(attempts.map((a) => a.at)).toEqual([0, 1000, 2000]);
  });

  it.each(["not_in_channel", "channel_not_found", "invalid_auth", "msg_too_long"])(
    "%s is not retried: the job fails at once",
    async (code) => {
      const { outbox, attempts } = setup([platform(code)]);
      const done = outbox.post(post("C1", "step"), { durable: true });
      const failed = expect(done).rejects.toMatchObject({ reason: code, kept: false });
      await vi.advanceTimersByTimeAsync(60_000);
      await failed;
      expect(attempts).toHaveLength(1);
    },
  );

  it("gives up after maxAttempts, and the ledger forgets the job", async () => {
    const { outbox, attempts, ledger } = setup(Array.from({ length: 10 }, () => platform("internal_error")));
    const done = outbox.post(post("C1", "step"), { durable: true });
    const failed = expect(done).rejects.toBeInstanceOf(OutboxError);
    await vi.advanceTimersByTimeAsync(120_000);
    await failed;
    expect(attempts).toHaveLength(4);
    expect(await ledger.list()).toEqual([]);
  });
});

describe("pacing", () => {
  it("posts one channel at its rate after a burst; other channels are not held up", async () => {
    const { outbox, sent } = setup([], { postPerChannel: { perSecond: 1, burst: 3 } });
    const all = [
      ...Array.from({ length: 6 }, (_, i) => outbox.post(post("C1", `a${i}`), { durable: true })),
      outbox.post(post("C2", "b0"), { durable: true }),
    ];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(sent.filter((s) => s.call.args.channel === "C1").map((s) => s.at)).toEqual([
      0, 0, 0, 1000, 2000, 3000,
    ]);
    expect(sent.find((s) => s.call.args.channel === "C2")?.at).toBe(0);
  });

  it("an urgent post (a first reply) goes before the steps already waiting in its channel", async () => {
    const { outbox, sent } = setup([], { postPerChannel: { perSecond: 1, burst: 1 } });
    const steps = Array.from({ length: 4 }, (_, i) =>
      outbox.post(post("C1", `step ${i}`), { durable: true }),
    );
    const status = outbox.post(post("C1", "status"), { durable: false, urgent: true });
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([...steps, status]);
    expect(sent.map((s) => s.call.args.text)).toEqual(["step 0", "status", "step 1", "step 2", "step 3"]);
  });
});

describe("status updates", () => {
  it("coalesce: the newest waiting state replaces older ones, and nothing older lands after it", async () => {
    const { outbox, sent } = setup([], { updates: { perSecond: 1, burst: 1 } });
    const all = ["Diagnosing 0/5", "Diagnosing 1/5", "Diagnosing 2/5", "Resolved"].map((text) =>
      outbox.update(update(text)),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    expect(sent.map((s) => s.call.args.text)).toEqual(["Diagnosing 0/5", "Resolved"]);
  });

  it("a failed older update is not retried when a newer one is waiting", async () => {
    const { outbox, sent, attempts } = setup([platform("internal_error")], {
      updates: { perSecond: 100, burst: 1 },
    });
    const first = outbox.update(update("Diagnosing"));
    await vi.advanceTimersByTimeAsync(1); // the first call is answered (with the error)
    const newer = outbox.update(update("Resolved"));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([first, newer]);
    expect(attempts.map((a) => a.call.args.text)).toEqual(["Diagnosing", "Resolved"]);
    expect(sent.map((s) => s.call.args.text)).toEqual(["Resolved"]);
  });

  it("updates do not wait behind posts, nor posts behind updates", async () => {
    const { outbox, sent } = setup([], {
      postPerChannel: { perSecond: 1, burst: 1 },
      updates: { perSecond: 1, burst: 1 },
    });
    const all = [
      outbox.update(update("u1")),
      outbox.update(update("u2", "9.8")),
      outbox.post(post("C1", "p1"), { durable: true }),
      outbox.post(post("C1", "p2"), { durable: true }),
    ];
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    expect(sent.map((s) => [s.call.args.text, s.at])).toEqual([
      ["u1", 0],
      ["p1", 0],
      ["u2", 1000],
      ["p2", 1000],
    ]);
  });
});

describe("shutdown", () => {
  it("drains within the bound, keeps the rest in the ledger, and a new outbox sends it once", async () => {
    const first = setup([], { postPerChannel: { perSecond: 1, burst: 1 } });
    const jobs = Array.from({ length: 10 }, (_, i) =>
      first.outbox.post(post("C1", `step ${i}`), { durable: true }).catch((e: unknown) => e),
    );
    const closing = first.outbox.close(2_500);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await closing).toEqual({ left: 7 });
    const outcomes = await Promise.all(jobs);
    expect(outcomes.filter((o) => o instanceof OutboxError && o.kept)).toHaveLength(7);
    expect(first.sent.map((s) => s.call.args.text)).toEqual(["step 0", "step 1", "step 2"]);

    const sent: string[] = [];
    const second = new Outbox({
      ledger: first.ledger,
      timer: systemOutboxTimer,
      send: async (call) => {
        sent.push(String(call.args.text));
        return { ts: "2.1" };
      },
    });
    expect(await second.resume()).toBe(7);
    await vi.advanceTimersByTimeAsync(10_000);
    await second.idle();
    expect(sent).toEqual(["step 3", "step 4", "step 5", "step 6", "step 7", "step 8", "step 9"]);
    expect(await first.ledger.list()).toEqual([]);
  });
});

describe("TokenBucket", () => {
  it("a clock set back gives no tokens and takes none", () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 2 });
    expect(bucket.take(100_000)).toBe(0);
    expect(bucket.take(100_000)).toBe(0);
    expect(bucket.take(39_000)).toBe(1000); // 61 s back: still one token's wait, not 62
    expect(bucket.take(40_000)).toBe(0);
  });
});
