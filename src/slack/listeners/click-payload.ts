/** Reading a block_actions payload: the clicked element, the channel, a proposal button's value. */
import type { BlockAction } from "@slack/bolt";
import type { ClickOrigin } from "../../engine/incident-service.ts";

export interface ActionLike {
  readonly action_id: string;
  readonly value?: string;
  readonly action_ts?: string;
  readonly selected_option?: { readonly value?: string };
}

/** The answer to a click whose payload names no channel: the allow-list cannot allow it. */
export const NO_CHANNEL_MESSAGE =
  "This click did not say which channel it came from, so it cannot be checked against the allowed channels; nothing was done.";

/**
 * The channel a block_actions payload came from (Slack sends its id and, for channels, its name);
 * undefined when it names none (or not as a string), which every button listener refuses.
 */
export function originOf(body: BlockAction): ClickOrigin | undefined {
  const channel: unknown = (body as { channel?: unknown }).channel;
  if (channel === null || typeof channel !== "object") return undefined;
  const { id, name } = channel as { id?: unknown; name?: unknown };
  if (typeof id !== "string" || id === "") return undefined;
  return { channelId: id, ...(typeof name === "string" && name !== "" ? { channelName: name } : {}) };
}

/** A proposal's button value: `{action, params, incidentId}`, or undefined when broken. */
export function proposalOf(
  value: Record<string, unknown> | undefined,
): { action: string; incidentId: string; params: Record<string, unknown> } | undefined {
  if (
    !value ||
    typeof value.action !== "string" ||
    typeof value.incidentId !== "string" ||
    typeof value.params !== "object"
  ) {
    return undefined;
  }
  return {
    action: value.action,
    incidentId: value.incidentId,
    params: (value.params ?? {}) as Record<string, unknown>,
  };
}

export function parseJson(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The thread a clicked message sits in (its own ts when it is the thread's first message). */
export function threadOf(body: BlockAction): { channel: string; threadTs: string } | undefined {
  const channel = originOf(body)?.channelId;
  const message = (body as { message?: { ts?: unknown; thread_ts?: unknown } }).message;
  const threadTs = typeof message?.thread_ts === "string" ? message.thread_ts : message?.ts;
  return channel && typeof threadTs === "string" ? { channel, threadTs } : undefined;
}

/** What the thread is told when a click could not be recorded (the store down). */
export function unrecordedClickNote(userId: string, refusal: string): string {
  return `:warning: <@${userId}>'s click was not recorded: ${refusal}. Nothing was done; click again once the store is back.`;
}
