/**
 * The payloads Slack delivers to an app, built from the emulator's state: the Events API
 * `event_callback` envelope and its message events, slash command fields, `block_actions` and
 * `view_submission` payloads.
 */
import type { EmulatedChannel, EmulatedUser, JsonObject, StoredMessage, StoredView } from "./types.ts";

export interface AppIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
  /** The deprecated verification token Slack still puts in `token` fields. */
  verificationToken: string;
}

const isObj = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function channelType(channel: EmulatedChannel): "channel" | "group" {
  return channel.isPrivate ? "group" : "channel";
}

/** The message as Slack shows it to apps: emulator-only fields removed. */
export function publicMessage(m: StoredMessage): JsonObject {
  const {
    channel: _channel,
    ephemeral_for: _eph,
    deleted: _deleted,
    unfurl_links: _ul,
    unfurl_media: _um,
    ...rest
  } = m;
  return { ...rest };
}

export function messageEvent(m: StoredMessage, channel: EmulatedChannel): JsonObject {
  const {
    reply_count: _rc,
    reply_users: _ru,
    latest_reply: _lr,
    reactions: _r,
    ...fields
  } = publicMessage(m);
  return { ...fields, channel: m.channel, event_ts: m.ts, channel_type: channelType(channel) };
}

export function messageChangedEvent(
  message: StoredMessage,
  previous: StoredMessage,
  channel: EmulatedChannel,
  eventTs: string,
): JsonObject {
  return {
    type: "message",
    subtype: "message_changed",
    message: publicMessage(message),
    previous_message: publicMessage(previous),
    channel: channel.id,
    hidden: true,
    ts: eventTs,
    event_ts: eventTs,
    channel_type: channelType(channel),
  };
}

export function messageDeletedEvent(
  previous: StoredMessage,
  channel: EmulatedChannel,
  eventTs: string,
): JsonObject {
  return {
    type: "message",
    subtype: "message_deleted",
    hidden: true,
    deleted_ts: previous.ts,
    channel: channel.id,
    previous_message: publicMessage(previous),
    ts: eventTs,
    event_ts: eventTs,
    channel_type: channelType(channel),
    ...(previous.thread_ts !== undefined && previous.thread_ts !== previous.ts
      ? { thread_ts: previous.thread_ts }
      : {}),
  };
}

export function eventCallback(
  id: AppIdentity,
  event: JsonObject,
  eventId: string,
  eventTime: number,
): JsonObject {
  return {
    token: id.verificationToken,
    team_id: id.teamId,
    context_team_id: id.teamId,
    context_enterprise_id: null,
    api_app_id: id.appId,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: id.teamId,
        user_id: id.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${eventId}:${id.appId}`).toString("base64url")}`,
  };
}

export interface SlashCommandInput {
  command: string;
  text: string;
  user: EmulatedUser;
  channel: EmulatedChannel;
  responseUrl: string;
  triggerId: string;
}

/** Slash command fields, all strings, in the order Slack sends them. */
export function slashCommandFields(id: AppIdentity, input: SlashCommandInput): Record<string, string> {
  return {
    token: id.verificationToken,
    team_id: id.teamId,
    team_domain: id.teamDomain,
    channel_id: input.channel.id,
    channel_name: input.channel.name,
    user_id: input.user.id,
    user_name: input.user.name,
    command: input.command,
    text: input.text,
    api_app_id: id.appId,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

function userRef(id: AppIdentity, user: EmulatedUser): JsonObject {
  return { id: user.id, username: user.name, name: user.name, team_id: id.teamId };
}

export interface FoundElement {
  blockId: string;
  element: JsonObject;
}

/** Finds an interactive element by action_id in blocks (and attachments' blocks) of a message. */
export function findElement(
  message: StoredMessage,
  actionId: string,
  blockId?: string,
): FoundElement | undefined {
  const blockLists: unknown[][] = [message.blocks ?? []];
  for (const a of message.attachments ?? []) if (Array.isArray(a.blocks)) blockLists.push(a.blocks);
  for (const blocks of blockLists) {
    for (const block of blocks) {
      if (!isObj(block) || typeof block.block_id !== "string") continue;
      if (blockId !== undefined && block.block_id !== blockId) continue;
      const candidates: unknown[] = [];
      if (Array.isArray(block.elements)) candidates.push(...block.elements);
      if (block.accessory !== undefined) candidates.push(block.accessory);
      for (const el of candidates) {
        if (isObj(el) && el.action_id === actionId) return { blockId: block.block_id, element: el };
      }
    }
  }
  return undefined;
}

function allOptions(element: JsonObject): JsonObject[] {
  const direct = Array.isArray(element.options) ? (element.options as JsonObject[]) : [];
  const grouped = Array.isArray(element.option_groups)
    ? (element.option_groups as JsonObject[]).flatMap((g) =>
        Array.isArray(g.options) ? (g.options as JsonObject[]) : [],
      )
    : [];
  return [...direct, ...grouped];
}

export interface ActionChoice {
  /** For selects, overflow, radio buttons: the value of the option picked (default: the first). */
  selectedValue?: string;
  /** For users/conversations/channels selects. */
  selectedUser?: string;
  selectedConversation?: string;
  selectedChannel?: string;
  selectedDate?: string;
}

/** The `actions[0]` entry Slack builds for a click on `element`. */
export function actionFor(found: FoundElement, choice: ActionChoice, actionTs: string): JsonObject {
  const el = found.element;
  const type = String(el.type);
  const base: JsonObject = { action_id: el.action_id, block_id: found.blockId, type, action_ts: actionTs };
  switch (type) {
    case "button":
      return {
        ...base,
        text: el.text,
        ...(el.value !== undefined ? { value: el.value } : {}),
        ...(el.style !== undefined ? { style: el.style } : {}),
        ...(el.url !== undefined ? { url: el.url } : {}),
      };
    case "static_select":
    case "overflow":
    case "radio_buttons":
    case "external_select": {
      const options = allOptions(el);
      const picked =
        choice.selectedValue !== undefined
          ? options.find((o) => o.value === choice.selectedValue)
          : options[0];
      if (!picked) throw new Error(`no option with value ${choice.selectedValue} in ${String(el.action_id)}`);
      const { url: _url, ...option } = picked;
      return { ...base, selected_option: option, ...(el.placeholder ? { placeholder: el.placeholder } : {}) };
    }
    case "users_select":
      return { ...base, selected_user: choice.selectedUser ?? null };
    case "conversations_select":
      return { ...base, selected_conversation: choice.selectedConversation ?? null };
    case "channels_select":
      return { ...base, selected_channel: choice.selectedChannel ?? null };
    case "datepicker":
      return { ...base, selected_date: choice.selectedDate ?? null };
    default:
      return base;
  }
}

export interface BlockActionsInput {
  user: EmulatedUser;
  channel: EmulatedChannel;
  message: StoredMessage;
  action: JsonObject;
  responseUrl: string;
  triggerId: string;
  ephemeral: boolean;
}

export function blockActionsPayload(id: AppIdentity, input: BlockActionsInput): JsonObject {
  const m = input.message;
  const container: JsonObject = {
    type: "message",
    message_ts: m.ts,
    channel_id: input.channel.id,
    is_ephemeral: input.ephemeral,
  };
  if (m.thread_ts !== undefined) container.thread_ts = m.thread_ts;
  return {
    type: "block_actions",
    user: userRef(id, input.user),
    api_app_id: id.appId,
    token: id.verificationToken,
    container,
    trigger_id: input.triggerId,
    team: { id: id.teamId, domain: id.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel.id, name: input.channel.name },
    ...(input.ephemeral ? {} : { message: publicMessage(m) }),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [input.action],
  };
}

export function publicView(view: StoredView): JsonObject {
  const { user: _user, closed: _closed, ...rest } = view;
  return { ...rest };
}

export function viewSubmissionPayload(
  id: AppIdentity,
  user: EmulatedUser,
  view: StoredView,
  triggerId: string,
): JsonObject {
  return {
    type: "view_submission",
    team: { id: id.teamId, domain: id.teamDomain },
    user: userRef(id, user),
    api_app_id: id.appId,
    token: id.verificationToken,
    trigger_id: triggerId,
    view: publicView(view),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * Turns test-friendly input values into Slack's `view.state.values`: a plain string becomes the
 * value of the input's element in the shape its type reports (plain_text_input `value`,
 * static_select `selected_option`, ...). Keys are block_id, then action_id (or just block_id when
 * the block has a single element). As in Slack, every input block is in the state: one the person
 * did not touch carries its initial value (initial_value, initial_option), else an empty value.
 */
export function viewStateValues(
  view: StoredView,
  values: Record<string, string | JsonObject | Record<string, string | JsonObject>>,
): Record<string, Record<string, JsonObject>> {
  const out: Record<string, Record<string, JsonObject>> = {};
  for (const block of view.blocks) {
    if (block.type !== "input" || !isObj(block.element) || typeof block.block_id !== "string") continue;
    const el = block.element;
    const actionId = String(el.action_id);
    const given = values[block.block_id];
    if (given === undefined) {
      out[block.block_id] = { [actionId]: untouchedValue(el) };
      continue;
    }
    const raw =
      typeof given === "string" || !(actionId in given)
        ? given
        : (given as Record<string, unknown>)[actionId];
    out[block.block_id] = { [actionId]: stateValue(el, raw as string | JsonObject) };
  }
  return out;
}

function stateValue(el: JsonObject, raw: string | JsonObject): JsonObject {
  const type = String(el.type);
  if (isObj(raw)) return { type, ...raw };
  switch (type) {
    case "static_select":
    case "radio_buttons": {
      const option = allOptions(el).find((o) => o.value === raw);
      return { type, selected_option: option ?? null };
    }
    case "checkboxes":
    case "multi_static_select":
      return {
        type,
        selected_options: allOptions(el).filter((o) => raw.split(",").includes(String(o.value))),
      };
    case "users_select":
      return { type, selected_user: raw };
    case "conversations_select":
      return { type, selected_conversation: raw };
    case "channels_select":
      return { type, selected_channel: raw };
    case "datepicker":
      return { type, selected_date: raw };
    case "timepicker":
      return { type, selected_time: raw };
    default:
      return { type, value: raw };
  }
}

/** The state of an input the person left as it was opened. */
function untouchedValue(el: JsonObject): JsonObject {
  const type = String(el.type);
  switch (type) {
    case "static_select":
    case "radio_buttons":
      return { type, selected_option: isObj(el.initial_option) ? el.initial_option : null };
    case "checkboxes":
    case "multi_static_select":
      return { type, selected_options: Array.isArray(el.initial_options) ? el.initial_options : [] };
    default:
      return { type, value: typeof el.initial_value === "string" ? el.initial_value : null };
  }
}
