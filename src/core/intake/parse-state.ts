/**
 * Reading "firing" or "resolved" from text. Each reader returns the first signal it finds, or
 * undefined. `ignore` means the alert is neither firing nor resolved (CloudWatch
 * `INSUFFICIENT_DATA`, Datadog `[No Data]`): the matcher then reports nothing for it.
 */
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

/**
 * Bracketed status tags: Alertmanager/Grafana `[FIRING:2]`, `[FIRING:1, RESOLVED:1]` (firing
 * while anything fires), `[RESOLVED]`; Datadog `[Triggered on {host:a}]`, `[Re-Triggered]`,
 * `[Warn]` (firing), `[Recovered]`, `[Warn Recovered]` (resolved), `[No Data]` (ignore); and
 * `[ALARM]`, `[OK]`, `[INSUFFICIENT_DATA]`. Brackets without a status word (`[P1]`) are skipped.
 */
export function bracketSignal(text: string): Signal | undefined {
  const brackets = /\[([^[\]\n]{1,120})\]/g;
  for (let match = brackets.exec(text); match !== null; match = brackets.exec(text)) {
    const inner = (match[1] ?? "").trim().toLowerCase();
    if (/^firing\b/.test(inner)) return "firing";
    if (/^(?:(?:warn|warning|alert|no data) )?(?:resolved|recovered)\b|^ok\b/.test(inner)) return "resolved";
    if (/^(?:no data|nodata|insufficient_data)\b/.test(inner)) return "ignore";
    if (/^(?:re-?)?(?:triggered|notify)\b|^renotify\b|^warn(?:ing)?\b|^alarm\b|^alerting\b/.test(inner)) {
      return "firing";
    }
  }
  return undefined;
}

const TRANSITION = /\b(OK|ALARM|INSUFFICIENT_DATA)\s*(?:->|→|=>|to)\s*(OK|ALARM|INSUFFICIENT_DATA)\b/;

/** CloudWatch state changes: `OK -> ALARM` (firing), `ALARM -> OK` (resolved), `... -> INSUFFICIENT_DATA` (ignore). */
export function transitionSignal(text: string): Signal | undefined {
  const to = TRANSITION.exec(text)?.[2];
  return to === undefined ? undefined : stateOfWord(to);
}

const STATUS_FIELD =
  /(?<!\b(?:old|previous|prior|from)[ _]?)\b(?:(?:new|current)[ _]?)?(?:state|status)\**\s*[:=]\s*[*_`]*\s*([a-z][a-z_-]*)/gi;

/** `Status: Resolved`, `*State:* ALARM`, `Current State: OK`, `status=firing` (not `Old State:`). */
export function statusFieldSignal(text: string): Signal | undefined {
  STATUS_FIELD.lastIndex = 0;
  for (let match = STATUS_FIELD.exec(text); match !== null; match = STATUS_FIELD.exec(text)) {
    const signal = stateOfWord(match[1] ?? "");
    if (signal !== undefined) return signal;
  }
  return undefined;
}

const EMOJI_CODE = /:[a-z0-9_+-]{1,64}:/gi;
const LEADING_LABEL =
  /^[^\p{L}\p{N}]*(firing|resolved|recovered|triggered|cleared|closed|ok|alarm)[ \t]*[:\-–|]/iu;

/** A line that starts with a status label: `RESOLVED: x`, `:rotating_light: Triggered - x`, `ALARM: x`. */
export function leadingLabelSignal(line: string): Signal | undefined {
  const word = LEADING_LABEL.exec(line.slice(0, 200).replace(EMOJI_CODE, " "))?.[1];
  return word === undefined ? undefined : stateOfWord(word);
}

const FREE_WORD =
  /(\b(?:not|never|no longer|isn't|wasn't|hasn't|haven't|aren't|is not|has not)\s+(?:(?:yet|been|fully|be)\s+)*)?\b(re-?triggered|triggered|firing|fired|alerting|alarm|acknowledged|escalated|re-?opened|resolved|recovered|cleared|closed|ok|insufficient_data)\b/gi;

/**
 * The first status word in free text: firing/fired/triggered/alerting/acknowledged/escalated/
 * reopened/`ALARM` (upper case only) -> firing; resolved/recovered/cleared/closed/ok -> resolved.
 * A negation just before flips it (`not resolved` -> firing, `no longer firing` -> resolved).
 */
export function wordSignal(text: string): Signal | undefined {
  FREE_WORD.lastIndex = 0;
  for (let match = FREE_WORD.exec(text); match !== null; match = FREE_WORD.exec(text)) {
    const word = match[2] ?? "";
    if (word.toLowerCase() === "alarm" && word !== "ALARM") continue;
    const signal = stateOfWord(word);
    if (signal !== undefined) return match[1] === undefined ? signal : negate(signal);
  }
  return undefined;
}

/** The strongest signal of a stretch of text: tags, then state changes, then fields, then words. */
export function textSignal(text: string): Signal | undefined {
  return bracketSignal(text) ?? transitionSignal(text) ?? statusFieldSignal(text) ?? wordSignal(text);
}

function firstWord(text: string, pattern: RegExp): Signal | undefined {
  const word = pattern.exec(text)?.[1];
  return word === undefined ? undefined : stateOfWord(word);
}

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
      return (
        transitionSignal(text) ??
        statusFieldSignal(text) ??
        firstWord(text, /\b(ALARM|OK|INSUFFICIENT_DATA)\b/)
      );
    case "pagerduty":
      return statusFieldSignal(text) ?? firstWord(text, /\b(triggered|acknowledged|resolved)\b/i);
    case "opsgenie":
      return (
        statusFieldSignal(text) ?? firstWord(text, /\b(created|acknowledged|escalated|re-?opened|closed)\b/i)
      );
    case "datadog":
      return bracketSignal(text) ?? statusFieldSignal(text);
    default:
      return undefined;
  }
}
