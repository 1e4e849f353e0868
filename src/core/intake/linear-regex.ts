/**
 * Regular expressions that run in guaranteed linear time: RE2 semantics through `re2js` (no
 * backtracking, so no input can make a match slow). Every regular expression intake runs on
 * message text goes through here (the hottest readers are hand scanners: alert-names.ts,
 * status-field.ts, state-scanners.ts, free-words.ts); JavaScript's backtracking `RegExp` is not
 * used in src/core/intake/ at all (test/unit/intake/adversarial-intake.test.ts checks).
 *
 * RE2 differs from JavaScript: no backreferences and no lookaround (a pattern that needs them is
 * refused, see {@link compileLinear}); `\s`, `\d`, `\w` and `\b` are ASCII; `\pL` / `\p{L}` work.
 */
import { RE2JS } from "re2js";

export interface LinearMatch {
  readonly start: number;
  readonly end: number;
  /** Capture groups 1..n (undefined when a group took no part in the match). */
  readonly groups: readonly (string | undefined)[];
}

export interface LinearRegex {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern matches somewhere in `text`. */
  test(text: string): boolean;
  /** The leftmost match at or after `from`, or undefined. */
  exec(text: string, from?: number): LinearMatch | undefined;
  /** Every non-overlapping match, left to right. */
  all(text: string): Generator<LinearMatch>;
  /** `text` with every match replaced by `replacer(match text)`. */
  replace(text: string, replacer: (matched: string) => string): string;
}

export interface LinearFlags {
  readonly ignoreCase?: boolean;
  /** `^` and `$` match at line boundaries. */
  readonly multiline?: boolean;
  /**
   * Literals one of which every match contains (lower case when `ignoreCase`): a text that holds
   * none of them cannot match, which a native `includes` tells faster than RE2's automaton.
   */
  readonly anyOf?: readonly string[];
}

/** Text up to this length is searched for positions without a boolean test first. */
const SHORT = 256;

class Re2Regex implements LinearRegex {
  private readonly re: RE2JS;
  readonly groupCount: number;
  private readonly anyOf: readonly string[] | undefined;
  private readonly ignoreCase: boolean;

  /** `compiled`: the pattern actually run, when it differs from `source` (captures removed). */
  constructor(
    readonly source: string,
    flags: LinearFlags,
    compiled: string = source,
  ) {
    this.re = RE2JS.compile(
      compiled,
      (flags.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (flags.multiline ? RE2JS.MULTILINE : 0),
    );
    this.groupCount = this.re.groupCount();
    this.anyOf = flags.anyOf;
    this.ignoreCase = flags.ignoreCase === true;
  }

  /** False when the text holds none of the required literals (so it cannot match). */
  private mayMatch(text: string): boolean {
    if (this.anyOf === undefined) return true;
    const haystack = this.ignoreCase ? text.toLowerCase() : text;
    return this.anyOf.some((literal) => haystack.includes(literal));
  }

  test(text: string): boolean {
    return this.mayMatch(text) && this.re.test(text);
  }

  exec(text: string, from = 0): LinearMatch | undefined {
    // On long text, the boolean test (RE2's DFA) first: several times faster than a search for
    // positions when there is no match. On a short line the search itself is cheap.
    if (from === 0 && !(text.length <= SHORT ? this.mayMatch(text) : this.test(text))) return undefined;
    const matcher = this.re.matcher(text);
    return matcher.find(from) ? this.read(matcher) : undefined;
  }

  *all(text: string): Generator<LinearMatch> {
    if (!(text.length <= SHORT ? this.mayMatch(text) : this.test(text))) return;
    const matcher = this.re.matcher(text);
    let from = 0;
    while (from <= text.length && matcher.find(from)) {
      const match = this.read(matcher);
      yield match;
      from = match.end > match.start ? match.end : match.end + 1;
    }
  }

  replace(text: string, replacer: (matched: string) => string): string {
    const parts: string[] = [];
    let copied = 0;
    for (const match of this.all(text)) {
      parts.push(text.slice(copied, match.start), replacer(text.slice(match.start, match.end)));
      copied = match.end;
    }
    if (copied === 0 && parts.length === 0) return text;
    parts.push(text.slice(copied));
    return parts.join("");
  }

  private read(matcher: ReturnType<RE2JS["matcher"]>): LinearMatch {
    const groups: (string | undefined)[] = [];
    for (let i = 1; i <= this.groupCount; i += 1) groups.push(matcher.group(i) ?? undefined);
    return { start: matcher.start(), end: matcher.end(), groups };
  }
}

/** Compiles a pattern the code itself writes (throws on a mistake: a bug, caught by the tests). */
export function linear(source: string, flags: LinearFlags = {}): LinearRegex {
  return new Re2Regex(source, flags);
}

/**
 * Compiles an operator's pattern (`alerts.extraPatterns`), case-insensitive. An Error with the
 * reason when RE2 refuses it: a syntax error, or a feature that cannot run in linear time
 * (backreferences, lookahead, lookbehind), named as such.
 */
export function compileLinear(source: string): LinearRegex | Error {
  try {
    const regex = new Re2Regex(source, { ignoreCase: true });
    return regex.groupCount === 0
      ? regex
      : new Re2Regex(source, { ignoreCase: true }, withoutCaptures(source));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // re2js quotes the pattern with the flag it added: show the operator's pattern as written.
    const detail = (message.startsWith(RE2_PREFIX) ? message.slice(RE2_PREFIX.length) : message)
      .split("`(?i)")
      .join("`");
    const feature = backtrackingFeature(source);
    if (feature !== undefined) {
      return new Error(`uses ${feature}, which cannot be run in linear time (RE2 syntax only): ${detail}`);
    }
    return new Error(`invalid regular expression: ${detail}`);
  }
}

/**
 * The pattern with its capturing groups made non-capturing (`(x)`, `(?P<n>x)`, `(?<n>x)` ->
 * `(?:x)`): an extra pattern's groups are never read, and a search without captures runs on
 * RE2's faster engines. Escapes and character classes are skipped over, so only real groups change.
 */
export function withoutCaptures(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i] ?? "";
    if (char === "\\") {
      out += source.slice(i, i + 2);
      i += 1;
    } else if (inClass) {
      if (char === "]") inClass = false;
      out += char;
    } else if (char === "[") {
      inClass = true;
      // A ] right after [ or [^ is a literal member of the class.
      const skip = source[i + 1] === "^" ? (source[i + 2] === "]" ? 2 : 1) : source[i + 1] === "]" ? 1 : 0;
      out += source.slice(i, i + 1 + skip);
      i += skip;
    } else if (char === "(" && source[i + 1] !== "?") {
      out += "(?:";
    } else if (char === "(" && (source.startsWith("(?P<", i) || /* named */ isNamedGroup(source, i))) {
      const close = source.indexOf(">", i);
      out += "(?:";
      i = close;
    } else {
      out += char;
    }
  }
  return out;
}

function isNamedGroup(source: string, at: number): boolean {
  return source.startsWith("(?<", at) && source[at + 3] !== "=" && source[at + 3] !== "!";
}

const RE2_PREFIX = "error parsing regexp: ";

/** Names the backtracking-only feature a pattern RE2 refused uses, by a plain scan of its text. */
function backtrackingFeature(source: string): string | undefined {
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === "\\") {
      const next = source[i + 1] ?? "";
      if ((next >= "1" && next <= "9") || (next === "k" && source[i + 2] === "<")) return "a backreference";
      i += 1;
    } else if (char === "(" && source[i + 1] === "?") {
      const kind = source.slice(i + 2, i + 4);
      if (kind.startsWith("=") || kind.startsWith("!")) return "a lookahead";
      if (kind === "<=" || kind === "<!") return "a lookbehind";
    }
  }
  return undefined;
}
