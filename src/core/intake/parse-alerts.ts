/**
 * Which alerts a message's text names, and the state of each.
 *
 * A message whose opening says it is no alert (a silence, a PR, a postmortem: see
 * alert-shape.ts) announces nothing. Otherwise every mention of an alert gets candidate states
 * from the scopes around it, each with a rank; the highest-ranked scope that says anything decides:
 *   7. section: the mention sits under a `**Firing**` / `**Resolved**` header line (Grafana's
 *      default message; also `Firing alerts:` headers of custom templates) in the same chunk;
 *   6. source: the tool's own status for the whole message (see `sourceSignal`: AWS Chatbot's
 *      state change, PagerDuty's and Opsgenie's status, Datadog's leading tag);
 *   5. line: the mention's line: a status tag (`[FIRING:2]`, `[RESOLVED]`), a state change
 *      (`OK -> ALARM`), a `Status:` field, a leading label (`RESOLVED: ...`);
 *   4. target: the state the message says it moved to, anywhere in it: a state change
 *      (`OK -> ALARM`, `from *ALARM* to *OK*`) or a `Current State:` / `New State:` field, so a
 *      fallback saying "triggered" cannot outvote `Current State: OK`;
 *   3. line words: a status word after the mention (up to the next mention), else one before it;
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
import type { Qualifiers } from "./alert-names.ts";
import { opensAsNonAlert } from "./alert-shape.ts";
import { linear } from "./linear-regex.ts";
import { type AlertPattern, findMentions, type Mention } from "./match-alerts.ts";
import {
  bracketSignal,
  leadingLabelSignal,
  type Signal,
  sourceSignal,
  statusFieldSignal,
  targetSignal,
  textSignal,
  transitionSignal,
  wordSignal,
} from "./parse-state.ts";
import type { AlertMatch, Source } from "./types.ts";

const RANK_SECTION = 7;
const RANK_SOURCE = 6;
const RANK_LINE = 5;
const RANK_TARGET = 4;
const RANK_LINE_WORD = 3;
const RANK_PARAGRAPH = 2;
const RANK_MESSAGE = 1;
const RANK_DEFAULT = 0;

/** Section headers are short lines; longer lines are not tested (bounded work). */
const SECTION_HEADER_MAX = 80;
// RE2 (linear time), like every pattern intake runs on message text.
const SECTION_HEADER = linear(
  String.raw`^[\s*_~>#]*(firing|resolved)(?:\s+alerts?)?(?:\s*\(\d+\)|\s*:\s*\d+)?[\s*_~:]*$`,
  { ignoreCase: true },
);

/** A section header line: short, and naming firing or resolved (cheap checks before RE2). */
function sectionHeader(line: string): string | undefined {
  if (line.length > SECTION_HEADER_MAX) return undefined;
  const lower = line.toLowerCase();
  if (!lower.includes("firing") && !lower.includes("resolved")) return undefined;
  return SECTION_HEADER.exec(line)?.groups[0];
}

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
  const masked = blankUrls(line);
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

const SCHEMES = ["https", "http", "ftp"];

/**
 * `line` with each URL (`http://`, `https://`, `ftp://` up to a space, `<`, `>`, `"`, `'`, `)` or
 * `]`) replaced by spaces: a hand scanner, linear in the line.
 */
export function blankUrls(line: string): string {
  let marker = line.indexOf("://");
  if (marker === -1) return line;
  const parts: string[] = [];
  let copied = 0;
  while (marker !== -1) {
    const before = line.slice(Math.max(copied, marker - 5), marker).toLowerCase();
    const scheme = SCHEMES.find((name) => before.endsWith(name));
    const start = marker - (scheme?.length ?? 0);
    const whole = scheme !== undefined && (start === 0 || !isWordCode(line.charCodeAt(start - 1)));
    let end = marker + 3;
    // Scanned only for a real scheme, and never again: linear.
    while (whole && end < line.length && !URL_END.has(line.charCodeAt(end))) end += 1;
    if (whole && end > marker + 3) {
      parts.push(line.slice(copied, start), " ".repeat(end - start));
      copied = end;
      marker = line.indexOf("://", end);
    } else {
      marker = line.indexOf("://", marker + 3);
    }
  }
  parts.push(line.slice(copied));
  return parts.join("");
}

// Whitespace (as \s: ASCII and Unicode spaces) and < > " ' ) ] end a URL.
const URL_END = new Set(
  [..." \t\n\v\f\r<>\"')]\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"].map((char) => char.charCodeAt(0)),
);
for (let code = 0x2000; code <= 0x200a; code += 1) URL_END.add(code);

function isWordCode(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
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
  /** Where the mention starts in the whole masked text (chunks joined by newlines). */
  readonly offset: number;
  readonly candidates: Candidate[];
}

/**
 * Reads one chunk: mentions with their section/line/paragraph candidates, and its masked text.
 * `base` is where the chunk starts in the whole text.
 */
function readChunk(
  chunk: string,
  base: number,
  patterns: readonly AlertPattern[],
  qualifiers: Qualifiers | undefined,
  out: PendingMention[],
): string {
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

  let lineStart = base;
  for (const line of chunk.split("\n")) {
    const offset = lineStart;
    lineStart += line.length + 1;
    if (line.trim().length === 0) {
      closeParagraph();
      maskedLines.push(line);
      continue;
    }
    const header = sectionHeader(line);
    if (header !== undefined) {
      closeParagraph();
      section = header.toLowerCase() === "firing" ? "firing" : "resolved";
      maskedLines.push(line);
      continue;
    }
    const mentions = findMentions(line, patterns, qualifiers);
    const masked = blank(line, mentions);
    maskedLines.push(masked);
    paragraphLines.push(masked);
    const lineWide = mentions.length > 0 ? wholeLineSignal(masked) : undefined;
    mentions.forEach((mention, index) => {
      const candidates: Candidate[] = [];
      if (section !== undefined) candidates.push({ rank: RANK_SECTION, signal: section });
      if (lineWide !== undefined) {
        candidates.push({ rank: RANK_LINE, signal: lineWide });
      } else {
        const word = nearbyWordSignal(masked, mentions, index);
        if (word !== undefined) candidates.push({ rank: RANK_LINE_WORD, signal: word });
      }
      const pending = { mention, offset: offset + mention.start, candidates };
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
  qualifiers?: Qualifiers,
): AlertMatch[] {
  const pending: PendingMention[] = [];
  let base = 0;
  const maskedChunks = chunks.map((chunk) => {
    // An extra pattern that matches nowhere in the chunk (one DFA pass) is not tried line by line.
    const usable = patterns.filter((pattern) => pattern.test === undefined || pattern.test(chunk));
    const masked = readChunk(
      chunk,
      base,
      usable.length === patterns.length ? patterns : usable,
      qualifiers,
      pending,
    );
    base += chunk.length + 1;
    return masked;
  });
  const first = pending[0];
  if (first === undefined) return [];
  const masked = maskedChunks.join("\n");
  if (opensAsNonAlert(masked.slice(0, first.offset))) return [];

  const global: Candidate[] = [{ rank: RANK_DEFAULT, signal: "firing" }];
  const fromSource = sourceSignal(source, masked);
  if (fromSource !== undefined) global.push({ rank: RANK_SOURCE, signal: fromSource });
  const toTarget = targetSignal(masked);
  if (toTarget !== undefined) global.push({ rank: RANK_TARGET, signal: toTarget });
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
