/**
 * Which tool posted a message. A person typed it (`human`) when it has a `user` and no `bot_id`,
 * `app_id`, `bot_profile` or `subtype: bot_message`. Otherwise the tool is recognised, in order:
 *  1. by name: `username` (the webhook's display name), `bot_profile.name`, then the attachments'
 *     `author_name`, `footer` and `service_name`;
 *  2. by links: attachment title/author links and link targets in `text` (pagerduty.com,
 *     opsgenie.com, datadoghq, console.aws.amazon.com, grafana);
 *  3. by content shape: `CloudWatch Alarm |` (AWS Chatbot), `**Firing**` sections or a
 *     `[FIRING:n, RESOLVED:m]` title (Grafana), `[FIRING:n]` / `[RESOLVED]` (Alertmanager),
 *     `[Triggered]` / `[Recovered]` (Datadog);
 *  4. otherwise `webhook`.
 */

import { type LinearRegex, linear } from "./linear-regex.ts";
import { isObject, type Obj, readArray, readObject, readString } from "./read-fields.ts";
import type { Source } from "./types.ts";

const I = { ignoreCase: true } as const;

// RE2 (linear time): these run on untrusted message text.
const NAME_RULES: readonly (readonly [LinearRegex, Source])[] = [
  [linear("grafana", I), "grafana"],
  [linear("alertmanager|prometheus", I), "alertmanager"],
  [linear(String.raw`aws\s*chatbot|amazon\s*q\b|q\s*developer`, I), "aws-chatbot"],
  [linear(String.raw`pager\s*duty`, I), "pagerduty"],
  [linear("opsgenie", I), "opsgenie"],
  [linear("datadog", I), "datadog"],
];

const LINK_RULES: readonly (readonly [LinearRegex, Source])[] = [
  [linear(String.raw`\.pagerduty\.com\b`, I), "pagerduty"],
  [linear(String.raw`\.opsgenie\.com\b`, I), "opsgenie"],
  [linear(String.raw`\.datadoghq\.(?:com|eu)\b|\.ddog-gov\.com\b`, I), "datadog"],
  [linear(String.raw`console\.aws\.amazon\.com/cloudwatch`, I), "aws-chatbot"],
];

const SHAPE_RULES: readonly (readonly [LinearRegex, Source])[] = [
  [linear(String.raw`CloudWatch Alarm\s*\|`, I), "aws-chatbot"],
  [
    linear(String.raw`^\s*\*\*(?:Firing|Resolved)\*\*\s*$|\[FIRING:\d+,\s*RESOLVED:\d+\]`, {
      ignoreCase: true,
      multiline: true,
    }),
    "grafana",
  ],
  [linear(String.raw`\[(?:FIRING:\d+|RESOLVED)\]`), "alertmanager"],
  [linear(String.raw`\[(?:Re-?)?(?:Triggered|Recovered|Warn|No Data)(?: on [^\]]*)?\]`, I), "datadog"],
];

/** How much of the raw `text` is searched for link targets. */
const LINK_SCAN_CHARS = 20_000;

/** True when a person typed the message (see the module comment). */
export function isHumanMessage(message: Obj): boolean {
  return typeof message.user === "string" && !isBotMessage(message);
}

function isBotMessage(message: Obj): boolean {
  return (
    message.subtype === "bot_message" ||
    typeof message.bot_id === "string" ||
    typeof message.app_id === "string" ||
    isObject(message.bot_profile)
  );
}

/** Detects the posting tool from the message's metadata and its extracted visible `text`. */
export function detectSource(message: Obj, text: string): Source {
  if (isHumanMessage(message)) return "human";
  return (
    firstRule(NAME_RULES, nameHints(message)) ??
    firstRule(LINK_RULES, linkHints(message)) ??
    firstRule(SHAPE_RULES, [text]) ??
    "webhook"
  );
}

function firstRule(
  rules: readonly (readonly [LinearRegex, Source])[],
  hints: readonly string[],
): Source | undefined {
  for (const hint of hints) {
    for (const [pattern, source] of rules) {
      if (pattern.test(hint)) return source;
    }
  }
  return undefined;
}

function nameHints(message: Obj): string[] {
  const hints = [
    readString(message, "username"),
    readString(readObject(message, "bot_profile") ?? {}, "name"),
  ];
  for (const attachment of attachmentsOf(message)) {
    hints.push(readString(attachment, "author_name"), readString(attachment, "footer"));
    hints.push(readString(attachment, "service_name"));
  }
  return hints.filter((hint): hint is string => hint !== undefined && hint.length > 0);
}

function linkHints(message: Obj): string[] {
  const hints: (string | undefined)[] = [];
  for (const attachment of attachmentsOf(message)) {
    hints.push(readString(attachment, "title_link"), readString(attachment, "author_link"));
  }
  hints.push(readString(message, "text")?.slice(0, LINK_SCAN_CHARS));
  return hints.filter((hint): hint is string => hint !== undefined && hint.length > 0);
}

/** The first attachments (enough to name the tool; a message rarely has more than a few). */
function attachmentsOf(message: Obj): Obj[] {
  return readArray(message, "attachments").slice(0, 20).filter(isObject);
}
