import { describe, expect, it } from "vitest";
import {
  bracketSignal,
  leadingLabelSignal,
  type Signal,
  sourceSignal,
  statusFieldSignal,
  transitionSignal,
  wordSignal,
} from "../../../src/core/intake/parse-state.ts";

describe("bracketSignal", () => {
  it.each<[string, Signal | undefined]>([
    ["[FIRING:2] x (y)", "firing"],
    ["[FIRING:1, RESOLVED:1] x", "firing"],
    ["[RESOLVED] x", "resolved"],
    ["[P1] [Triggered on {env:prod}] x", "firing"],
    ["[Re-Triggered] x", "firing"],
    ["[Warn on {host:a}] x", "firing"],
    ["[Recovered] x", "resolved"],
    ["[Warn Recovered] x", "resolved"],
    ["[No Data] x", "ignore"],
    ["[ALARM] x", "firing"],
    ["[OK] x", "resolved"],
    ["[#4711] x", undefined],
    ["no brackets", undefined],
  ])("%s", (text, signal) => {
    expect(bracketSignal(text)).toBe(signal);
  });
});

describe("transitionSignal", () => {
  it.each<[string, Signal | undefined]>([
    ["State change: OK -> ALARM", "firing"],
    ["(minimum 1 datapoint for ALARM -> OK transition)", "resolved"],
    ["OK → INSUFFICIENT_DATA", "ignore"],
    ["from INSUFFICIENT_DATA to ALARM", "firing"],
    ["is it ok to alarm people?", undefined],
  ])("%s", (text, signal) => {
    expect(transitionSignal(text)).toBe(signal);
  });
});

describe("statusFieldSignal", () => {
  it.each<[string, Signal | undefined]>([
    ["Status: Resolved", "resolved"],
    ["*Status:* Triggered", "firing"],
    ["*Status*: acknowledged", "firing"],
    ["Current State: OK", "resolved"],
    ["Old State: ALARM\nCurrent State: OK", "resolved"],
    ["status=firing", "firing"],
    ["Status: Open", "firing"],
    ["Status: Closed", "resolved"],
    ["status_code=500", undefined],
    ["Status: degraded", undefined],
  ])("%s", (text, signal) => {
    expect(statusFieldSignal(text)).toBe(signal);
  });
});

describe("leadingLabelSignal", () => {
  it.each<[string, Signal | undefined]>([
    ["RESOLVED: x", "resolved"],
    [":rotating_light: Triggered - x", "firing"],
    ["ALARM: x", "firing"],
    ["  OK | x", "resolved"],
    ["x resolved: y", undefined],
  ])("%s", (text, signal) => {
    expect(leadingLabelSignal(text)).toBe(signal);
  });
});

describe("wordSignal", () => {
  it.each<[string, Signal | undefined]>([
    ["firing", "firing"],
    ["is firing again", "firing"],
    ["triggered at 09:12", "firing"],
    ["resolved", "resolved"],
    ["recovered", "resolved"],
    ["cleared", "resolved"],
    ["closed", "resolved"],
    ["OK now", "resolved"],
    ["not resolved yet", "firing"],
    ["is not yet resolved", "firing"],
    ["no longer firing", "resolved"],
    ["state ALARM", "firing"],
    ["the alarm clock", undefined],
    [":ok_hand:", undefined],
    ["lag 72341 above 50000", undefined],
  ])("%s", (text, signal) => {
    expect(wordSignal(text)).toBe(signal);
  });
});

describe("sourceSignal", () => {
  it.each<[Parameters<typeof sourceSignal>[0], string, Signal | undefined]>([
    ["aws-chatbot", "CloudWatch Alarm | x | us-east-1\nState Change: ALARM -> OK", "resolved"],
    ["aws-chatbot", "CloudWatch Alarm | x\nState: ALARM", "firing"],
    ["aws-chatbot", "CloudWatch Alarm | x\nnow in ALARM", "firing"],
    ["aws-chatbot", "CloudWatch Alarm | x", undefined],
    ["pagerduty", "#1 [FIRING:1] x\nStatus: Resolved", "resolved"],
    ["pagerduty", "Acknowledged by @dana: #1 x", "firing"],
    ["opsgenie", "Alert closed by Dana\n#1: x", "resolved"],
    ["opsgenie", "Alert created\n#1: x", "firing"],
    ["datadog", "[P1] [Recovered on {env:prod}] x", "resolved"],
    ["grafana", "[FIRING:1] x", undefined],
    ["webhook", "x firing", undefined],
  ])("%s: %s", (source, text, signal) => {
    expect(sourceSignal(source, text)).toBe(signal);
  });
});
