import { describe, expect, it } from "vitest";
import {
  BUILTIN_PATTERNS,
  compileExtraPatterns,
  findMentions,
  validateExtraPatterns,
} from "../../../src/core/intake/match-alerts.ts";

function alertsIn(line: string): string[] {
  return findMentions(line, BUILTIN_PATTERNS).map((m) => m.alert);
}

describe("alert name matching", () => {
  it.each([
    ["dlq-spike-critical", "dlq-spike-critical"],
    ["DLQ-SPIKE-CRITICAL", "dlq-spike-critical"],
    ["prod-eu1-dlq-spike-critical", "dlq-spike-critical"],
    ["dlq-spike-critical-us-east-1", "dlq-spike-critical"],
    ["Prod_DLQ_Spike_Critical", "dlq-spike-critical"],
    ["prod.dlq.spike.critical", "dlq-spike-critical"],
    ["DlqSpikeCritical", "dlq-spike-critical"],
    ["dlq spike critical", "dlq-spike-critical"],
    ["`dlq-spike-critical`", "dlq-spike-critical"],
    ["*checkpoint-failure-critical*", "checkpoint-failure-critical"],
    ["alertname=kafka-broker-down-critical,", "kafka-broker-down-critical"],
    ["(firehose-delivery-failure-critical)", "firehose-delivery-failure-critical"],
    ["Kafka Consumer Lag High", "kafka-consumer-lag-high"],
    ["processing‐latency‐slo‐breach", "processing-latency-slo-breach"],
    ["🔥window-completeness-low🔥", "window-completeness-low"],
    ["memory-usage-high-critical", "memory-usage-high"],
    ["prod-checkpoint-duration-high", "checkpoint-duration-high"],
    ["ünï-memory-usage-high", "memory-usage-high"],
  ])("%s names %s", (line, alert) => {
    expect(alertsIn(line)).toEqual([alert]);
  });

  it.each([
    "kafka-consumer-lag-warning",
    "dlq-spike-warning",
    "checkpoint-failure-high",
    "checkpoint-duration-critical",
    "kafka-consumer-lag",
    "consumer-lag",
    "dlq",
    "kafka-consumer-lag-higher",
    "xdlq-spike-critical",
    "dlq-spike-critical2",
    "memory-usage-high-test",
    "memory-usage-high_testing",
    "test-memory-usage-high",
    "dlq-spike-critical-warning",
    "window-completeness-lower",
    "kafka--consumer-lag-high",
    "memory usage  high",
  ])("%s names nothing", (line) => {
    expect(alertsIn(line)).toEqual([]);
  });

  it("finds several alerts in one line, in order", () => {
    expect(alertsIn("memory-usage-high and then kafka-consumer-lag-high, memory-usage-high")).toEqual([
      "memory-usage-high",
      "kafka-consumer-lag-high",
      "memory-usage-high",
    ]);
  });
});

describe("validateExtraPatterns", () => {
  it.each<[string, unknown, string[]]>([
    ["empty", {}, []],
    ["undefined", undefined, []],
    [
      "valid",
      { "consumer-lag": ["order-processor lag", "lag (above|over) \\d+"], "dlq-spike": ["dead.letter"] },
      [],
    ],
    [
      "invalid regex",
      { "consumer-lag": ["ok", "lag (unclosed"] },
      [
        "alerts.extraPatterns.consumer-lag[1]: invalid regular expression: missing closing ): `lag (unclosed`",
      ],
    ],
    [
      "unknown runbook id",
      { "consumer-lagg": ["x"] },
      [
        "alerts.extraPatterns.consumer-lagg: unknown runbook id (known: dlq-spike, checkpoint-failure, kafka-broker-down, firehose-delivery-failure, consumer-lag, latency-slo-breach, window-completeness, memory-usage, checkpoint-duration)",
      ],
    ],
    [
      "matches the empty string",
      { "memory-usage": ["a*"] },
      ["alerts.extraPatterns.memory-usage[0]: matches the empty string, so it would match every message"],
    ],
    [
      "not a list",
      { "memory-usage": "heap" },
      ["alerts.extraPatterns.memory-usage: must be a list of regular expressions"],
    ],
    [
      "empty string entry",
      { "memory-usage": [""] },
      ["alerts.extraPatterns.memory-usage[0]: must be a non-empty string"],
    ],
    [
      "not an object",
      ["x"],
      ["alerts.extraPatterns: must be an object of runbook id -> list of regular expressions"],
    ],
  ])("%s", (_name, patterns, problems) => {
    expect(validateExtraPatterns(patterns)).toEqual(problems);
  });
});

describe("extra patterns at match time", () => {
  it("skips invalid, empty-matching and unknown-runbook patterns instead of throwing", () => {
    const compiled = compileExtraPatterns({
      "consumer-lag": ["(unclosed", "x*", "behind by \\d+"],
      nope: ["anything"],
    });
    expect(compiled.map((p) => p.source)).toEqual(["behind by \\d+"]);
    expect(compiled[0]?.alert).toBe("kafka-consumer-lag-high");
  });

  it("matches case-insensitively and maps to the runbook's alert", () => {
    const patterns = compileExtraPatterns({ "memory-usage": ["taskmanager heap (above|over) \\d+%"] });
    expect(findMentions("TaskManager HEAP above 91%", patterns)).toEqual([
      { alert: "memory-usage-high", runbook: "memory-usage", start: 0, end: 26 },
    ]);
  });

  it("is reusable across calls (no lastIndex leaks)", () => {
    const patterns = compileExtraPatterns({ "dlq-spike": ["dead letters"] });
    for (let i = 0; i < 3; i += 1) {
      expect(findMentions("dead letters piling up", patterns)).toHaveLength(1);
    }
  });
});
