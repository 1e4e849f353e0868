/**
 * Unicode-safe truncation shared by every renderer: never splits a surrogate pair or a
 * grapheme cluster (emoji with modifiers, ZWJ sequences, combining marks).
 * Lengths are UTF-16 code units (what `string.length` counts), which is never less than
 * the code points Slack counts, so a string within a limit here is within it there too.
 */

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Number of code points (what a person would call characters, roughly). */
export function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The largest index <= `at` that is a grapheme boundary of `text`. */
export function graphemeBoundaryAtOrBefore(text: string, at: number): number {
  if (at <= 0) return 0;
  if (at >= text.length) return text.length;
  const seg = graphemes.segment(text).containing(at);
  if (seg === undefined) return at;
  return seg.index;
}

/** `text` cut to at most `max` UTF-16 units at a grapheme boundary, without any note. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, graphemeBoundaryAtOrBefore(text, Math.max(0, max)));
}

/**
 * `text` if it fits in `max`, else its head plus a note made from the number of characters
 * (code points) left out, e.g. `(n) => \`… (truncated, ${n} chars)\``. The result is at most
 * `max` long.
 */
export function truncateText(
  text: string,
  max: number,
  note: (omitted: number) => string = () => "…",
): string {
  if (text.length <= max) return text;
  // The note for the worst case is at least as long as the real one (fewer omitted digits).
  const worstNote = note(countChars(text));
  if (worstNote.length >= max) return cutText(note(countChars(text)), max);
  const cut = graphemeBoundaryAtOrBefore(text, max - worstNote.length);
  return text.slice(0, cut) + note(countChars(text.slice(cut)));
}

/** `text` if it fits in `max`, else its tail with a leading note about what was left out. */
export function truncateTextStart(
  text: string,
  max: number,
  note: (omitted: number) => string = () => "…",
): string {
  if (text.length <= max) return text;
  const worstNote = note(countChars(text));
  if (worstNote.length >= max) return cutText(worstNote, max);
  let start = text.length - (max - worstNote.length);
  // Move forward to the next grapheme boundary so nothing is split.
  const boundary = graphemeBoundaryAtOrBefore(text, start);
  if (boundary < start) {
    const seg = graphemes.segment(text).containing(start);
    start = seg === undefined ? start : seg.index + seg.segment.length;
  }
  return note(countChars(text.slice(0, start))) + text.slice(start);
}
