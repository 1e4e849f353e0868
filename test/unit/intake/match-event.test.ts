import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IntakeInputError, type MatchOptions, matchEvent } from "../../../src/core/intake/index.ts";

const OPTIONS: MatchOptions = { allowHumanAlerts: false, extraPatterns: {} };
const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/slack-alerts");

function fixtureEvent(name: string): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), "utf8")) as { event: Record<string, unknown> }
  ).event;
}

function webhook(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "message",
    subtype: "bot_message",
    bot_id: "B1",
    username: "pipeline-alerts",
    text,
    ...extra,
  };
}

/** Runs matchEvent and returns the result with the elapsed milliseconds. */
function timed(event: unknown, options: MatchOptions = OPTIONS) {
  const started = performance.now();
  const result = matchEvent(event, options);
  return { result, ms: performance.now() - started };
}

describe("matchEvent input", () => {
  it.each([
    [null, "null"],
    [[], "an array"],
    ["text", "a string"],
    [42, "a number"],
    [undefined, "a undefined"],
  ])("throws IntakeInputError for %j", (input, what) => {
    expect(() => matchEvent(input, OPTIONS)).toThrow(IntakeInputError);
    expect(() => matchEvent(input, OPTIONS)).toThrow(
      `expected a Slack message event (a JSON object), got ${what}`,
    );
    try {
      matchEvent(input, OPTIONS);
    } catch (error) {
      expect((error as IntakeInputError).code).toBe("invalid_event");
    }
  });

  it("answers exactly {matches: []} when nothing matches", () => {
    for (const event of [{}, webhook("deploy finished"), { type: "message", user: "U1", text: "lunch?" }]) {
      expect(JSON.stringify(matchEvent(event, OPTIONS))).toBe('{"matches":[]}');
    }
  });

  it("ignores events that are not messages (app_mention duplicates the message event)", () => {
    expect(matchEvent({ type: "app_mention", user: "U1", text: "dlq-spike-critical" }, OPTIONS)).toEqual({
      matches: [],
    });
  });

  it("accepts a bare message object without a type (conversations.history)", () => {
    expect(matchEvent({ bot_id: "B1", text: "dlq-spike-critical firing" }, OPTIONS)).toEqual({
      matches: [{ alert: "dlq-spike-critical", runbook: "dlq-spike", state: "firing" }],
      source: "webhook",
    });
  });

  it.each(["channel_join", "channel_topic", "message_replied", "pinned_item", "message_deleted"])(
    "gives no matches for subtype %s",
    (subtype) => {
      expect(matchEvent(webhook("dlq-spike-critical firing", { subtype }), OPTIONS)).toEqual({ matches: [] });
    },
  );

  it("message_changed reads event.message, and a missing or tombstoned message gives nothing", () => {
    const changed = {
      type: "message",
      subtype: "message_changed",
      message: webhook("memory-usage-high resolved"),
    };
    expect(matchEvent(changed, OPTIONS).matches).toEqual([
      { alert: "memory-usage-high", runbook: "memory-usage", state: "resolved" },
    ]);
    expect(matchEvent({ type: "message", subtype: "message_changed" }, OPTIONS)).toEqual({ matches: [] });
    const tombstone = { ...changed, message: { subtype: "tombstone", text: "This message was deleted." } };
    expect(matchEvent(tombstone, OPTIONS)).toEqual({ matches: [] });
  });

  it("message_changed by a person follows allowHumanAlerts", () => {
    const changed = {
      type: "message",
      subtype: "message_changed",
      message: { type: "message", user: "U1", text: "checkpoint-duration-high firing" },
    };
    expect(matchEvent(changed, OPTIONS)).toEqual({ matches: [] });
    expect(matchEvent(changed, { ...OPTIONS, allowHumanAlerts: true })).toEqual({
      matches: [{ alert: "checkpoint-duration-high", runbook: "checkpoint-duration", state: "firing" }],
      source: "human",
    });
  });

  it("does not throw on invalid extra patterns at match time", () => {
    const options = {
      allowHumanAlerts: false,
      extraPatterns: { "consumer-lag": ["(broken", "behind by \\d+"], nope: ["x"] },
    };
    expect(matchEvent(webhook("order-processor behind by 72000"), options).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" },
    ]);
  });

  it("reports one entry per alert even when named many times", () => {
    const result = matchEvent(
      webhook("dlq-spike-critical\nprod-dlq-spike-critical\nDLQ_SPIKE_CRITICAL firing"),
      OPTIONS,
    );
    expect(result.matches).toEqual([{ alert: "dlq-spike-critical", runbook: "dlq-spike", state: "firing" }]);
  });
});

describe("matchEvent bounded work", () => {
  const MB = 1_000_000;

  it("matches an Alertmanager message with a 1 MB attachment text quickly", () => {
    const event = fixtureEvent("alertmanager-default-firing");
    const attachments = event.attachments as Record<string, unknown>[];
    const huge = {
      ...event,
      attachments: [{ ...attachments[0], text: "lag sample 72341; ".repeat(MB / 18) }],
    };
    const { result, ms } = timed(huge);
    expect(result).toEqual({
      matches: [{ alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" }],
      source: "alertmanager",
    });
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ["near-miss names", "kafka-consumer-lag-warning ".repeat(MB / 27)],
    ["spaces", `resolved${" ".repeat(MB)}x`],
    ["one huge line of mentions", "memory-usage-high ".repeat(MB / 18)],
    ["newlines", "\n".repeat(MB)],
    ["brackets", "[".repeat(MB)],
    ["status fields", "Status: Status: ".repeat(MB / 16)],
    ["section headers", "**Firing**\n**Resolved**\n".repeat(MB / 24)],
    ["slack markup", "<<<@|!#".repeat(MB / 7)],
    ["emoji", "🚨🔥✅".repeat(MB / 6)],
    ["near-miss separators", "kafka-consumer-lag-".repeat(MB / 19)],
  ])("finishes fast on 1 MB of %s", (_name, text) => {
    const { ms } = timed(webhook(text, { attachments: [{ text, fields: [{ title: text, value: text }] }] }));
    expect(ms).toBeLessThan(1000);
  });

  it("ignores a name that only appears beyond the 100 KB text budget", () => {
    const { result, ms } = timed(webhook(`${"x".repeat(MB)} dlq-spike-critical`));
    expect(result).toEqual({ matches: [] });
    expect(ms).toBeLessThan(1000);
  });
});
