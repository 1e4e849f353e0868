/**
 * A match needs an alert's shape, not just a name. Bots also post messages that name an alert
 * without announcing it: a silence ("Silence created for kafka-consumer-lag-high"), a pull or
 * merge request ("PR merged: raise kafka-consumer-lag-high threshold"), a postmortem or incident
 * review. Such a message says what it is about before it names the alert, so its *opening* (the
 * text before the first mention, at most {@link OPENING_CHARS} characters, URLs blanked) is read
 * for these subjects; when one is there, the message announces nothing.
 *
 * An alert that mentions a silence or a PR after its name (`[FIRING:1] x ... Silence: <url>`,
 * `x firing after the deploy of PR #12`) still counts.
 */
import { linear } from "./linear-regex.ts";

/** How much of the text before the first mention is read. */
export const OPENING_CHARS = 400;

// Case-insensitive words, and the upper-case abbreviations PR / MR (`pr` is too common a token).
const NOT_AN_ALERT = linear(
  String.raw`(?i:\b(?:silence[ds]?|silencing|unsilenced?|pull[ -]requests?|merge[ -]requests?|merged|post[ -]?mortems?|incident[ -]reviews?|retrospectives?)\b)|\b(?:PR|MR)s?\b`,
);

/** True when the message's opening (`opening`: its text before the first mention) says it is no alert. */
export function opensAsNonAlert(opening: string): boolean {
  return NOT_AN_ALERT.test(opening.slice(0, OPENING_CHARS));
}
