/**
 * Issue 10, finding 7: intake false positives and negatives. A match needs an alert's shape, the
 * qualifiers that cancel a match are configurable, and the state is the transition's target.
 */
import { describe, expect, it } from "vitest";
import { type MatchOptions, matchEvent } from "../../../src/core/intake/index.ts";

const OPTIONS: MatchOptions = { allowHumanAlerts: false, extraPatterns: {} };

function bot(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "message", subtype: "bot_message", bot_id: "B1", username: "ops-bot", text, ...extra };
}

describe("non-alert bot messages that name an alert", () => {
  it.each([
    "Silence created for kafka-consumer-lag-high by alice (expires in 2h)",
    ":mute: Silence expired: dlq-spike-critical",
    "Silenced memory-usage-high until 14:00 UTC",
    "PR merged: raise kafka-consumer-lag-high threshold to 80k (#412)",
    "Pull request #88 opened: fix checkpoint-failure-critical firing on restart",
    "[acme/pipeline] Pull request merged by bob\n#412 Fix dlq-spike-critical firing on replay",
    "Postmortem: kafka-broker-down-critical on 2024-04-29",
    "Post-mortem published for processing-latency-slo-breach (resolved)",
    "Incident review scheduled: window-completeness-low, Thursday 10:00",
  ])("%j opens nothing", (text) => {
    expect(matchEvent(bot(text), OPTIONS)).toEqual({ matches: [] });
  });

  it("an alert that mentions a silence or a deploy further down still opens", () => {
    const text =
      "[FIRING:1] kafka-consumer-lag-high (order-processor)\nSilence: https://am.example/#/silences/new";
    expect(matchEvent(bot(text), OPTIONS).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" },
    ]);
    expect(matchEvent(bot("dlq-spike-critical firing after the deploy of PR #12"), OPTIONS).matches).toEqual([
      { alert: "dlq-spike-critical", runbook: "dlq-spike", state: "firing" },
    ]);
  });
});

describe("qualifiers that cancel a match", () => {
  it.each([
    "kafka-consumer-lag-high-staging firing",
    "staging-kafka-consumer-lag-high firing",
    "memory-usage-high-canary firing",
    "canary_memory_usage_high firing",
    "dlq-spike-critical-test firing",
    "dlq-spike-critical.warning firing",
  ])("%j opens nothing by default", (text) => {
    expect(matchEvent(bot(text), OPTIONS)).toEqual({ matches: [] });
  });

  it("are configurable: an operator's own list replaces the defaults", () => {
    const options: MatchOptions = { ...OPTIONS, qualifiers: ["qa"] };
    expect(matchEvent(bot("memory-usage-high-qa firing"), options)).toEqual({ matches: [] });
    expect(matchEvent(bot("memory-usage-high-staging firing"), options).matches).toEqual([
      { alert: "memory-usage-high", runbook: "memory-usage", state: "firing" },
    ]);
  });

  it("a production prefix or region suffix is not a qualifier", () => {
    expect(matchEvent(bot("prod-memory-usage-high-us-east-1 firing"), OPTIONS).matches).toEqual([
      { alert: "memory-usage-high", runbook: "memory-usage", state: "firing" },
    ]);
  });
});

describe("the state is the transition's target", () => {
  function chatbotBlocks(from: string, to: string): Record<string, unknown> {
    return {
      type: "message",
      bot_id: "B07AWSCHAT",
      app_id: "A6L22LZNH",
      bot_profile: { id: "B07AWSCHAT", name: "Amazon Q Developer" },
      text: "",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: "CloudWatch alarm: prod-kafka-consumer-lag-high" },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: `Alarm state changed from *${from}* to *${to}*` },
        },
      ],
    };
  }

  it("blocks-only CloudWatch 'from *OK* to *ALARM*' is firing", () => {
    expect(matchEvent(chatbotBlocks("OK", "ALARM"), OPTIONS).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" },
    ]);
  });

  it("blocks-only CloudWatch 'from *ALARM* to *OK*' is resolved", () => {
    expect(matchEvent(chatbotBlocks("ALARM", "OK"), OPTIONS).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "resolved" },
    ]);
  });

  it("Old State: ALARM / Current State: OK fields under a fallback saying 'triggered' is resolved", () => {
    const event = bot("", {
      attachments: [
        {
          title: "kafka-consumer-lag-high",
          fields: [
            { title: "Old State", value: "ALARM", short: true },
            { title: "Current State", value: "OK", short: true },
          ],
          fallback: "kafka-consumer-lag-high triggered",
        },
      ],
    });
    expect(matchEvent(event, OPTIONS).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "resolved" },
    ]);
  });

  it("and the reverse (Old State: OK / Current State: ALARM under 'resolved') is firing", () => {
    const event = bot("", {
      attachments: [
        {
          title: "kafka-consumer-lag-high",
          fields: [
            { title: "Old State", value: "OK" },
            { title: "Current State", value: "ALARM" },
          ],
          fallback: "kafka-consumer-lag-high resolved",
        },
      ],
    });
    expect(matchEvent(event, OPTIONS).matches).toEqual([
      { alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" },
    ]);
  });
});
