/**
 * views.open / views.push / views.update: trigger_id checks (3 s, once), view validation
 * (100 blocks, title 24 chars, ...), stored views with ids and hashes.
 */
import { randomBytes } from "node:crypto";
import { validateView } from "./block-kit-limits.ts";
import { fillBlockIds } from "./fill-block-ids.ts";
import { publicView } from "./payloads.ts";
import type { JsonObject, StoredView } from "./types.ts";
import {
  type ApiHandler,
  fail,
  invalidBlocks,
  jsonArg,
  ok,
  str,
  type WebApiHost,
} from "./web-api-context.ts";

type ViewRead = { view: JsonObject } | { answer: ReturnType<typeof fail> };

function readView(args: JsonObject): ViewRead {
  const arg = jsonArg(args.view);
  if (!arg) return { answer: fail("invalid_arguments") };
  if ("error" in arg) return { answer: fail("invalid_arguments") };
  const errors = validateView(arg.value);
  if (errors.length > 0) return { answer: invalidBlocks(errors) };
  return { view: arg.value as JsonObject };
}

function buildView(
  host: WebApiHost,
  raw: JsonObject,
  user: string,
  previous: StoredView | undefined,
): StoredView {
  const id = previous?.id ?? host.nextId("V");
  const blocks = fillBlockIds((raw.blocks as JsonObject[] | undefined) ?? [], id);
  const view: StoredView = {
    id,
    team_id: host.identity.teamId,
    type: String(raw.type),
    user,
    blocks,
    private_metadata: str(raw.private_metadata) ?? "",
    callback_id: str(raw.callback_id) ?? "",
    external_id: str(raw.external_id) ?? "",
    state: previous?.state ?? { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
    clear_on_close: raw.clear_on_close === true,
    notify_on_close: raw.notify_on_close === true,
    root_view_id: previous?.root_view_id ?? id,
    previous_view_id: previous?.previous_view_id ?? null,
    app_id: host.identity.appId,
    app_installed_team_id: host.identity.teamId,
    bot_id: host.identity.botId,
    closed: false,
  };
  if (raw.title !== undefined) view.title = raw.title as JsonObject;
  if (raw.submit !== undefined) view.submit = raw.submit as JsonObject;
  if (raw.close !== undefined) view.close = raw.close as JsonObject;
  return view;
}

function openOrPush(push: boolean): ApiHandler {
  return (args, host) => {
    const triggerId = str(args.trigger_id);
    if (!triggerId) return fail("invalid_trigger_id");
    const read = readView(args);
    if ("answer" in read) return read.answer;
    const trigger = host.consumeTrigger(triggerId);
    if ("error" in trigger) return fail(trigger.error);
    const stack = [...host.state.views.values()].filter((v) => v.user === trigger.user && !v.closed);
    const top = stack[stack.length - 1];
    if (push && !top) return fail("not_found");
    const view = buildView(host, read.view, trigger.user, undefined);
    if (push && top) {
      view.root_view_id = top.root_view_id;
      view.previous_view_id = top.id;
    }
    host.state.views.set(view.id, view);
    host.viewChanged(view);
    return ok({ view: publicView(view) });
  };
}

const update: ApiHandler = (args, host) => {
  const viewId = str(args.view_id);
  const externalId = str(args.external_id);
  const existing = viewId
    ? host.state.views.get(viewId)
    : [...host.state.views.values()].find((v) => externalId && v.external_id === externalId);
  if (!existing || existing.closed) return fail("not_found");
  const hash = str(args.hash);
  if (hash && hash !== existing.hash) return fail("hash_conflict");
  const read = readView(args);
  if ("answer" in read) return read.answer;
  const view = buildView(host, read.view, existing.user, existing);
  host.state.views.set(view.id, view);
  host.viewChanged(view);
  return ok({ view: publicView(view) });
};

export const viewMethods: Record<string, ApiHandler> = {
  "views.open": openOrPush(false),
  "views.push": openOrPush(true),
  "views.update": update,
};
