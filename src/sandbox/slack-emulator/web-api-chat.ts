/**
 * chat.postMessage, chat.update, chat.delete, chat.postEphemeral, chat.getPermalink: validation
 * and answers as Slack gives them.
 */
import { validateAttachmentBlocks, validateBlocks } from "./block-kit-limits.ts";
import { fillAttachmentIds, fillBlockIds } from "./fill-block-ids.ts";
import { publicMessage } from "./payloads.ts";
import type { MessagePatch } from "./state.ts";
import type { JsonObject, StoredMessage } from "./types.ts";
import {
  type ApiAnswer,
  type ApiHandler,
  bool,
  fail,
  invalidBlocks,
  jsonArg,
  lookupChannel,
  ok,
  str,
  type WebApiHost,
} from "./web-api-context.ts";

const MAX_TEXT = 40_000;

export interface MessageContent {
  text?: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
}

/** Reads and validates text/blocks/attachments like Slack; `requireContent` for new messages. */
export function readContent(
  args: JsonObject,
  requireContent: boolean,
): { content: MessageContent } | ApiAnswer {
  const blocksArg = jsonArg(args.blocks);
  if (blocksArg && "error" in blocksArg) return fail("invalid_blocks_format");
  const attachmentsArg = jsonArg(args.attachments);
  if (attachmentsArg && "error" in attachmentsArg) return fail("invalid_attachments");
  const content: MessageContent = {};
  const text = str(args.text);
  if (text !== undefined) content.text = text;
  if (blocksArg) {
    const errors = validateBlocks(blocksArg.value, { maxBlocks: 50 });
    if (errors.length > 0) return invalidBlocks(errors);
    content.blocks = blocksArg.value as JsonObject[];
  }
  if (attachmentsArg) {
    if (!Array.isArray(attachmentsArg.value)) return fail("invalid_attachments");
    const errors = validateAttachmentBlocks(attachmentsArg.value);
    if (errors.length > 0) return invalidBlocks(errors);
    content.attachments = attachmentsArg.value as JsonObject[];
  }
  if ((content.text?.length ?? 0) > MAX_TEXT) return fail("msg_too_long");
  const empty = !content.text && !content.blocks?.length && !content.attachments?.length;
  if (requireContent && empty) return fail("no_text");
  return { content };
}

export function botProfile(host: WebApiHost): JsonObject {
  const id = host.identity;
  return {
    id: id.botId,
    app_id: id.appId,
    name: id.botName,
    icons: { image_36: "", image_48: "", image_72: "" },
    deleted: false,
    updated: 1_700_000_000,
    team_id: id.teamId,
  };
}

/** A message authored by the app's bot user, as Slack stores it. */
export function botMessage(
  host: WebApiHost,
  channel: string,
  content: MessageContent,
  extra: Partial<StoredMessage>,
): StoredMessage {
  const ts = host.state.nextTs();
  const seed = `${channel}/${ts}`;
  const message: StoredMessage = {
    type: "message",
    channel,
    ts,
    text: content.text ?? "",
    user: host.identity.botUserId,
    bot_id: host.identity.botId,
    app_id: host.identity.appId,
    team: host.identity.teamId,
    bot_profile: botProfile(host),
    ...extra,
  };
  if (content.blocks) message.blocks = fillBlockIds(content.blocks, seed);
  if (content.attachments) message.attachments = fillAttachmentIds(content.attachments, seed);
  return message;
}

const postMessage: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, true);
  if ("answer" in lookup) return lookup.answer;
  const channel = lookup.channel;
  const read = readContent(args, true);
  if (!("content" in read)) return read;
  const threadTs = str(args.thread_ts);
  let parentTs: string | undefined;
  if (threadTs) {
    const parent = host.state.getMessage(channel.id, threadTs);
    if (!parent) return fail("thread_not_found");
    // A reply to a reply lands in the parent's thread.
    parentTs = parent.thread_ts ?? parent.ts;
  }
  const retryAfter = host.rateLimiter?.check(channel.id);
  if (retryAfter !== undefined) {
    return {
      status: 429,
      headers: { "retry-after": String(retryAfter) },
      body: { ok: false, error: "ratelimited" },
    };
  }
  const extra: Partial<StoredMessage> = {};
  if (parentTs) extra.thread_ts = parentTs;
  if (parentTs && bool(args.reply_broadcast)) extra.subtype = "thread_broadcast";
  const username = str(args.username);
  if (username) {
    extra.username = username;
    extra.subtype = "bot_message";
  }
  const unfurlLinks = bool(args.unfurl_links);
  if (unfurlLinks !== undefined) extra.unfurl_links = unfurlLinks;
  const unfurlMedia = bool(args.unfurl_media);
  if (unfurlMedia !== undefined) extra.unfurl_media = unfurlMedia;
  const metadata = jsonArg(args.metadata);
  if (metadata && "error" in metadata) return fail("invalid_metadata_format");
  if (metadata) extra.metadata = metadata.value as JsonObject;
  const message = host.state.addMessage(botMessage(host, channel.id, read.content, extra));
  host.messagePosted(message);
  return ok({ channel: channel.id, ts: message.ts, message: publicMessage(message) });
};

const update: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  const ts = str(args.ts);
  const existing = ts ? host.state.getMessage(lookup.channel.id, ts) : undefined;
  if (!ts || !existing) return fail("message_not_found");
  if (existing.bot_id !== host.identity.botId) return fail("cant_update_message");
  const read = readContent(args, false);
  if (!("content" in read)) return read;
  const patch: MessagePatch = {};
  const seed = `${lookup.channel.id}/${ts}/edit/${host.state.nextTs()}`;
  if (read.content.text !== undefined) patch.text = read.content.text;
  if (read.content.blocks !== undefined) patch.blocks = fillBlockIds(read.content.blocks, seed);
  if (read.content.attachments !== undefined)
    patch.attachments = fillAttachmentIds(read.content.attachments, seed);
  if (Object.keys(patch).length === 0) return fail("no_text");
  const retryAfter = host.rateLimiter?.checkUpdate();
  if (retryAfter !== undefined) {
    return {
      status: 429,
      headers: { "retry-after": String(retryAfter) },
      body: { ok: false, error: "ratelimited" },
    };
  }
  const change = host.state.updateMessage(lookup.channel.id, ts, patch, host.identity.botUserId);
  if (!change) return fail("message_not_found");
  host.messageChanged(change);
  const m = change.message;
  return ok({ channel: lookup.channel.id, ts, text: m.text, message: publicMessage(m) });
};

const remove: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  const ts = str(args.ts);
  const existing = ts ? host.state.getMessage(lookup.channel.id, ts) : undefined;
  if (!ts || !existing) return fail("message_not_found");
  if (existing.bot_id !== host.identity.botId) return fail("cant_delete_message");
  const previous = host.state.deleteMessage(lookup.channel.id, ts);
  if (previous) host.messageDeleted(previous);
  return ok({ channel: lookup.channel.id, ts });
};

const postEphemeral: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, true);
  if ("answer" in lookup) return lookup.answer;
  const userId = str(args.user);
  const user = userId ? host.state.users.get(userId) : undefined;
  if (!userId || !user) return fail("user_not_found");
  if (!lookup.channel.members.includes(user.id)) return fail("user_not_in_channel");
  const read = readContent(args, true);
  if (!("content" in read)) return read;
  const threadTs = str(args.thread_ts);
  const message = botMessage(host, lookup.channel.id, read.content, {
    ephemeral_for: user.id,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  host.state.addEphemeral(message);
  return ok({ message_ts: message.ts });
};

export function permalink(host: WebApiHost, channel: string, message: StoredMessage): string {
  const base = `https://${host.identity.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace(".", "")}`;
  return message.thread_ts && message.thread_ts !== message.ts
    ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}`
    : base;
}

const getPermalink: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  const ts = str(args.message_ts);
  const message = ts ? host.state.getMessage(lookup.channel.id, ts) : undefined;
  if (!message) return fail("message_not_found");
  return ok({ channel: lookup.channel.id, permalink: permalink(host, lookup.channel.id, message) });
};

export const chatMethods: Record<string, ApiHandler> = {
  "chat.postMessage": postMessage,
  "chat.update": update,
  "chat.delete": remove,
  "chat.postEphemeral": postEphemeral,
  "chat.getPermalink": getPermalink,
};
