/**
 * The first status word of free text, read by a hand tokenizer (no regular expression, linear):
 * tokens are runs of ASCII letters, digits and `_` (so a word stands whole, as `\b...\b`), with
 * `re-triggered` / `re-opened` read as one word. A negation just before the word (`not`, `never`,
 * `no longer`, `isn't`, `wasn't`, `hasn't`, `haven't`, `aren't`, `is not`, `has not`, with
 * `yet` / `been` / `fully` / `be` between) is reported with it.
 */

/** Status words, lower case; `ALARM` counts in upper case only (`alarm` is too common a word). */
const STATUS_WORDS: ReadonlySet<string> = new Set([
  "retriggered",
  "triggered",
  "firing",
  "fired",
  "alerting",
  "acknowledged",
  "escalated",
  "reopened",
  "resolved",
  "recovered",
  "cleared",
  "closed",
  "ok",
  "insufficient_data",
]);
const HYPHENATED = ["triggered", "opened"];
const FILLERS: ReadonlySet<string> = new Set(["yet", "been", "fully", "be"]);
const APOSTROPHE_NEGATIONS = ["isn't", "wasn't", "hasn't", "haven't", "aren't"];

function isWordCode(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/** `\s` as RE2 has it. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

export interface StatusWord {
  /** As written (`Resolved`, `re-triggered`, `ALARM`). */
  readonly word: string;
  readonly negated: boolean;
}

/** The token (lower case) that ends right before `end`, and where it starts; undefined if none. */
function tokenBefore(text: string, end: number): { token: string; start: number } | undefined {
  let start = end;
  while (start > 0 && isWordCode(text.charCodeAt(start - 1))) start -= 1;
  return start === end ? undefined : { token: text.slice(start, end).toLowerCase(), start };
}

/** Whether a negation (with fillers) ends, followed by whitespace, right before `at`. */
function negatedAt(text: string, at: number): boolean {
  let end = at;
  for (;;) {
    let gap = end;
    while (gap > 0 && isSpace(text.charCodeAt(gap - 1))) gap -= 1;
    if (gap === end) return false; // `\s+` needed between the negation (or a filler) and what follows
    const before = tokenBefore(text, gap);
    if (before === undefined) return false;
    const { token, start } = before;
    if (token === "not" || token === "never") return true;
    if (token === "longer") {
      const no = tokenBefore(text, start - 1);
      return text.charCodeAt(start - 1) === 32 && no?.token === "no";
    }
    if (token === "t" && text.charCodeAt(start - 1) === 39) {
      const stem = tokenBefore(text, start - 1);
      return stem !== undefined && APOSTROPHE_NEGATIONS.includes(`${stem.token}'t`);
    }
    if (!FILLERS.has(token)) return false;
    end = start;
  }
}

/** The first status word in `text` (see the module comment), or undefined. */
export function firstStatusWord(text: string): StatusWord | undefined {
  let at = 0;
  while (at < text.length) {
    if (!isWordCode(text.charCodeAt(at))) {
      at += 1;
      continue;
    }
    let end = at + 1;
    while (end < text.length && isWordCode(text.charCodeAt(end))) end += 1;
    const written = text.slice(at, end);
    const token = written.toLowerCase();
    let word: string | undefined;
    if (token === "re" && text.charCodeAt(end) === 45) {
      const next = HYPHENATED.find(
        (rest) =>
          text.slice(end + 1, end + 1 + rest.length).toLowerCase() === rest &&
          !isWordCode(text.charCodeAt(end + 1 + rest.length)),
      );
      if (next !== undefined) {
        word = text.slice(at, end + 1 + next.length);
        end += 1 + next.length;
      }
    }
    if (word === undefined && (STATUS_WORDS.has(token) || written === "ALARM")) word = written;
    if (word !== undefined) return { word, negated: negatedAt(text, at) };
    at = end;
  }
  return undefined;
}
