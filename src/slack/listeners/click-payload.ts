/** Reading a block_actions payload: the clicked element, the channel, a proposal button's value. */
import type { BlockAction } from "@slack/bolt";
import type { ClickOrigin } from "../../engine/incident-service.ts";

export interface ActionLike {
  readonly action_id: string;
  readonly value?: string;
  readonly action_ts?: string;
  readonly selected_option?: { readonly value?: string };
}

/** The channel a block_actions payload came from (Slack sends its id and, for channels, its name). */
export function originOf(body: BlockAction): ClickOrigin | undefined {
  const channel = (body as { channel?: { id?: string; name?: string } }).channel;
  if (!channel?.id) return undefined;
  return { channelId: channel.id, ...(channel.name ? { channelName: channel.name } : {}) };
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
