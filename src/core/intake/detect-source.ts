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
import { isObject, type Obj, readArray, readObject, readString } from "./read-fields.ts";
import type { Source } from "./types.ts";

const NAME_RULES: readonly (readonly [RegExp, Source])[] = [
  [/grafana/i, "grafana"],
  [/alertmanager|prometheus/i, "alertmanager"],
  [/aws\s*chatbot|amazon\s*q\b|q\s*developer/i, "aws-chatbot"],
  [/pager\s*duty/i, "pagerduty"],
  [/opsgenie/i, "opsgenie"],
  [/datadog/i, "datadog"],
];

const LINK_RULES: readonly (readonly [RegExp, Source])[] = [
  [/\.pagerduty\.com\b/i, "pagerduty"],
  [/\.opsgenie\.com\b/i, "opsgenie"],
  [/\.datadoghq\.(?:com|eu)\b|\.ddog-gov\.com\b/i, "datadog"],
  [/console\.aws\.amazon\.com\/cloudwatch/i, "aws-chatbot"],
];

const SHAPE_RULES: readonly (readonly [RegExp, Source])[] = [
  [/CloudWatch Alarm\s*\|/i, "aws-chatbot"],
  [/^\s*\*\*(?:Firing|Resolved)\*\*\s*$|\[FIRING:\d+,\s*RESOLVED:\d+\]/im, "grafana"],
  [/\[(?:FIRING:\d+|RESOLVED)\]/, "alertmanager"],
  [/\[(?:Re-?)?(?:Triggered|Recovered|Warn|No Data)(?: on [^\]]*)?\]/i, "datadog"],
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
  rules: readonly (readonly [RegExp, Source])[],
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
