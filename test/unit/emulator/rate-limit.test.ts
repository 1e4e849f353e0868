/** The emulator's Slack limits: chat.postMessage per channel with a burst, chat.update at Tier 3. */
import { describe, expect, it } from "vitest";
import { FaultPlan } from "../../../src/sandbox/slack-emulator/faults.ts";
import { ChannelRateLimiter } from "../../../src/sandbox/slack-emulator/rate-limit.ts";

describe("ChannelRateLimiter", () => {
  it("takes a burst of postMessage per channel, then about one a second; channels are apart", () => {
    const limiter = new ChannelRateLimiter({ postMessagePerChannelPerSecond: 1, postMessageBurst: 4 });
    const at0 = [0, 0, 0, 0, 0].map(() => limiter.check("C1", 0));
    expect(at0).toEqual([undefined, undefined, undefined, undefined, 1]);
    expect(limiter.check("C2", 0)).toBeUndefined();
    expect(limiter.check("C1", 500)).toBe(1);
    expect(limiter.check("C1", 1000)).toBeUndefined();
    expect(limiter.check("C1", 1500)).toBe(1);
    expect(limiter.check("C1", 2000)).toBeUndefined();
  });

  it("without a burst, keeps the 1-second window it always had", () => {
    const limiter = new ChannelRateLimiter({ postMessagePerChannelPerSecond: 2 });
    expect([0, 10, 20].map((t) => limiter.check("C1", t))).toEqual([undefined, undefined, 1]);
    expect(limiter.check("C1", 1001)).toBeUndefined();
  });

  it("chat.update: 50 in any minute for the workspace, then 429 until the oldest is a minute old", () => {
    const limiter = new ChannelRateLimiter({ postMessagePerChannelPerSecond: 1, chatUpdatePerMinute: 50 });
    for (let i = 0; i < 50; i++) expect(limiter.checkUpdate(i * 100)).toBeUndefined();
    expect(limiter.checkUpdate(5_000)).toBe(55);
    expect(limiter.checkUpdate(60_000)).toBeUndefined();
  });

  it("chat.update is not limited unless configured", () => {
    const limiter = new ChannelRateLimiter({ postMessagePerChannelPerSecond: 1 });
    for (let i = 0; i < 500; i++) expect(limiter.checkUpdate(0)).toBeUndefined();
  });
});

describe("FaultPlan", () => {
  it("fails the next calls as told, after letting some through", () => {
    const plan = new FaultPlan();
    plan.add("chat.postMessage", "internal_error", { times: 2, after: 1 });
    plan.add("chat.postMessage", "ratelimited", { status: 429, retryAfter: 3 });
    expect(plan.take("chat.update")).toBeUndefined();
    expect(plan.take("chat.postMessage")).toBeUndefined();
    expect(plan.take("chat.postMessage")?.body).toEqual({ ok: false, error: "internal_error" });
    expect(plan.take("chat.postMessage")?.status).toBe(200);
    expect(plan.take("chat.postMessage")).toEqual({
      status: 429,
      headers: { "retry-after": "3" },
      body: { ok: false, error: "ratelimited" },
    });
    expect(plan.take("chat.postMessage")).toBeUndefined();
    expect(plan.pending("chat.postMessage")).toBe(0);
  });
});
