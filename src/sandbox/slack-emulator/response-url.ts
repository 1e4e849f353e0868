/**
 * `response_url`s handed out with slash commands and block actions: up to 5 uses within 30 minutes,
 * JSON bodies with `response_type` (ephemeral | in_channel), `replace_original`, `delete_original`,
 * `text`, `blocks`, `attachments`, `thread_ts`.
 */
import type { MessagePatch } from "./state.ts";
import type { JsonObject, StoredMessage } from "./types.ts";
import { botMessage, readContent } from "./web-api-chat.ts";
import { bool, str, type WebApiHost } from "./web-api-context.ts";

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseUrlTarget {
  id: string;
  channel: string;
  user: string;
  createdAt: number;
  uses: number;
  /** The message whose button was clicked (block actions only). */
  messageTs?: string;
  messageIsEphemeral?: boolean;
  /** Thread of the clicked message, where ephemeral answers show up. */
  threadTs?: string;
}

export interface ResponseUrlAnswer {
  status: number;
  body: JsonObject;
  /** What the post did, for recording. */
  effect?: "ephemeral" | "in_channel" | "replaced" | "deleted";
  message?: StoredMessage;
}

const failWith = (status: number, error: string, extra: JsonObject = {}): ResponseUrlAnswer => ({
  status,
  body: { ok: false, error, ...extra },
});

export function applyResponseUrlPost(
  host: WebApiHost,
  target: ResponseUrlTarget,
  body: JsonObject,
  now = Date.now(),
): ResponseUrlAnswer {
  if (now - target.createdAt > RESPONSE_URL_TTL_MS) return failWith(404, "expired_url");
  if (target.uses >= RESPONSE_URL_MAX_USES) return failWith(404, "used_url");
  target.uses += 1;
  const state = host.state;

  if (bool(body.delete_original)) {
    if (!target.messageTs) return failWith(404, "message_not_found");
    if (target.messageIsEphemeral) state.replaceEphemeral(target.messageTs, "delete");
    else {
      const previous = state.deleteMessage(target.channel, target.messageTs);
      if (!previous) return failWith(404, "message_not_found");
      host.messageDeleted(previous);
    }
    return { status: 200, body: { ok: true }, effect: "deleted" };
  }

  const read = readContent(body, true);
  if (!("content" in read)) {
    return { status: 400, body: read.body };
  }
  const content = read.content;

  if (bool(body.replace_original) && target.messageTs) {
    // Replacing swaps the whole content: fields not given are removed.
    const fresh = botMessage(host, target.channel, content, {});
    const patch: MessagePatch = { text: fresh.text, blocks: fresh.blocks, attachments: fresh.attachments };
    if (target.messageIsEphemeral) {
      const replaced = state.replaceEphemeral(target.messageTs, patch);
      if (!replaced) return failWith(404, "message_not_found");
      return { status: 200, body: { ok: true }, effect: "replaced", message: replaced };
    }
    const change = state.updateMessage(target.channel, target.messageTs, patch, undefined);
    if (!change) return failWith(404, "message_not_found");
    host.messageChanged(change);
    return { status: 200, body: { ok: true }, effect: "replaced", message: change.message };
  }

  const threadTs = str(body.thread_ts) ?? target.threadTs;
  if (str(body.response_type) === "in_channel") {
    const parentExists = threadTs === undefined || state.getMessage(target.channel, threadTs) !== undefined;
    const message = state.addMessage(
      botMessage(host, target.channel, content, parentExists && threadTs ? { thread_ts: threadTs } : {}),
    );
    host.messagePosted(message);
    return { status: 200, body: { ok: true }, effect: "in_channel", message };
  }
  const message = state.addEphemeral(
    botMessage(host, target.channel, content, {
      ephemeral_for: target.user,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
  );
  return { status: 200, body: { ok: true }, effect: "ephemeral", message };
}
