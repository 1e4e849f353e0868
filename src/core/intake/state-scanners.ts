/**
 * Hand scanners for the state readers that run on every line naming an alert (no regular
 * expression, each linear in its text): CloudWatch state changes and emoji shortcodes (:fire: and the like).
 */

const STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"];

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Slack markup that may wrap a state: `*` `_` `~` and backtick. */
function isMarkup(code: number): boolean {
  return code === 42 || code === 95 || code === 126 || code === 96;
}

/** `\s` as RE2 has it: tab, newline, form feed, carriage return, space. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

function skip(text: string, at: number, accept: (code: number) => boolean): number {
  let position = at;
  while (position < text.length && accept(text.charCodeAt(position))) position += 1;
  return position;
}

/** The state word a change starting after a state word (ending at `at`) moves to, if any. */
function targetAfter(text: string, at: number): string | undefined {
  let position = skip(text, skip(text, at, isMarkup), isSpace);
  const arrow = ["->", "→", "=>", "to"].find((candidate) => text.startsWith(candidate, position));
  if (arrow === undefined) return undefined;
  position = skip(text, skip(text, position + arrow.length, isSpace), isMarkup);
  return STATES.find(
    (state) =>
      text.startsWith(state, position) &&
      (position + state.length === text.length || !isAlnum(text.charCodeAt(position + state.length))),
  );
}

/**
 * The target of the first CloudWatch state change in `text`: `OK -> ALARM`, `ALARM → OK`,
 * `OK => INSUFFICIENT_DATA`, `from *OK* to *ALARM*` (upper-case states; Slack markup around
 * them; no letter or digit right against them). Undefined when there is none.
 */
export function transitionTarget(text: string): string | undefined {
  let first = -1;
  let target: string | undefined;
  for (const state of STATES) {
    for (let at = text.indexOf(state); at !== -1; at = text.indexOf(state, at + 1)) {
      if (first !== -1 && at > first) break;
      if (at > 0 && isAlnum(text.charCodeAt(at - 1))) continue;
      const to = targetAfter(text, at + state.length);
      if (to !== undefined) {
        first = at;
        target = to;
        break;
      }
    }
  }
  return target;
}

function isEmojiNameCode(code: number): boolean {
  return isAlnum(code) || code === 95 || code === 43 || code === 45; // _ + -
}

/** `text` with each emoji shortcode such as :fire: (1 to 64 of `[a-z0-9_+-]`, any case) replaced by a space. */
export function blankEmojiCodes(text: string): string {
  let colon = text.indexOf(":");
  if (colon === -1) return text;
  const parts: string[] = [];
  let copied = 0;
  while (colon !== -1) {
    let end = colon + 1;
    while (end < text.length && end - colon <= 64 && isEmojiNameCode(text.charCodeAt(end))) end += 1;
    if (end > colon + 1 && text.charCodeAt(end) === 58) {
      parts.push(text.slice(copied, colon), " ");
      copied = end + 1;
      colon = text.indexOf(":", copied);
    } else {
      colon = text.indexOf(":", colon + 1);
    }
  }
  parts.push(text.slice(copied));
  return parts.join("");
}

/**
 * Whether a line may open with a status label: its first ASCII letter or digit must be the first
 * letter of one (f, r, t, c, o, a). A cheap, sound filter before the label pattern.
 */
export function mayOpenWithLabel(line: string): boolean {
  for (let i = 0; i < line.length; i += 1) {
    const code = line.charCodeAt(i);
    if (isAlnum(code)) return "frtcoaFRTCOA".includes(line.charAt(i));
  }
  return false;
}
