/**
 * Property-based tests (fast-check, pinned seed) of the pure guards issue 10 added: the slash
 * command payload check, the request timestamp window, and URL masking.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskUrl } from "../../src/core/mask-url.ts";
import { channelMention, commandPayloadProblem } from "../../src/slack/listeners/command-payload.ts";
import { MAX_SKEW_SECONDS, timestampProblem } from "../../src/slack/request-freshness.ts";

const SEED = 20_261_007;
const run = { seed: SEED, numRuns: 2000 };

const field = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(""),
  fc.constantFrom("C_INCIDENTS", "C0123ABC", "U_ALICE", "U0123ABC", "W0123ABC", "<!channel>", "C\u0000X"),
  fc.string({ maxLength: 30 }),
  fc.anything(),
);

describe("commandPayloadProblem", () => {
  it("never throws, and accepts a payload only with a channel id, a user id and a clean text", () => {
    fc.assert(
      fc.property(field, field, fc.oneof(field, fc.string({ maxLength: 5000 })), (channel, user, text) => {
        const payload = { channel_id: channel, user_id: user, text };
        const problem = commandPayloadProblem(payload);
        if (problem === undefined) {
          expect(channel).toMatch(/^[CGD][A-Z0-9_]+$/);
          expect(user).toMatch(/^[UW][A-Z0-9_]+$/);
          expect(typeof text).toBe("string");
          expect((text as string).length).toBeLessThanOrEqual(4000);
          expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
        } else {
          expect(problem).toMatch(/^(arrived|names|has) /);
        }
      }),
      run,
    );
  });

  it("a well-formed payload from Slack passes", () => {
    expect(
      commandPayloadProblem({ channel_id: "C0123ABC", user_id: "U0123ABC", text: "lag" }),
    ).toBeUndefined();
    expect(commandPayloadProblem({ channel_id: "C0123ABC", user_id: "U0123ABC", text: "" })).toBeUndefined();
  });

  it("channelMention: ids as links, names with #", () => {
    expect(channelMention("C0123ABC")).toBe("<#C0123ABC>");
    expect(channelMention("#incidents")).toBe("#incidents");
    expect(channelMention("incidents")).toBe("#incidents");
  });
});

describe("timestampProblem: within 5 minutes either way, and only that", () => {
  it("accepts exactly the timestamps within the window", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
        (skew, now) => {
          const problem = timestampProblem(String(now + skew), now * 1000);
          expect(problem === undefined).toBe(Math.abs(skew) <= MAX_SKEW_SECONDS);
        },
      ),
      run,
    );
  });

  it("six minutes ahead (what Bolt 5 let through) and non-numbers are refused", () => {
    const now = 1_800_000_000;
    expect(timestampProblem(String(now + 360), now * 1000)).toBe(
      "timestamp is 360 s in the future (at most 300 s)",
    );
    expect(timestampProblem(String(now - 360), now * 1000)).toBe("timestamp is 360 s old (at most 300 s)");
    expect(timestampProblem("1e10", now * 1000)).toBe("timestamp is not a number of seconds");
    fc.assert(
      fc.property(fc.string(), (s) => {
        const problem = timestampProblem(s, now * 1000);
        if (!/^\s*\d{1,12}\s*$/.test(s)) expect(problem).toBe("timestamp is not a number of seconds");
      }),
      run,
    );
  });
});

describe("maskUrl", () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9._~-]{6,20}$/).map((s) => `Zq${s}`);
  it("never leaves a password or a secret query value in a URL, wherever the URL is in a text", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("http", "https", "ftp", "postgres", "s3"),
        fc.stringMatching(/^[a-z]{0,8}$/),
        secret,
        fc.constantFrom("token", "password", "api_key", "X-Amz-Signature", "client_secret", "sig"),
        secret,
        fc.string({ maxLength: 30 }),
        (before, scheme, user, password, param, value, after) => {
          const auth = user === "" ? `${password}@` : `${user}:${password}@`;
          const url = `${scheme}://${auth}host.example:1/p?a=1&${param}=${value}`;
          const masked = maskUrl(`${before} ${url} ${after}`);
          expect(masked).not.toContain(password);
          expect(masked).not.toContain(value);
        },
      ),
      run,
    );
  });

  it("never throws and is idempotent on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (text) => {
        const once = maskUrl(text);
        expect(maskUrl(once)).toBe(once);
      }),
      run,
    );
  });
});
