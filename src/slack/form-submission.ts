/**
 * What travels with an action's modal and what comes back: the private_metadata (the incident, the
 * action, the proposal's params and the channel the button was pressed in, so the allow-list still
 * applies), and the submitted values read from `view.state.values` by block id.
 */
import type { FormValues } from "../actions/action-form.ts";
import type { ClickOrigin } from "../engine/incident-service.ts";
import { MODAL_LIMITS } from "./render/action-modal.ts";

export interface FormMetadata {
  readonly incidentId: string;
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly channel?: ClickOrigin;
}

/** The metadata as JSON; undefined when it exceeds the 3000 characters Slack keeps. */
export function encodeFormMetadata(meta: FormMetadata): string | undefined {
  const json = JSON.stringify(meta);
  return json.length <= MODAL_LIMITS.privateMetadata ? json : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function decodeFormMetadata(text: string | undefined): FormMetadata | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || typeof v.incidentId !== "string" || typeof v.action !== "string") return undefined;
  if (!isRecord(v.params)) return undefined;
  const c = v.channel;
  const channel =
    isRecord(c) && typeof c.channelId === "string"
      ? {
          channelId: c.channelId,
          ...(typeof c.channelName === "string" ? { channelName: c.channelName } : {}),
        }
      : undefined;
  return { incidentId: v.incidentId, action: v.action, params: v.params, ...(channel ? { channel } : {}) };
}

interface StateValue {
  readonly value?: string | null;
  readonly selected_option?: { readonly value?: string } | null;
}

/**
 * One value per input block of the view, in the view's order (its single element's typed value or
 * chosen option's value; undefined when empty or absent from the state).
 */
export function formValuesOf(view: {
  readonly blocks: readonly unknown[];
  readonly state: { readonly values: Readonly<Record<string, Readonly<Record<string, StateValue>>>> };
}): FormValues {
  const out: Record<string, string | undefined> = {};
  for (const block of view.blocks) {
    if (!isRecord(block) || block.type !== "input" || typeof block.block_id !== "string") continue;
    const elements = view.state.values[block.block_id] ?? {};
    const first = Object.values(elements)[0];
    const value = first?.selected_option?.value ?? first?.value;
    out[block.block_id] = value === null || value === undefined ? undefined : value;
  }
  return out;
}
