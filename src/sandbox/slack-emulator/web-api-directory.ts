/**
 * Read methods over the workspace directory and history: auth.test, conversations.*, users.*,
 * usergroups.*. Cursor pagination works like Slack's (`response_metadata.next_cursor`).
 */
import { publicMessage } from "./payloads.ts";
import type { EmulatedUser, JsonObject } from "./types.ts";
import {
  type ApiHandler,
  bool,
  channelObject,
  fail,
  lookupChannel,
  ok,
  str,
  type WebApiHost,
} from "./web-api-context.ts";

function page<T>(items: T[], args: JsonObject, defaultLimit: number): { items: T[]; nextCursor: string } {
  const limit = Math.max(1, Math.min(1000, Number(str(args.limit) ?? defaultLimit) || defaultLimit));
  const cursor = str(args.cursor);
  const offset = cursor
    ? Number(
        Buffer.from(cursor, "base64")
          .toString("utf8")
          .replace(/^offset:/, ""),
      ) || 0
    : 0;
  const slice = items.slice(offset, offset + limit);
  const next =
    offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "";
  return { items: slice, nextCursor: next };
}

export function userObject(host: WebApiHost, u: EmulatedUser): JsonObject {
  return {
    id: u.id,
    team_id: host.identity.teamId,
    name: u.name,
    deleted: false,
    real_name: u.realName,
    tz: u.tz ?? "Europe/Berlin",
    is_bot: u.isBot,
    is_app_user: false,
    is_admin: false,
    profile: {
      real_name: u.realName,
      display_name: u.name,
      real_name_normalized: u.realName,
      display_name_normalized: u.name,
      ...(u.email ? { email: u.email } : {}),
      team: host.identity.teamId,
      ...(u.isBot ? { bot_id: host.identity.botId, api_app_id: host.identity.appId } : {}),
    },
  };
}

const authTest: ApiHandler = (_args, host) => {
  const id = host.identity;
  return ok({
    url: `https://${id.teamDomain}.slack.com/`,
    team: "Sandbox",
    user: id.botName,
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    is_enterprise_install: false,
  });
};

const conversationsInfo: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  return ok({ channel: channelObject(host, lookup.channel) });
};

const conversationsList: ApiHandler = (args, host) => {
  const types = (str(args.types) ?? "public_channel").split(",").map((t) => t.trim());
  const channels = [...host.state.channels.values()].filter((c) =>
    c.isPrivate ? types.includes("private_channel") && c.botIsMember : types.includes("public_channel"),
  );
  const p = page(channels, args, 100);
  return ok({
    channels: p.items.map((c) => channelObject(host, c)),
    response_metadata: { next_cursor: p.nextCursor },
  });
};

const conversationsHistory: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  if (!lookup.channel.botIsMember) return fail("not_in_channel");
  const newestFirst = [...host.state.channelHistory(lookup.channel.id)].reverse();
  const p = page(newestFirst, args, 100);
  return ok({
    messages: p.items.map(publicMessage),
    has_more: p.nextCursor !== "",
    response_metadata: { next_cursor: p.nextCursor },
  });
};

const conversationsReplies: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  if (!lookup.channel.botIsMember) return fail("not_in_channel");
  const ts = str(args.ts);
  const messages = ts ? host.state.thread(lookup.channel.id, ts) : [];
  if (messages.length === 0) return fail("thread_not_found");
  const p = page(messages, args, 1000);
  return ok({
    messages: p.items.map(publicMessage),
    has_more: p.nextCursor !== "",
    response_metadata: { next_cursor: p.nextCursor },
  });
};

const conversationsJoin: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  if (lookup.channel.isPrivate && !lookup.channel.botIsMember)
    return fail("method_not_supported_for_channel_type");
  host.state.setBotMembership(lookup.channel.id, true, host.identity.botUserId);
  return ok({ channel: channelObject(host, lookup.channel) });
};

const conversationsMembers: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  const p = page(lookup.channel.members, args, 100);
  return ok({ members: p.items, response_metadata: { next_cursor: p.nextCursor } });
};

const usersInfo: ApiHandler = (args, host) => {
  const id = str(args.user);
  const user = id ? host.state.users.get(id) : undefined;
  if (!user) return fail("user_not_found");
  return ok({ user: userObject(host, user) });
};

const usersList: ApiHandler = (args, host) => {
  const p = page([...host.state.users.values()], args, 100);
  return ok({
    members: p.items.map((u) => userObject(host, u)),
    response_metadata: { next_cursor: p.nextCursor },
  });
};

const usergroupsList: ApiHandler = (args, host) => {
  const includeUsers = bool(args.include_users) ?? false;
  return ok({
    usergroups: [...host.state.usergroups.values()].map((g) => ({
      id: g.id,
      team_id: host.identity.teamId,
      is_usergroup: true,
      name: g.name,
      handle: g.handle,
      user_count: g.users.length,
      ...(includeUsers ? { users: g.users } : {}),
    })),
  });
};

const usergroupsUsersList: ApiHandler = (args, host) => {
  const id = str(args.usergroup);
  const group = id ? host.state.usergroups.get(id) : undefined;
  if (!group) return fail("no_such_subteam");
  return ok({ users: [...group.users] });
};

export const directoryMethods: Record<string, ApiHandler> = {
  "auth.test": authTest,
  "conversations.info": conversationsInfo,
  "conversations.list": conversationsList,
  "conversations.history": conversationsHistory,
  "conversations.replies": conversationsReplies,
  "conversations.join": conversationsJoin,
  "conversations.members": conversationsMembers,
  "users.info": usersInfo,
  "users.list": usersList,
  "usergroups.list": usergroupsList,
  "usergroups.users.list": usergroupsUsersList,
};
