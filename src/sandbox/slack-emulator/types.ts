/**
 * Shapes the Slack emulator stores and hands out. They mirror what Slack's Web API returns and what
 * its Events API delivers (snake_case on the wire), kept loose where Slack itself is loose (blocks,
 * attachments: `JsonObject`).
 */

export type JsonObject = { [key: string]: unknown };

export interface EmulatedChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  /** Events are only delivered for channels the bot is a member of, like real Slack. */
  botIsMember: boolean;
  /** User ids in the channel (the bot user is added when `botIsMember`). */
  members: string[];
  topic?: string;
}

export interface EmulatedUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
  email?: string;
  tz?: string;
}

export interface EmulatedUsergroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

export interface MessageEdit {
  user: string;
  ts: string;
}

export interface MessageReaction {
  name: string;
  users: string[];
  count: number;
}

/** One message as Slack's `conversations.history` would return it, plus the channel it is in. */
export interface StoredMessage {
  type: "message";
  channel: string;
  ts: string;
  text: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  username?: string;
  bot_profile?: JsonObject;
  team?: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: MessageEdit;
  reactions?: MessageReaction[];
  files?: JsonObject[];
  upload?: boolean;
  metadata?: JsonObject;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  client_msg_id?: string;
  /** Set on ephemeral messages: the only user who sees it. */
  ephemeral_for?: string;
  deleted?: boolean;
}

export interface StoredView {
  id: string;
  team_id: string;
  type: string;
  /** The user whose trigger opened it. */
  user: string;
  title?: JsonObject;
  submit?: JsonObject;
  close?: JsonObject;
  blocks: JsonObject[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, Record<string, JsonObject>> };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
  closed: boolean;
}

export interface StoredFile {
  id: string;
  filename: string;
  title: string;
  length: number;
  altText?: string;
  snippetType?: string;
  bytes?: Buffer;
  uploaded: boolean;
  completed: boolean;
  channel?: string;
  threadTs?: string;
  messageTs?: string;
}

export interface RecordedCall {
  method: string;
  /** The parsed arguments (form fields or JSON; JSON-string fields like `blocks` decoded). */
  body: JsonObject;
  contentType: string;
  token: string | undefined;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** HTTP status and JSON answer sent back. */
  status: number;
  response: JsonObject;
}

export interface RecordedResponseUrlPost {
  responseUrlId: string;
  body: JsonObject;
  time: number;
  status: number;
  response: JsonObject;
}

export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

/** How an HTTP delivery is signed: `valid` is what Slack does; the rest are for negative tests. */
/** stale: signed 6 minutes ago; future: signed with a timestamp 6 minutes ahead (a replay kept for later). */
export type SignatureMode = "valid" | "bad" | "stale" | "future" | "missing";

export interface DeliveryOptions {
  retryAttempt?: number;
  retryReason?: string;
  signature?: SignatureMode;
}

/** What happened to one delivery to the app, in either transport. */
export interface DeliveryResult {
  transport: "socket" | "http";
  type: EnvelopeType;
  /** Envelope id (Socket Mode) or a generated delivery id (HTTP). */
  deliveryId: string;
  /** Socket Mode: the connection the envelope was sent on (an app may hold several). */
  connectionId?: string;
  eventId?: string;
  acked: boolean;
  /** Milliseconds from sending to the ack (WS) or the HTTP answer; undefined when none came. */
  ackMs?: number;
  /** HTTP status (HTTP transport only). */
  status?: number;
  /** The ack's payload (WS) or the parsed HTTP answer body; undefined when empty. */
  responsePayload?: unknown;
  retryAttempt: number;
  retryReason: string;
  error?: string;
}
