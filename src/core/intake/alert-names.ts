/**
 * The built-in name matcher: a hand-written scanner (no regular expression), linear in the line's
 * length. The rules are in match-alerts.ts's module comment; in short, an alert's words in order,
 * case-insensitive (ASCII), joined by at most one of `-`, `_`, `.`, a space, U+2010..U+2013, or
 * nothing, as a whole token (no ASCII letter or digit just before or after).
 */

/** The qualifiers that cancel a built-in match by default (config `alerts.qualifiers`). */
export const DEFAULT_QUALIFIERS: readonly string[] = [
  "test",
  "tests",
  "testing",
  "warn",
  "warning",
  "info",
  "debug",
  "dryrun",
  "synthetic",
  "demo",
  "example",
  "sample",
  "staging",
  "stage",
  "stg",
  "canary",
];

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

function isNameSeparator(code: number): boolean {
  // - _ . space, and the Unicode hyphens and dashes U+2010..U+2013.
  return code === 45 || code === 95 || code === 46 || code === 32 || (code >= 0x2010 && code <= 0x2013);
}

/** `-`, `_` or `.`: what joins a qualifier to a name. */
function isQualifierJoint(code: number): boolean {
  return code === 45 || code === 95 || code === 46;
}

/** Matches `word` (lower-case ASCII) at `at`, case-insensitively; the end, or -1. */
function matchWord(line: string, at: number, word: string): number {
  if (at + word.length > line.length) return -1;
  for (let i = 0; i < word.length; i += 1) {
    if (lowerAscii(line.charCodeAt(at + i)) !== word.charCodeAt(i)) return -1;
  }
  return at + word.length;
}

/** One alert name's matcher: its words, lower case. */
export class NameMatcher {
  private readonly words: readonly string[];

  constructor(alert: string) {
    this.words = alert.toLowerCase().split("-");
  }

  /** The end of the name starting exactly at `at` (a token start), or -1. */
  matchAt(line: string, at: number): number {
    let position = at;
    for (let index = 0; index < this.words.length; index += 1) {
      const word = this.words[index] ?? "";
      if (index > 0 && isNameSeparator(line.charCodeAt(position))) {
        const joined = matchWord(line, position + 1, word);
        if (joined !== -1) {
          position = joined;
          continue;
        }
      }
      position = matchWord(line, position, word);
      if (position === -1) return -1;
    }
    return position < line.length && isAsciiAlnum(line.charCodeAt(position)) ? -1 : position;
  }

  /** The name's first character (lower-case ASCII code). */
  get first(): number {
    return this.words[0]?.charCodeAt(0) ?? -1;
  }
}

/**
 * Every place one of `names` stands as a whole token in `line`, in one pass over the line: at each
 * token start (an ASCII letter after no letter or digit), only the names starting with that letter
 * are tried. Returns `[start, end, index into names]` triples, ordered by start.
 */
export function scanNames(line: string, names: readonly NameMatcher[]): [number, number, number][] {
  const found: [number, number, number][] = [];
  let at = 0;
  while (at < line.length) {
    const code = lowerAscii(line.charCodeAt(at));
    if (code < 97 || code > 122 || (at > 0 && isAsciiAlnum(line.charCodeAt(at - 1)))) {
      at += 1;
      continue;
    }
    let next = at + 1;
    for (let index = 0; index < names.length; index += 1) {
      const name = names[index];
      if (name === undefined || name.first !== code) continue;
      const end = name.matchAt(line, at);
      if (end !== -1) {
        found.push([at, end, index]);
        next = Math.max(next, end);
      }
    }
    at = next;
  }
  return found;
}

/** The qualifiers as a lookup set (lower case) with their longest length. */
export interface Qualifiers {
  readonly words: ReadonlySet<string>;
  readonly longest: number;
}

export function qualifierSet(words: readonly string[]): Qualifiers {
  const lower = words.map((word) => word.toLowerCase());
  return { words: new Set(lower), longest: Math.max(0, ...lower.map((word) => word.length)) };
}

/**
 * True when a qualifier is joined to the name `[start, end)` by `-`, `_` or `.`, before it
 * (`staging-memory-usage-high`) or after it (`memory-usage-high-canary`), as a whole token.
 */
export function isQualified(line: string, start: number, end: number, qualifiers: Qualifiers): boolean {
  if (qualifiers.words.size === 0) return false;
  if (start > 0 && isQualifierJoint(line.charCodeAt(start - 1))) {
    let from = start - 1;
    while (from > 0 && start - from <= qualifiers.longest + 1 && isAsciiAlnum(line.charCodeAt(from - 1)))
      from -= 1;
    const whole = from === 0 || !isAsciiAlnum(line.charCodeAt(from - 1));
    if (whole && qualifiers.words.has(line.slice(from, start - 1).toLowerCase())) return true;
  }
  if (end < line.length && isQualifierJoint(line.charCodeAt(end))) {
    let to = end + 1;
    while (to < line.length && to - end <= qualifiers.longest + 1 && isAsciiAlnum(line.charCodeAt(to)))
      to += 1;
    const whole = to === line.length || !isAsciiAlnum(line.charCodeAt(to));
    if (whole && qualifiers.words.has(line.slice(end + 1, to).toLowerCase())) return true;
  }
  return false;
}
