/**
 * Which alerts a message's text names, and the state of each.
 *
 * Every mention of an alert gets candidate states from the scopes around it, each with a rank;
 * the highest-ranked scope that says anything decides:
 *   5. section: the mention sits under a `**Firing**` / `**Resolved**` header line (Grafana's
 *      default message; also `Firing alerts:` headers of custom templates) in the same chunk;
 *   4. source: the tool's own status for the whole message (see `sourceSignal`: AWS Chatbot's
 *      state change, PagerDuty's and Opsgenie's status, Datadog's leading tag);
 *   3. line: the mention's line: a status tag (`[FIRING:2]`, `[RESOLVED]`), a state change
 *      (`OK -> ALARM`), a `Status:` field, a leading label (`RESOLVED: ...`), then a status word
 *      after the mention (up to the next mention), then one before it;
 *   2. paragraph: a status tag, state change or `Status:` field in the mention's paragraph
 *      (custom templates that print `*Status:* resolved` under each alert);
 *   1. message: the first tag, state change, field, then status word anywhere in the message;
 *   0. default: firing.
 * When one alert is mentioned several times, the highest rank over all mentions wins, and within
 * that rank firing beats resolved (one instance still firing keeps the alert firing): a Grafana
 * message listing the alert under both `**Firing**` and `**Resolved**` reports it firing. If the
 * deciding scope only says "no data" / `INSUFFICIENT_DATA`, the alert is not reported.
 * URLs and the alert names themselves are blanked out before status words are read, so
 * `receiver=...resolved` in a link or a prefix like `ok-` cannot flip a state.
 */
import { type AlertPattern, findMentions, type Mention } from "./match-alerts.ts";
import {
  bracketSignal,
  leadingLabelSignal,
  type Signal,
  sourceSignal,
  statusFieldSignal,
  textSignal,
  transitionSignal,
  wordSignal,
} from "./parse-state.ts";
import type { AlertMatch, Source } from "./types.ts";

const RANK_SECTION = 5;
const RANK_SOURCE = 4;
const RANK_LINE = 3;
const RANK_PARAGRAPH = 2;
const RANK_MESSAGE = 1;
const RANK_DEFAULT = 0;

/** Section headers are short lines; longer lines are not tested (bounded work). */
const SECTION_HEADER_MAX = 80;
const SECTION_HEADER = /^[\s*_~>#]*(firing|resolved)(?:\s+alerts?)?(?:\s*\(\d+\)|\s*:\s*\d+)?[\s*_~:]*$/i;
const URL = /\b(?:https?|ftp):\/\/[^\s<>"')\]]+/gi;

interface Candidate {
  readonly rank: number;
  readonly signal: Signal;
}

interface AlertTally {
  readonly runbook: string;
  rank: number;
  readonly signals: Set<Signal>;
}

/** Replaces each URL and each mention with spaces (same length, so positions still line up). */
function blank(line: string, mentions: readonly Mention[]): string {
  const masked = line.replace(URL, (url) => " ".repeat(url.length));
  if (mentions.length === 0) return masked;
  const parts: string[] = [];
  let at = 0;
  for (const mention of mentions) {
    if (mention.end <= at) continue;
    const start = Math.max(at, mention.start);
    parts.push(masked.slice(at, start), " ".repeat(mention.end - start));
    at = mention.end;
  }
  parts.push(masked.slice(at));
  return parts.join("");
}

/** Line-wide signals, read once per line: tags, state changes, fields, a leading label. */
function wholeLineSignal(masked: string): Signal | undefined {
  return (
    bracketSignal(masked) ??
    transitionSignal(masked) ??
    statusFieldSignal(masked) ??
    leadingLabelSignal(masked)
  );
}

/** Free status words after the mention (up to the next one), else before it (from the previous one). */
function nearbyWordSignal(masked: string, mentions: readonly Mention[], index: number): Signal | undefined {
  const mention = mentions[index];
  if (mention === undefined) return undefined;
  const after = masked.slice(mention.end, Math.max(mention.end, mentions[index + 1]?.start ?? masked.length));
  const before = masked.slice(Math.min(mention.start, mentions[index - 1]?.end ?? 0), mention.start);
  return wordSignal(after) ?? wordSignal(before);
}

function structuredSignal(text: string): Signal | undefined {
  return bracketSignal(text) ?? transitionSignal(text) ?? statusFieldSignal(text);
}

interface PendingMention {
  readonly mention: Mention;
  readonly candidates: Candidate[];
}

/** Reads one chunk: mentions with their section/line/paragraph candidates, and its masked text. */
function readChunk(chunk: string, patterns: readonly AlertPattern[], out: PendingMention[]): string {
  const maskedLines: string[] = [];
  let section: Signal | undefined;
  let paragraphMentions: PendingMention[] = [];
  let paragraphLines: string[] = [];
  const closeParagraph = (): void => {
    const signal = paragraphMentions.length > 0 ? structuredSignal(paragraphLines.join("\n")) : undefined;
    if (signal !== undefined) {
      for (const pending of paragraphMentions) pending.candidates.push({ rank: RANK_PARAGRAPH, signal });
    }
    paragraphMentions = [];
    paragraphLines = [];
  };

  for (const line of chunk.split("\n")) {
    if (line.trim().length === 0) {
      closeParagraph();
      maskedLines.push(line);
      continue;
    }
    const header = line.length <= SECTION_HEADER_MAX ? SECTION_HEADER.exec(line)?.[1] : undefined;
    if (header !== undefined) {
      closeParagraph();
      section = header.toLowerCase() === "firing" ? "firing" : "resolved";
      maskedLines.push(line);
      continue;
    }
    const mentions = findMentions(line, patterns);
    const masked = blank(line, mentions);
    maskedLines.push(masked);
    paragraphLines.push(masked);
    const lineWide = mentions.length > 0 ? wholeLineSignal(masked) : undefined;
    mentions.forEach((mention, index) => {
      const candidates: Candidate[] = [];
      if (section !== undefined) candidates.push({ rank: RANK_SECTION, signal: section });
      const signal = lineWide ?? nearbyWordSignal(masked, mentions, index);
      if (signal !== undefined) candidates.push({ rank: RANK_LINE, signal });
      const pending = { mention, candidates };
      paragraphMentions.push(pending);
      out.push(pending);
    });
  }
  closeParagraph();
  return maskedLines.join("\n");
}

function decide(signals: ReadonlySet<Signal>): Signal {
  if (signals.has("firing")) return "firing";
  if (signals.has("resolved")) return "resolved";
  return "ignore";
}

/**
 * The alerts the text chunks name, in order of first mention, one entry per alert, with states
 * decided as described in the module comment.
 */
export function parseAlerts(
  chunks: readonly string[],
  source: Source,
  patterns: readonly AlertPattern[],
): AlertMatch[] {
  const pending: PendingMention[] = [];
  const masked = chunks.map((chunk) => readChunk(chunk, patterns, pending)).join("\n");
  if (pending.length === 0) return [];

  const global: Candidate[] = [{ rank: RANK_DEFAULT, signal: "firing" }];
  const fromSource = sourceSignal(source, masked);
  if (fromSource !== undefined) global.push({ rank: RANK_SOURCE, signal: fromSource });
  const fromMessage = textSignal(masked);
  if (fromMessage !== undefined) global.push({ rank: RANK_MESSAGE, signal: fromMessage });

  const tallies = new Map<string, AlertTally>();
  for (const { mention, candidates } of pending) {
    let tally = tallies.get(mention.alert);
    if (tally === undefined) {
      tally = { runbook: mention.runbook, rank: -1, signals: new Set() };
      tallies.set(mention.alert, tally);
    }
    for (const candidate of [...candidates, ...global]) {
      if (candidate.rank > tally.rank) {
        tally.rank = candidate.rank;
        tally.signals.clear();
      }
      if (candidate.rank === tally.rank) tally.signals.add(candidate.signal);
    }
  }

  const matches: AlertMatch[] = [];
  for (const [alert, tally] of tallies) {
    const state = decide(tally.signals);
    if (state !== "ignore") matches.push({ alert, runbook: tally.runbook, state });
  }
  return matches;
}
