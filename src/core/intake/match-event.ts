/**
 * The matcher's one entry point: a Slack message event in, the alerts it announces out. This is
 * the exact answer of `runbook-bot match` and of the running bot.
 *
 * - Input: the Events API `event` object as Bolt hands it to `app.event('message')` (or a message
 *   object from conversations.history). Anything that is not a JSON object throws
 *   {@link IntakeInputError}.
 * - `type` other than `message` (e.g. `app_mention`, which duplicates a message event): no matches.
 * - `message_changed`: what the message says now (`event.message`); an edit to a thread
 *   tombstone gives no matches. `message_deleted` and other non-content subtypes
 *   (`channel_join`, `channel_topic`, `message_replied`, ...): no matches. Content subtypes are
 *   none, `bot_message`, `thread_broadcast`, `file_share` and `me_message`.
 * - Messages typed by people give no matches unless `allowHumanAlerts`.
 * - No matches is exactly `{"matches":[]}`: `source` is only present alongside matches.
 * Messages from the bot itself are Bolt's to drop (`ignoreSelf`), not the matcher's.
 */
import { detectSource } from "./detect-source.ts";
import { extractTextChunks } from "./extract-text.ts";
import { BUILTIN_PATTERNS, compileExtraPatterns, qualifiersOf } from "./match-alerts.ts";
import { parseAlerts } from "./parse-alerts.ts";
import { isObject, type Obj } from "./read-fields.ts";
import { IntakeInputError, type MatchOptions, type MatchResult } from "./types.ts";

const CONTENT_SUBTYPES: ReadonlySet<string> = new Set([
  "bot_message",
  "thread_broadcast",
  "file_share",
  "me_message",
]);

function hasContent(message: Obj): boolean {
  const subtype = message.subtype;
  return (
    subtype === undefined ||
    subtype === null ||
    (typeof subtype === "string" && CONTENT_SUBTYPES.has(subtype))
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The message whose content counts, or undefined when the event carries none. */
function currentMessage(event: Obj): Obj | undefined {
  if (event.type !== undefined && event.type !== "message") return undefined;
  if (event.subtype === "message_changed") {
    const message = event.message;
    return isObject(message) && hasContent(message) ? message : undefined;
  }
  return hasContent(event) ? event : undefined;
}

/** Which of the nine alerts a Slack message event announces, and whether each fires or resolved. */
export function matchEvent(event: unknown, options: MatchOptions): MatchResult {
  if (!isObject(event)) {
    throw new IntakeInputError(`expected a Slack message event (a JSON object), got ${describe(event)}`);
  }
  const message = currentMessage(event);
  if (message === undefined) return { matches: [] };

  const chunks = extractTextChunks(message);
  const source = detectSource(message, chunks.join("\n"));
  if (source === "human" && !options.allowHumanAlerts) return { matches: [] };

  const patterns = [...BUILTIN_PATTERNS, ...compileExtraPatterns(options.extraPatterns)];
  const matches = parseAlerts(chunks, source, patterns, qualifiersOf(options.qualifiers));
  return matches.length === 0 ? { matches: [] } : { matches, source };
}
