/**
 * `Status: Resolved`-style fields, read by a hand scanner (no regular expression): a field is
 * `[new|current][ _]?(state|status)`, then `*`s, spaces, `:` or `=`, spaces, `*` `_` or backticks,
 * spaces, and its value, a run of `[a-z_-]` starting with a letter (case-insensitive, ASCII).
 * The name must stand at a word start (`\b`). A field right after `old `, `previous `, `prior `
 * or `from ` is the state left and never counts (`Old State: ALARM`).
 *
 * Linear time: the text is searched once for `stat`; each candidate looks a bounded number of
 * characters back and scans forward only over its own separators and value.
 */

const PREVIOUS_WORDS = ["old", "previous", "prior", "from"];
const TARGET_WORDS = ["new", "current"];

function isWordCode(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function isValueCode(code: number): boolean {
  return (code >= 97 && code <= 122) || code === 95 || code === 45;
}

/** Lower-case ASCII letters only, so every index still lines up with `text`. */
function lowerAscii(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    parts.push(code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : (text[i] ?? ""));
  }
  return parts.join("");
}

function wordStartsAt(lower: string, at: number): boolean {
  return at === 0 || !isWordCode(lower.charCodeAt(at - 1));
}

/** True when `at` follows one of `words` and a single space, that word standing whole. */
function followsWord(lower: string, at: number, words: readonly string[]): boolean {
  if (lower.charCodeAt(at - 1) !== 32) return false;
  return words.some((word) => {
    const start = at - 1 - word.length;
    return start >= 0 && lower.startsWith(word, start) && wordStartsAt(lower, start);
  });
}

/** Where the field whose name (`state`/`status`) is at `at` starts, and whether it is new/current. */
function fieldStart(lower: string, at: number): { start: number; target: boolean } | undefined {
  for (const word of TARGET_WORDS) {
    for (const joint of ["", " ", "_"]) {
      const start = at - joint.length - word.length;
      if (
        start >= 0 &&
        lower.startsWith(word, start) &&
        lower.startsWith(joint, start + word.length) &&
        wordStartsAt(lower, start)
      ) {
        return { start, target: true };
      }
    }
  }
  return wordStartsAt(lower, at) ? { start: at, target: false } : undefined;
}

function skip(lower: string, at: number, accept: (code: number) => boolean): number {
  let position = at;
  while (position < lower.length && accept(lower.charCodeAt(position))) position += 1;
  return position;
}

/** The value after a field name ending at `at`, or undefined when no `:`/`=` and value follow. */
function valueAfter(lower: string, at: number): string | undefined {
  let position = skip(lower, at, (code) => code === 42); // *
  position = skip(lower, position, isSpace);
  const sign = lower.charCodeAt(position);
  if (sign !== 58 && sign !== 61) return undefined; // : =
  position = skip(lower, position + 1, isSpace);
  position = skip(lower, position, (code) => code === 42 || code === 95 || code === 96); // * _ `
  position = skip(lower, position, isSpace);
  const first = lower.charCodeAt(position);
  if (!(first >= 97 && first <= 122)) return undefined;
  return lower.slice(position, skip(lower, position + 1, isValueCode));
}

/**
 * The value (lower case) of the first field whose value `accept`s, skipping fields of the state
 * left; with `targetOnly`, only `New State:` / `Current Status:` fields count.
 */
export function findStatusField(
  text: string,
  accept: (value: string) => boolean,
  targetOnly: boolean,
): string | undefined {
  const lower = lowerAscii(text);
  for (let at = lower.indexOf("stat"); at !== -1; at = lower.indexOf("stat", at + 4)) {
    const nameEnd = lower.startsWith("status", at) ? at + 6 : lower.startsWith("state", at) ? at + 5 : -1;
    if (nameEnd === -1) continue;
    const field = fieldStart(lower, at);
    if (field === undefined || (targetOnly && !field.target)) continue;
    if (followsWord(lower, field.start, PREVIOUS_WORDS)) continue;
    const value = valueAfter(lower, nameEnd);
    if (value !== undefined && accept(value)) return value;
  }
  return undefined;
}
