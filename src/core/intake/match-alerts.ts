/**
 * Finding the nine alert names in text.
 *
 * Name rules (built-in patterns, one per catalog alert):
 * - Case-insensitive. The name's words may be joined by `-`, `_`, `.`, a space, a Unicode hyphen
 *   or dash (U+2010..U+2013), or nothing: `kafka-consumer-lag-high`, `Kafka_Consumer_Lag_High`,
 *   `kafka consumer lag high` and `KafkaConsumerLagHigh` all name the same alert.
 * - Whole tokens: the characters just before and after must not be ASCII letters or digits, so
 *   environment prefixes and suffixes joined by a separator are allowed
 *   (`prod-eu1-dlq-spike-critical`, `dlq-spike-critical-us-east-1`, `Prod_DLQ_Spike_Critical`)
 *   but glued text is not (`xdlq-spike-critical`, `kafka-consumer-lag-higher`).
 * - Similar names do not match: every word of the name must be there, in order
 *   (`kafka-consumer-lag-warning`, `dlq-spike-warning` and `checkpoint-duration-high` name no
 *   other alert than their own).
 * - A qualifier joined to the name by `-`, `_` or `.` that turns it into a different alarm
 *   cancels the match: `test`, `tests`, `testing`, `warn`, `warning`, `info`, `debug`, `dryrun`,
 *   `synthetic`, `demo`, `example`, `sample` (`memory-usage-high-test`, `test_memory_usage_high`).
 *
 * Extra patterns (config `alerts.extraPatterns`, keyed by runbook id) are case-insensitive
 * JavaScript regular expressions matched against each line of the message (a pattern cannot span
 * lines). Invalid ones, ones that match the empty string and unknown runbook ids are reported by
 * {@link validateExtraPatterns} and skipped at match time, never thrown. Patterns come from the
 * operator's config and are trusted: a pattern with catastrophic backtracking is the operator's
 * to avoid; lines are capped by the 100 KB text budget.
 */
import { RUNBOOK_CATALOG } from "../catalog.ts";

export interface AlertPattern {
  readonly alert: string;
  readonly runbook: string;
  /** Global, case-insensitive. */
  readonly regex: RegExp;
  /** Built-in name patterns check qualifiers (see the module comment); extra patterns do not. */
  readonly builtin: boolean;
}

/** One place an alert is named: `[start, end)` within the searched line. */
export interface Mention {
  readonly alert: string;
  readonly runbook: string;
  readonly start: number;
  readonly end: number;
}

const SEPARATOR = "[-_. \\u2010-\\u2013]?";
const QUALIFIERS = "test|tests|testing|warn|warning|info|debug|dryrun|synthetic|demo|example|sample";
const QUALIFIER_BEFORE = new RegExp(`(?:^|[^a-z0-9])(?:${QUALIFIERS})[-_.]$`, "i");
const QUALIFIER_AFTER = new RegExp(`^[-_.](?:${QUALIFIERS})(?![a-z0-9])`, "i");

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The regular expression for one alert name (see the module comment). */
export function alertNameRegExp(alert: string): RegExp {
  const words = alert.split("-").map(escapeRegExp).join(SEPARATOR);
  return new RegExp(`(?<![a-z0-9])${words}(?![a-z0-9])`, "gi");
}

export const BUILTIN_PATTERNS: readonly AlertPattern[] = RUNBOOK_CATALOG.map((meta) => ({
  alert: meta.alert,
  runbook: meta.id,
  regex: alertNameRegExp(meta.alert),
  builtin: true,
}));

const MAX_CACHED = 512;
const compiled = new Map<string, RegExp | Error>();

/** Compiles one extra pattern (memoised); an Error when it is not a valid regular expression. */
function compileExtra(source: string): RegExp | Error {
  let result = compiled.get(source);
  if (result === undefined) {
    try {
      result = new RegExp(source, "gi");
    } catch (error) {
      result = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, result);
  }
  return result;
}

function matchesEmpty(regex: RegExp): boolean {
  regex.lastIndex = 0;
  const empty = regex.test("");
  regex.lastIndex = 0;
  return empty;
}

/**
 * Problems with `alerts.extraPatterns`, one message per problem, e.g.
 * `alerts.extraPatterns.consumer-lag[0]: invalid regular expression: ...`. Empty when valid.
 */
export function validateExtraPatterns(patterns: unknown): string[] {
  const prefix = "alerts.extraPatterns";
  if (patterns === undefined) return [];
  if (typeof patterns !== "object" || patterns === null || Array.isArray(patterns)) {
    return [`${prefix}: must be an object of runbook id -> list of regular expressions`];
  }
  const known = RUNBOOK_CATALOG.map((meta) => meta.id);
  const problems: string[] = [];
  for (const [runbook, list] of Object.entries(patterns)) {
    const at = `${prefix}.${runbook}`;
    if (!known.includes(runbook)) {
      problems.push(`${at}: unknown runbook id (known: ${known.join(", ")})`);
    }
    if (!Array.isArray(list)) {
      problems.push(`${at}: must be a list of regular expressions`);
      continue;
    }
    list.forEach((source: unknown, index: number) => {
      const here = `${at}[${index}]`;
      if (typeof source !== "string" || source.length === 0) {
        problems.push(`${here}: must be a non-empty string`);
        return;
      }
      const regex = compileExtra(source);
      if (regex instanceof Error) {
        problems.push(
          `${here}: invalid regular expression: ${regex.message.replace(/^Invalid regular expression: /, "")}`,
        );
      } else if (matchesEmpty(regex)) {
        problems.push(`${here}: matches the empty string, so it would match every message`);
      }
    });
  }
  return problems;
}

/** The usable extra patterns: known runbook ids, valid, non-empty-matching; the rest skipped. */
export function compileExtraPatterns(patterns: Readonly<Record<string, readonly string[]>>): AlertPattern[] {
  const result: AlertPattern[] = [];
  for (const [runbook, list] of Object.entries(patterns)) {
    const meta = RUNBOOK_CATALOG.find((entry) => entry.id === runbook);
    if (meta === undefined || !Array.isArray(list)) continue;
    for (const source of list) {
      if (typeof source !== "string" || source.length === 0) continue;
      const regex = compileExtra(source);
      if (regex instanceof Error || matchesEmpty(regex)) continue;
      result.push({ alert: meta.alert, runbook, regex, builtin: false });
    }
  }
  return result;
}

function qualified(line: string, start: number, end: number): boolean {
  return (
    QUALIFIER_BEFORE.test(line.slice(Math.max(0, start - 16), start)) ||
    QUALIFIER_AFTER.test(line.slice(end, end + 16))
  );
}

/** Every mention of an alert in one line, ordered by position. */
export function findMentions(line: string, patterns: readonly AlertPattern[]): Mention[] {
  const mentions: Mention[] = [];
  for (const pattern of patterns) {
    const { regex } = pattern;
    regex.lastIndex = 0;
    for (let match = regex.exec(line); match !== null; match = regex.exec(line)) {
      const start = match.index;
      const end = start + match[0].length;
      if (end === start) {
        regex.lastIndex += 1;
        continue;
      }
      if (!pattern.builtin || !qualified(line, start, end)) {
        mentions.push({ alert: pattern.alert, runbook: pattern.runbook, start, end });
      }
    }
    regex.lastIndex = 0;
  }
  return mentions.sort((a, b) => a.start - b.start || b.end - a.end);
}
