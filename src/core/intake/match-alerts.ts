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
 *   cancels the match. The list is config `alerts.qualifiers`; by default `test`, `tests`,
 *   `testing`, `warn`, `warning`, `info`, `debug`, `dryrun`, `synthetic`, `demo`, `example`,
 *   `sample`, `staging`, `stage`, `stg`, `canary` (`memory-usage-high-test`,
 *   `test_memory_usage_high`, `dlq-spike-critical-staging`, `canary-memory-usage-high`).
 * The built-in names are found by a hand-written scanner (alert-names.ts), linear in the line.
 *
 * Extra patterns (config `alerts.extraPatterns`, keyed by runbook id) are case-insensitive
 * regular expressions in RE2 syntax, run by RE2 (linear time whatever the pattern and the text),
 * matched against each line of the message (a pattern cannot span lines). Invalid ones, ones RE2
 * cannot run in linear time (backreferences, lookaround), ones that match the empty string and
 * unknown runbook ids are reported by {@link validateExtraPatterns} (check-config and every
 * command that loads the config refuse them) and skipped at match time, never thrown.
 */
import { RUNBOOK_CATALOG } from "../catalog.ts";
import {
  DEFAULT_QUALIFIERS,
  isQualified,
  NameMatcher,
  type Qualifiers,
  qualifierSet,
  scanNames,
} from "./alert-names.ts";
import { compileLinear, type LinearRegex } from "./linear-regex.ts";

export interface AlertPattern {
  readonly alert: string;
  readonly runbook: string;
  /** The extra pattern as written, or the alert name for a built-in one. */
  readonly source: string;
  /** Extra patterns: every `[start, end)` the pattern matches in one line. */
  readonly find?: (line: string) => Iterable<readonly [number, number]>;
  /** Extra patterns: whether it matches anywhere in a text (one pass of RE2's DFA). */
  readonly test?: (text: string) => boolean;
  /** Built-in names: the scanner (all built-in names of a line are found in one pass). */
  readonly name?: NameMatcher;
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

export const BUILTIN_PATTERNS: readonly AlertPattern[] = RUNBOOK_CATALOG.map((meta) => ({
  alert: meta.alert,
  runbook: meta.id,
  source: meta.alert,
  name: new NameMatcher(meta.alert),
  builtin: true,
}));

const MAX_CACHED = 512;
const compiled = new Map<string, LinearRegex | Error>();

/** Compiles one extra pattern with RE2 (memoised); an Error with the reason when refused. */
function compileExtra(source: string): LinearRegex | Error {
  let result = compiled.get(source);
  if (result === undefined) {
    result = compileLinear(source);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, result);
  }
  return result;
}

/**
 * Mentions one extra pattern reads in one line, at most: the line already names the alert, and
 * each further search for positions costs an NFA pass, so a line of thousands of matches is not
 * searched to its end.
 */
export const MAX_EXTRA_MATCHES_PER_LINE = 64;

/** Non-empty matches in one line (at most {@link MAX_EXTRA_MATCHES_PER_LINE}). */
function nonEmptyMatches(regex: LinearRegex, line: string): (readonly [number, number])[] {
  const found: (readonly [number, number])[] = [];
  for (const match of regex.all(line)) {
    if (match.end > match.start) found.push([match.start, match.end]);
    if (found.length >= MAX_EXTRA_MATCHES_PER_LINE) break;
  }
  return found;
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
        problems.push(`${here}: ${regex.message}`);
      } else if (regex.test("")) {
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
      if (regex instanceof Error || regex.test("")) continue;
      result.push({
        alert: meta.alert,
        runbook,
        source,
        find: (line: string) => nonEmptyMatches(regex, line),
        test: (text: string) => regex.test(text),
        builtin: false,
      });
    }
  }
  return result;
}

const DEFAULT_QUALIFIER_SET = qualifierSet(DEFAULT_QUALIFIERS);

/** The qualifier lookup for a configured list (the defaults when none is given). */
export function qualifiersOf(words: readonly string[] | undefined): Qualifiers {
  if (words === undefined) return DEFAULT_QUALIFIER_SET;
  let set = qualifierCache.get(words);
  if (set === undefined) {
    set = qualifierSet(words);
    qualifierCache.set(words, set);
  }
  return set;
}

const qualifierCache = new WeakMap<readonly string[], Qualifiers>();

interface NamedPatterns {
  readonly patterns: readonly AlertPattern[];
  readonly names: readonly NameMatcher[];
}

const namedCache = new WeakMap<readonly AlertPattern[], NamedPatterns>();

/** The built-in name patterns of a list, with their scanners (memoised per list). */
function namedPatterns(list: readonly AlertPattern[]): NamedPatterns {
  let named = namedCache.get(list);
  if (named === undefined) {
    const patterns = list.filter((pattern) => pattern.name !== undefined);
    named = { patterns, names: patterns.flatMap((pattern) => (pattern.name ? [pattern.name] : [])) };
    namedCache.set(list, named);
  }
  return named;
}

/** Every mention of an alert in one line, ordered by position. */
export function findMentions(
  line: string,
  patterns: readonly AlertPattern[],
  qualifiers: Qualifiers = DEFAULT_QUALIFIER_SET,
): Mention[] {
  const mentions: Mention[] = [];
  const named = namedPatterns(patterns);
  for (const [start, end, index] of scanNames(line, named.names)) {
    const pattern = named.patterns[index];
    if (pattern !== undefined && !isQualified(line, start, end, qualifiers)) {
      mentions.push({ alert: pattern.alert, runbook: pattern.runbook, start, end });
    }
  }
  for (const pattern of patterns) {
    if (pattern.find === undefined) continue;
    for (const [start, end] of pattern.find(line)) {
      if (!pattern.builtin || !isQualified(line, start, end, qualifiers)) {
        mentions.push({ alert: pattern.alert, runbook: pattern.runbook, start, end });
      }
    }
  }
  return mentions.sort((a, b) => a.start - b.start || b.end - a.end);
}
