/**
 * Reading "firing" or "resolved" from text. Each reader returns the first signal it finds, or
 * undefined. `ignore` means the alert is neither firing nor resolved (CloudWatch
 * `INSUFFICIENT_DATA`, Datadog `[No Data]`): the matcher then reports nothing for it.
 */

import { firstStatusWord } from "./free-words.ts";
import { type LinearRegex, linear } from "./linear-regex.ts";
import { blankEmojiCodes, mayOpenWithLabel, transitionTarget } from "./state-scanners.ts";
import { findStatusField } from "./status-field.ts";
import type { AlertState, Source } from "./types.ts";

export type Signal = AlertState | "ignore";

/** Status words and what they mean, for `Status: X` fields and free text. */
const WORD_STATES: Readonly<Record<string, Signal>> = {
  firing: "firing",
  fired: "firing",
  triggered: "firing",
  retriggered: "firing",
  "re-triggered": "firing",
  alarm: "firing",
  alerting: "firing",
  acknowledged: "firing",
  escalated: "firing",
  open: "firing",
  opened: "firing",
  reopened: "firing",
  "re-opened": "firing",
  created: "firing",
  active: "firing",
  resolved: "resolved",
  recovered: "resolved",
  cleared: "resolved",
  closed: "resolved",
  ok: "resolved",
  insufficient_data: "ignore",
};

function stateOfWord(word: string): Signal | undefined {
  return WORD_STATES[word.toLowerCase()];
}

function negate(signal: Signal): Signal {
  if (signal === "firing") return "resolved";
  if (signal === "resolved") return "firing";
  return signal;
}

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/** `word` at the start of `text`, followed by a word boundary (`\b`). */
function leads(text: string, word: string): boolean {
  return text.startsWith(word) && !isWordChar(text.charCodeAt(word.length));
}

const BRACKET_RESOLVED = ["", "warn ", "warning ", "alert ", "no data "].flatMap((prefix) => [
  `${prefix}resolved`,
  `${prefix}recovered`,
]);
const BRACKET_IGNORE = ["no data", "nodata", "insufficient_data"];
const BRACKET_FIRING = [
  "triggered",
  "retriggered",
  "re-triggered",
  "notify",
  "renotify",
  "re-notify",
  "warn",
  "warning",
  "alarm",
  "alerting",
];

/** The status a bracket's inside (trimmed, lower case) names, if any. */
function bracketWord(inner: string): Signal | undefined {
  if (leads(inner, "firing")) return "firing";
  if (leads(inner, "ok") || BRACKET_RESOLVED.some((word) => leads(inner, word))) return "resolved";
  if (BRACKET_IGNORE.some((word) => leads(inner, word))) return "ignore";
  if (BRACKET_FIRING.some((word) => leads(inner, word))) return "firing";
  return undefined;
}

/** Longest bracket inside read (a `[` without its `]` within this reach is not a tag). */
const BRACKET_MAX = 120;

/**
 * Bracketed status tags: Alertmanager/Grafana `[FIRING:2]`, `[FIRING:1, RESOLVED:1]` (firing
 * while anything fires), `[RESOLVED]`; Datadog `[Triggered on {host:a}]`, `[Re-Triggered]`,
 * `[Warn]` (firing), `[Recovered]`, `[Warn Recovered]` (resolved), `[No Data]` (ignore); and
 * `[ALARM]`, `[OK]`, `[INSUFFICIENT_DATA]`. Brackets without a status word (`[P1]`) are skipped.
 * A hand scanner: each `[` looks at most {@link BRACKET_MAX} characters ahead (linear time).
 */
export function bracketSignal(text: string): Signal | undefined {
  let open = text.indexOf("[");
  while (open !== -1) {
    let close = open + 1;
    while (close < text.length && close - open <= BRACKET_MAX + 1) {
      const code = text.charCodeAt(close);
      if (code === 91 || code === 93 || code === 10) break; // [ ] \n
      close += 1;
    }
    if (text.charCodeAt(close) === 93 && close - open >= 2 && close - open <= BRACKET_MAX + 1) {
      const signal = bracketWord(
        text
          .slice(open + 1, close)
          .trim()
          .toLowerCase(),
      );
      if (signal !== undefined) return signal;
      open = text.indexOf("[", close + 1);
    } else {
      open = text.indexOf("[", open + 1);
    }
  }
  return undefined;
}

/**
 * CloudWatch state changes, read from the target: `OK -> ALARM` (firing), `ALARM -> OK`,
 * `from *ALARM* to *OK*` (resolved), `... -> INSUFFICIENT_DATA` (ignore).
 */
export function transitionSignal(text: string): Signal | undefined {
  const to = transitionTarget(text);
  return to === undefined ? undefined : stateOfWord(to);
}

function fieldSignal(text: string, targetOnly: boolean): Signal | undefined {
  const value = findStatusField(text, (word) => stateOfWord(word) !== undefined, targetOnly);
  return value === undefined ? undefined : stateOfWord(value);
}

/** `Status: Resolved`, `*State:* ALARM`, `Current State: OK`, `status=firing` (not `Old State:`). */
export function statusFieldSignal(text: string): Signal | undefined {
  return fieldSignal(text, false);
}

/**
 * The state a message says it moved to: a state change (`OK -> ALARM`, `from *ALARM* to *OK*`)
 * or a `Current State:` / `New State:` field. Never the old state, never a loose word.
 */
export function targetSignal(text: string): Signal | undefined {
  return transitionSignal(text) ?? fieldSignal(text, true);
}

const LEADING_LABEL = linear(
  String.raw`^[^\pL\pN]*(firing|resolved|recovered|triggered|cleared|closed|ok|alarm)[ \t]*[:\-–|]`,
  {
    ignoreCase: true,
    anyOf: ["firing", "resolved", "recovered", "triggered", "cleared", "closed", "ok", "alarm"],
  },
);

/** A line that starts with a status label: `RESOLVED: x`, `:rotating_light: Triggered - x`, `ALARM: x`. */
export function leadingLabelSignal(line: string): Signal | undefined {
  const head = blankEmojiCodes(line.slice(0, 200));
  const word = mayOpenWithLabel(head) ? LEADING_LABEL.exec(head)?.groups[0] : undefined;
  return word === undefined ? undefined : stateOfWord(word);
}

/**
 * The first status word in free text: firing/fired/triggered/alerting/acknowledged/escalated/
 * reopened/`ALARM` (upper case only) -> firing; resolved/recovered/cleared/closed/ok -> resolved.
 * A negation just before flips it (`not resolved` -> firing, `no longer firing` -> resolved).
 */
export function wordSignal(text: string): Signal | undefined {
  const found = firstStatusWord(text);
  const signal = found === undefined ? undefined : stateOfWord(found.word);
  if (found === undefined || signal === undefined) return undefined;
  return found.negated ? negate(signal) : signal;
}

/** The strongest signal of a stretch of text: tags, then state changes, then fields, then words. */
export function textSignal(text: string): Signal | undefined {
  return bracketSignal(text) ?? transitionSignal(text) ?? statusFieldSignal(text) ?? wordSignal(text);
}

function firstWord(text: string, pattern: LinearRegex): Signal | undefined {
  const word = pattern.exec(text)?.groups[0];
  return word === undefined ? undefined : stateOfWord(word);
}

const CHATBOT_WORD = linear(String.raw`\b(ALARM|OK|INSUFFICIENT_DATA)\b`);
const PAGERDUTY_WORD = linear(String.raw`\b(triggered|acknowledged|resolved)\b`, { ignoreCase: true });
const OPSGENIE_WORD = linear(String.raw`\b(created|acknowledged|escalated|re-?opened|closed)\b`, {
  ignoreCase: true,
});

/**
 * The tool's own status for the whole message, for tools that post one alert per message and
 * whose status outranks anything quoted inside the alert's title (a PagerDuty incident titled
 * `[FIRING:1] ...` that is now Resolved is resolved):
 * - AWS Chatbot: the state change (`OK -> ALARM`), a `State:` field, or an upper-case
 *   `ALARM` / `OK` / `INSUFFICIENT_DATA`.
 * - PagerDuty: a `Status:` field, else the first of Triggered / Acknowledged / Resolved.
 * - Opsgenie: a `Status:` field, else the first of created / acknowledged / escalated /
 *   reopened / closed (`Alert created`, `Alert closed`).
 * - Datadog: the first status tag (`[Triggered]`, `[Recovered]`, `[Warn]`, `[No Data]`), else
 *   a `Status:` field.
 */
export function sourceSignal(source: Source, text: string): Signal | undefined {
  switch (source) {
    case "aws-chatbot":
      return transitionSignal(text) ?? statusFieldSignal(text) ?? firstWord(text, CHATBOT_WORD);
    case "pagerduty":
      return statusFieldSignal(text) ?? firstWord(text, PAGERDUTY_WORD);
    case "opsgenie":
      return statusFieldSignal(text) ?? firstWord(text, OPSGENIE_WORD);
    case "datadog":
      return bracketSignal(text) ?? statusFieldSignal(text);
    default:
      return undefined;
  }
}
