/**
 * What a slash command payload must carry before the bot acts on it: a channel and a user that
 * look like Slack ids, and a text without control characters, of a sane length. Slack always sends
 * these; a payload without them is malformed or forged and gets a clear answer, nothing else.
 */

/** Channel ids: C (public), G (private), D (DM); the emulator's have an underscore (C_INCIDENTS). */
const CHANNEL_ID = /^[CGD][A-Z0-9_]{1,40}$/;
const USER_ID = /^[UW][A-Z0-9_]{1,40}$/;
/** Longer than any runbook name or command argument by far; the message limit of Slack is 4,000. */
export const MAX_COMMAND_TEXT = 4000;
// Tab, newline and carriage return may come from a paste; other C0 controls and DEL may not.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export interface CommandFields {
  readonly channel_id?: unknown;
  readonly user_id?: unknown;
  readonly text?: unknown;
}

/** Why the payload cannot be acted on (completing "This /runbook request ..."), or undefined. */
export function commandPayloadProblem(command: CommandFields): string | undefined {
  if (typeof command.channel_id !== "string" || command.channel_id === "") {
    return "arrived without a channel (channel_id)";
  }
  if (!CHANNEL_ID.test(command.channel_id)) return "names no valid channel (channel_id)";
  if (typeof command.user_id !== "string" || command.user_id === "") {
    return "arrived without a user (user_id)";
  }
  if (!USER_ID.test(command.user_id)) return "names no valid user (user_id)";
  if (typeof command.text !== "string") return "arrived without its text";
  if (command.text.length > MAX_COMMAND_TEXT) {
    return `has a text over ${MAX_COMMAND_TEXT.toLocaleString("en-US")} characters`;
  }
  if (CONTROL.test(command.text)) return "has a control character in its text";
  return undefined;
}

/** `#incidents` for a name, `<#C0123>` (Slack shows the name) for an id (as ChannelFilter tells them). */
export function channelMention(entry: string): string {
  const v = entry.trim().replace(/^#/, "");
  return /^[CGD][A-Z0-9]{2,}$/.test(v) ? `<#${v}>` : `#${v}`;
}
