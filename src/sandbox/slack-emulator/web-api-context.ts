/**
 * What every Web API method handler gets: the workspace state, the app's identity, and hooks back
 * into the emulator (event delivery, triggers, URLs). Plus helpers to read Slack's loosely typed
 * arguments (form values are strings; JSON bodies carry real types).
 */
import type { AppIdentity } from "./payloads.ts";
import type { ChannelRateLimiter } from "./rate-limit.ts";
import type { MessageChange, SlackState } from "./state.ts";
import type { EmulatedChannel, JsonObject, StoredMessage, StoredView } from "./types.ts";

export interface ApiAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: JsonObject;
}

export interface WebApiHost {
  readonly state: SlackState;
  readonly identity: AppIdentity;
  readonly rateLimiter: ChannelRateLimiter | undefined;
  /** http://127.0.0.1:PORT */
  baseUrl(): string;
  issueSocketTicket(): string;
  /** Checks a trigger_id (valid for 3 s, once) and tells whose it is. */
  consumeTrigger(
    triggerId: string,
  ): { user: string } | { error: "expired_trigger_id" | "invalid_trigger_id" };
  nextId(prefix: string): string;
  messagePosted(message: StoredMessage): void;
  messageChanged(change: MessageChange): void;
  messageDeleted(previous: StoredMessage): void;
  reactionAdded(user: string, reaction: string, message: StoredMessage): void;
  viewChanged(view: StoredView): void;
}

export type ApiHandler = (args: JsonObject, host: WebApiHost) => ApiAnswer;

export const ok = (body: JsonObject = {}): ApiAnswer => ({ body: { ok: true, ...body } });

export const fail = (error: string, extra: JsonObject = {}): ApiAnswer => ({
  body: { ok: false, error, ...extra },
});

export function invalidBlocks(errors: string[]): ApiAnswer {
  return fail("invalid_blocks", {
    errors,
    response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
  });
}

export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  const s = String(v).toLowerCase();
  return s === "true" || s === "1";
}

export type JsonArg = { value: unknown } | { error: true } | undefined;

/** `blocks`, `attachments`, `view`, `files`: a JSON string (form) or a value (JSON body). */
export function jsonArg(v: unknown): JsonArg {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") return { value: v };
  try {
    return { value: JSON.parse(v) };
  } catch {
    return { error: true };
  }
}

export type ChannelLookup = { channel: EmulatedChannel } | { answer: ApiAnswer };

export function lookupChannel(host: WebApiHost, raw: unknown, needMember: boolean): ChannelLookup {
  const id = str(raw);
  if (!id) return { answer: fail("channel_not_found") };
  const channel = host.state.resolveChannel(id);
  if (!channel) return { answer: fail("channel_not_found") };
  if (needMember && !channel.botIsMember) return { answer: fail("not_in_channel") };
  return { channel };
}

export function channelObject(host: WebApiHost, c: EmulatedChannel): JsonObject {
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.isPrivate,
    is_group: c.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: c.isPrivate,
    is_archived: false,
    is_general: c.name === "general",
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_member: c.botIsMember,
    created: 1_690_000_000,
    creator: "U_ALICE",
    context_team_id: host.identity.teamId,
    topic: { value: c.topic ?? "", creator: "", last_set: 0 },
    purpose: { value: "", creator: "", last_set: 0 },
    num_members: c.members.length,
  };
}
