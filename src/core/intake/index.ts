/** Alert intake: pure matching of Slack message events to the nine alerts. */

export { DEFAULT_QUALIFIERS } from "./alert-names.ts";
export { detectSource, isHumanMessage } from "./detect-source.ts";
export { decodeSlackMarkup, extractText, extractTextChunks, MAX_TEXT_CHARS } from "./extract-text.ts";
export { findMentions, validateExtraPatterns } from "./match-alerts.ts";
export { matchEvent } from "./match-event.ts";
export { parseAlerts } from "./parse-alerts.ts";
export type { AlertMatch, AlertState, MatchOptions, MatchResult, SlackMessage, Source } from "./types.ts";
export { IntakeInputError } from "./types.ts";
