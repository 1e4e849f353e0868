/**
 * The emulated workspace: channels, users, user groups, messages with threads, ephemeral messages,
 * views and files. Emits `message`, `message_changed`, `message_deleted`, `ephemeral`, `view` and
 * `reaction` so tests and the terminal UI can follow along.
 */
import { EventEmitter } from "node:events";
import type {
  EmulatedChannel,
  EmulatedUser,
  EmulatedUsergroup,
  StoredFile,
  StoredMessage,
  StoredView,
} from "./types.ts";

export interface SlackStateOptions {
  teamId: string;
  botUserId: string;
  botName: string;
  channels?: ChannelSeed[];
  users?: UserSeed[];
  usergroups?: EmulatedUsergroup[];
  /** First message ts, in microseconds since the epoch (default 1700000000.000100). */
  firstTsMicros?: bigint;
}

export type ChannelSeed = Partial<EmulatedChannel> & { id: string; name: string };
export type UserSeed = Partial<EmulatedUser> & { id: string; name: string };

export const DEFAULT_CHANNELS: ChannelSeed[] = [
  { id: "C_INCIDENTS", name: "incidents" },
  { id: "C_ALERTS", name: "alerts" },
  { id: "C_GENERAL", name: "general" },
  { id: "C_RANDOM", name: "random", botIsMember: false },
];

export const DEFAULT_USERS: UserSeed[] = [
  { id: "U_ALICE", name: "alice", realName: "Alice Anders" },
  { id: "U_BOB", name: "bob", realName: "Bob Berg" },
  { id: "U_CAROL", name: "carol", realName: "Carol Chen" },
];

export const DEFAULT_USERGROUPS: EmulatedUsergroup[] = [
  { id: "S_ONCALL", handle: "oncall", name: "On-call", users: ["U_ALICE", "U_BOB"] },
  { id: "S_SRE", handle: "sre", name: "SRE", users: ["U_ALICE", "U_BOB", "U_CAROL"] },
];

/** Fields to replace; a field set to `undefined` is removed. */
export type MessagePatch = { [K in keyof StoredMessage]?: StoredMessage[K] | undefined };

export interface MessageChange {
  message: StoredMessage;
  previous: StoredMessage;
}

/** What `waitFor` looks at: a message as posted, edited, or shown ephemerally. */
export type MessagePredicate = (message: StoredMessage) => boolean;

export class SlackState extends EventEmitter {
  readonly teamId: string;
  readonly channels = new Map<string, EmulatedChannel>();
  readonly users = new Map<string, EmulatedUser>();
  readonly usergroups = new Map<string, EmulatedUsergroup>();
  readonly views = new Map<string, StoredView>();
  readonly files = new Map<string, StoredFile>();
  readonly ephemeral: StoredMessage[] = [];
  private readonly messages = new Map<string, StoredMessage[]>();
  private lastTsMicros: bigint;

  constructor(options: SlackStateOptions) {
    super();
    this.teamId = options.teamId;
    this.lastTsMicros = (options.firstTsMicros ?? 1_700_000_000_000_100n) - 100n;
    this.users.set(options.botUserId, {
      id: options.botUserId,
      name: options.botName,
      realName: options.botName,
      isBot: true,
    });
    for (const u of options.users ?? DEFAULT_USERS) {
      this.users.set(u.id, { realName: u.name, isBot: false, ...u });
    }
    const humans = [...this.users.values()].filter((u) => !u.isBot).map((u) => u.id);
    for (const c of options.channels ?? DEFAULT_CHANNELS) {
      const botIsMember = c.botIsMember ?? true;
      const members = c.members ?? humans;
      this.channels.set(c.id, {
        isPrivate: false,
        ...c,
        botIsMember,
        members: botIsMember ? [...new Set([...members, options.botUserId])] : members,
      });
      this.messages.set(c.id, []);
    }
    for (const g of options.usergroups ?? DEFAULT_USERGROUPS) this.usergroups.set(g.id, g);
  }

  /** Monotonic message timestamps: 1700000000.000100, 1700000000.000200, ... */
  nextTs(): string {
    this.lastTsMicros += 100n;
    const s = this.lastTsMicros.toString().padStart(7, "0");
    return `${s.slice(0, -6)}.${s.slice(-6)}`;
  }

  /** Accepts an id (`C_INCIDENTS`), a name (`incidents`) or `#incidents`. */
  resolveChannel(idOrName: string): EmulatedChannel | undefined {
    const direct = this.channels.get(idOrName);
    if (direct) return direct;
    const name = idOrName.replace(/^#/, "");
    return [...this.channels.values()].find((c) => c.name === name);
  }

  resolveUser(idOrName: string): EmulatedUser | undefined {
    const direct = this.users.get(idOrName);
    if (direct) return direct;
    const name = idOrName.replace(/^@/, "");
    return [...this.users.values()].find((u) => u.name === name);
  }

  setBotMembership(channelId: string, member: boolean, botUserId: string): void {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    channel.botIsMember = member;
    channel.members = member
      ? [...new Set([...channel.members, botUserId])]
      : channel.members.filter((m) => m !== botUserId);
  }

  getMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts && !m.deleted);
  }

  getEphemeral(ts: string): StoredMessage | undefined {
    return this.ephemeral.find((m) => m.ts === ts && !m.deleted);
  }

  /** Stores a message (with its ts already set) and does the thread bookkeeping on its parent. */
  addMessage(message: StoredMessage): StoredMessage {
    const list = this.messages.get(message.channel);
    if (!list) throw new Error(`unknown channel ${message.channel}`);
    list.push(message);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const parent = this.getMessage(message.channel, message.thread_ts);
      if (parent) {
        const author = message.user ?? message.bot_id ?? "";
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), author])];
        parent.latest_reply = message.ts;
        message.parent_user_id = parent.user ?? parent.bot_id ?? "";
      }
    }
    this.emit("message", message);
    return message;
  }

  /** Replaces content fields of a stored message; returns the new and the previous version. */
  updateMessage(
    channel: string,
    ts: string,
    patch: MessagePatch,
    editor: string | undefined,
  ): MessageChange | undefined {
    const list = this.messages.get(channel);
    const index = list?.findIndex((m) => m.ts === ts && !m.deleted) ?? -1;
    const previous = list?.[index];
    if (!list || !previous) return undefined;
    const message = applyPatch(previous, patch);
    if (editor !== undefined) message.edited = { user: editor, ts: this.nextTs() };
    list[index] = message;
    const change = { message, previous };
    this.emit("message_changed", change);
    return change;
  }

  deleteMessage(channel: string, ts: string): StoredMessage | undefined {
    const list = this.messages.get(channel);
    const index = list?.findIndex((m) => m.ts === ts && !m.deleted) ?? -1;
    const previous = list?.[index];
    if (!list || !previous) return undefined;
    list[index] = { ...previous, deleted: true };
    this.emit("message_deleted", previous);
    return previous;
  }

  addEphemeral(message: StoredMessage): StoredMessage {
    this.ephemeral.push(message);
    this.emit("ephemeral", message);
    return message;
  }

  replaceEphemeral(ts: string, patch: MessagePatch | "delete"): StoredMessage | undefined {
    const index = this.ephemeral.findIndex((m) => m.ts === ts && !m.deleted);
    const previous = this.ephemeral[index];
    if (!previous) return undefined;
    const next: StoredMessage =
      patch === "delete" ? { ...previous, deleted: true } : applyPatch(previous, patch);
    this.ephemeral[index] = next;
    if (patch !== "delete") this.emit("ephemeral", next);
    return next;
  }

  /** Top-level messages of a channel (thread replies excluded unless broadcast), oldest first. */
  channelHistory(channel: string): StoredMessage[] {
    const id = this.resolveChannel(channel)?.id ?? channel;
    return (this.messages.get(id) ?? []).filter(
      (m) =>
        !m.deleted && (m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === "thread_broadcast"),
    );
  }

  /** The parent message followed by its replies, oldest first. */
  thread(channel: string, ts: string): StoredMessage[] {
    const id = this.resolveChannel(channel)?.id ?? channel;
    return (this.messages.get(id) ?? []).filter((m) => !m.deleted && (m.ts === ts || m.thread_ts === ts));
  }

  /** Every live message in every channel, in posting order per channel. */
  allMessages(): StoredMessage[] {
    return [...this.messages.values()].flat().filter((m) => !m.deleted);
  }

  findMessage(predicate: MessagePredicate): StoredMessage | undefined {
    return this.allMessages().find(predicate);
  }

  ephemeralFor(user: string): StoredMessage[] {
    return this.ephemeral.filter((m) => m.ephemeral_for === user && !m.deleted);
  }

  /**
   * Resolves with the first message (channel message, edit, or ephemeral) that matches; by default
   * messages already stored count too, so a test cannot miss one posted before it started waiting.
   */
  waitFor(
    predicate: MessagePredicate,
    timeoutMs = 5000,
    options: { includeExisting?: boolean } = {},
  ): Promise<StoredMessage> {
    if (options.includeExisting ?? true) {
      const existing =
        this.allMessages().find(predicate) ?? this.ephemeral.find((m) => !m.deleted && predicate(m));
      if (existing) return Promise.resolve(existing);
    }
    return new Promise((resolve, reject) => {
      const check = (m: StoredMessage) => {
        if (!predicate(m)) return;
        cleanup();
        resolve(m);
      };
      const onChange = (change: MessageChange) => check(change.message);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off("message", check);
        this.off("ephemeral", check);
        this.off("message_changed", onChange);
      };
      this.on("message", check);
      this.on("ephemeral", check);
      this.on("message_changed", onChange);
    });
  }
}

function applyPatch(previous: StoredMessage, patch: MessagePatch): StoredMessage {
  const out: Record<string, unknown> = { ...previous };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as unknown as StoredMessage;
}
