import { describe, expect, it } from "vitest";
import { detectSource, isHumanMessage } from "../../../src/core/intake/detect-source.ts";
import type { Source } from "../../../src/core/intake/types.ts";

const bot = { subtype: "bot_message", bot_id: "B1" };

describe("detectSource", () => {
  it.each<[string, Record<string, unknown>, string, Source]>([
    ["a person", { user: "U1", text: "hi" }, "hi", "human"],
    ["a person pasting an Alertmanager title", { user: "U1" }, "[FIRING:1] dlq-spike-critical", "human"],
    ["an app's bot user (user + bot_id)", { user: "U2", bot_id: "B2", app_id: "A2" }, "", "webhook"],
    ["bot_profile only", { user: "U2", bot_profile: { name: "Something" } }, "", "webhook"],
    ["no user and no bot", {}, "", "webhook"],
    ["username Alertmanager", { ...bot, username: "Alertmanager" }, "", "alertmanager"],
    ["username Prometheus Alertmanager", { ...bot, username: "Prometheus Alertmanager" }, "", "alertmanager"],
    ["username Grafana", { ...bot, username: "Grafana" }, "", "grafana"],
    ["bot_profile AWS Chatbot", { ...bot, bot_profile: { name: "AWS Chatbot" } }, "", "aws-chatbot"],
    [
      "bot_profile Amazon Q Developer",
      { ...bot, bot_profile: { name: "Amazon Q Developer" } },
      "",
      "aws-chatbot",
    ],
    ["bot_profile PagerDuty", { ...bot, bot_profile: { name: "PagerDuty" } }, "", "pagerduty"],
    ["bot_profile Opsgenie", { ...bot, bot_profile: { name: "Opsgenie" } }, "", "opsgenie"],
    ["bot_profile Datadog", { ...bot, bot_profile: { name: "Datadog" } }, "", "datadog"],
    [
      "username wins over bot_profile",
      { ...bot, username: "Alertmanager", bot_profile: { name: "incoming-webhook" } },
      "",
      "alertmanager",
    ],
    ["attachment footer", { ...bot, attachments: [{ footer: "Grafana v11.3.1" }] }, "", "grafana"],
    ["attachment author", { ...bot, attachments: [{ author_name: "Datadog" }] }, "", "datadog"],
    [
      "PagerDuty link",
      { ...bot, attachments: [{ title_link: "https://acme.pagerduty.com/incidents/Q1" }] },
      "",
      "pagerduty",
    ],
    [
      "Opsgenie link in text",
      { ...bot, text: "<https://acme.app.opsgenie.com/alert/detail/1|#1>" },
      "#1",
      "opsgenie",
    ],
    [
      "Datadog link",
      { ...bot, attachments: [{ title_link: "https://app.datadoghq.eu/monitors/1" }] },
      "",
      "datadog",
    ],
    [
      "CloudWatch console link",
      { ...bot, attachments: [{ title_link: "https://console.aws.amazon.com/cloudwatch/home" }] },
      "",
      "aws-chatbot",
    ],
    ["CloudWatch Alarm | shape", bot, "CloudWatch Alarm | prod-x | us-east-1", "aws-chatbot"],
    ["Grafana sections shape", bot, "[FIRING:1] x\n**Firing**\nLabels:", "grafana"],
    ["Grafana mixed title shape", bot, "[FIRING:1, RESOLVED:2] x", "grafana"],
    ["Alertmanager title shape", bot, "[RESOLVED] x (y)", "alertmanager"],
    ["Datadog tag shape", bot, "[Triggered on {host:a}] x", "datadog"],
    ["any other bot", { ...bot, username: "argo-cd" }, "Deploy finished", "webhook"],
  ])("%s", (_name, message, text, expected) => {
    expect(detectSource(message, text)).toBe(expected);
  });

  it("isHumanMessage needs a user and no bot markers", () => {
    expect(isHumanMessage({ user: "U1" })).toBe(true);
    expect(isHumanMessage({ user: "U1", subtype: "bot_message" })).toBe(false);
    expect(isHumanMessage({ user: "U1", app_id: "A1" })).toBe(false);
    expect(isHumanMessage({ text: "no user" })).toBe(false);
  });
});
