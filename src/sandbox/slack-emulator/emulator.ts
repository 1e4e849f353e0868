/**
 * SlackEmulator: an in-process Slack on 127.0.0.1 (random port). The app under test talks to it
 * exactly as to slack.com (Web API over HTTP, Socket Mode over WebSocket, or signed HTTP deliveries
 * to its Request URL); tests and the terminal UI drive it as users and alerting tools.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DeliveryRouter, type RecordedDelivery, type Transport } from "./delivery-router.ts";
import type { FaultOptions } from "./faults.ts";
import { fillAttachmentIds, fillBlockIds } from "./fill-block-ids.ts";
import { MethodHold } from "./method-hold.ts";
import {
  type ActionChoice,
  type AppIdentity,
  actionFor,
  blockActionsPayload,
  findElement,
  messageChangedEvent,
  messageDeletedEvent,
  messageEvent,
  slashCommandFields,
  viewStateValues,
  viewSubmissionPayload,
} from "./payloads.ts";
import { ChannelRateLimiter, type RateLimitConfig } from "./rate-limit.ts";
import { mediaType, parseMultipart, readBody, sendJson } from "./request-body.ts";
import { applyResponseUrlPost, type ResponseUrlTarget } from "./response-url.ts";
import { SocketModeServer } from "./socket-mode-server.ts";
import {
  type ChannelSeed,
  type MessageChange,
  type MessagePredicate,
  SlackState,
  type UserSeed,
} from "./state.ts";
import type {
  DeliveryOptions,
  DeliveryResult,
  EmulatedChannel,
  EmulatedUser,
  EmulatedUsergroup,
  JsonObject,
  RecordedCall,
  RecordedResponseUrlPost,
  SignatureMode,
  StoredMessage,
  StoredView,
} from "./types.ts";
import { clientSideErrors, ViewSubmissionRefused } from "./view-client-checks.ts";
import { WebApi } from "./web-api.ts";
import type { WebApiHost } from "./web-api-context.ts";
import { acceptUpload } from "./web-api-files.ts";

export interface SlackEmulatorOptions {
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  verificationToken?: string;
  channels?: ChannelSeed[];
  users?: UserSeed[];
  usergroups?: EmulatedUsergroup[];
  /** Port to listen on (default 0: a free one). Always 127.0.0.1. */
  port?: number;
  /** Deliver over HTTP to this Request URL instead of Socket Mode (can be changed later). */
  requestUrl?: string;
  /** How long Slack waits for an ack (3000 ms). */
  ackTimeoutMs?: number;
  /** How long a Socket Mode delivery waits for the app to be connected (5000 ms). */
  socketConnectTimeoutMs?: number;
  /** Server pings on Socket Mode connections (10000 ms; 0 = none). */
  socketPingIntervalMs?: number;
  /** Off by default; set to answer 429 + Retry-After for chat.postMessage bursts. */
  rateLimits?: RateLimitConfig;
  /** Event types the app is subscribed to (default message, app_mention, reaction_added). */
  subscribedEvents?: string[];
  /** trigger_id lifetime (3000 ms). */
  triggerTtlMs?: number;
}

export interface BotMessageInput {
  username?: string;
  bot_id?: string;
  bot_profile?: JsonObject;
  icons?: JsonObject;
  text?: string;
  attachments?: JsonObject[];
  blocks?: JsonObject[];
  threadTs?: string;
}

export interface PostedResult {
  message: StoredMessage;
  /** The Events API deliveries this caused (none when the bot is not in the channel). */
  deliveries: DeliveryResult[];
}

export interface SlashCommandResult {
  delivery: DeliveryResult;
  acked: boolean;
  ackMs: number | undefined;
  /** The immediate response body the app acked with, if any. */
  response: JsonObject | undefined;
  /** What Slack showed for that response: an ephemeral or an in_channel message. */
  shown: StoredMessage | undefined;
  responseUrl: string;
  triggerId: string;
}

export interface InteractionResult {
  delivery: DeliveryResult;
  payload: JsonObject;
  responseUrl?: string;
  triggerId: string;
}

export interface ViewSubmissionResult extends InteractionResult {
  responseAction: string | undefined;
  errors: Record<string, string> | undefined;
  view: StoredView | undefined;
}

interface TriggerRecord {
  user: string;
  issuedAt: number;
  used: boolean;
}

const isObj = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export class SlackEmulator {
  readonly identity: AppIdentity;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly state: SlackState;
  private readonly options: SlackEmulatorOptions;
  private readonly server: Server;
  private readonly socket: SocketModeServer;
  private readonly webApi: WebApi;
  private readonly router: DeliveryRouter;
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly responseUrls = new Map<string, ResponseUrlTarget>();
  private readonly subscribed: Set<string>;
  readonly responseUrlPosts: RecordedResponseUrlPost[] = [];
  private idCounter = 0;
  private actionCounter = 0;
  private readonly apiHost: WebApiHost;
  private listeningPort: number | undefined;

  constructor(options: SlackEmulatorOptions = {}) {
    this.options = options;
    this.identity = {
      teamId: options.teamId ?? "T_SANDBOX",
      teamDomain: options.teamDomain ?? "sandbox",
      appId: options.appId ?? "A_RUNBOOKBOT",
      botUserId: options.botUserId ?? "U_RUNBOOKBOT",
      botId: options.botId ?? "B_RUNBOOKBOT",
      botName: options.botName ?? "runbook-bot",
      verificationToken: options.verificationToken ?? "sandbox-verification-token",
    };
    this.botToken = options.botToken ?? "xoxb-sandbox-bot-token";
    this.appToken = options.appToken ?? "xapp-1-A_RUNBOOKBOT-sandbox-app-token";
    this.signingSecret = options.signingSecret ?? "sandbox-signing-secret";
    this.subscribed = new Set(options.subscribedEvents ?? ["message", "app_mention", "reaction_added"]);
    this.state = new SlackState({
      teamId: this.identity.teamId,
      botUserId: this.identity.botUserId,
      botName: this.identity.botName,
      ...(options.channels ? { channels: options.channels } : {}),
      ...(options.users ? { users: options.users } : {}),
      ...(options.usergroups ? { usergroups: options.usergroups } : {}),
    });
    this.socket = new SocketModeServer({
      appId: this.identity.appId,
      pingIntervalMs: options.socketPingIntervalMs ?? 10_000,
    });
    const transport: Transport = options.requestUrl
      ? { mode: "http", requestUrl: options.requestUrl }
      : { mode: "socket" };
    this.router = new DeliveryRouter({
      identity: this.identity,
      signingSecret: this.signingSecret,
      ackTimeoutMs: options.ackTimeoutMs ?? 3000,
      socketConnectTimeoutMs: options.socketConnectTimeoutMs ?? 5000,
      socket: this.socket,
      emitter: this.state,
      transport,
    });
    this.apiHost = this.buildHost();
    this.webApi = new WebApi(this.apiHost, { botToken: this.botToken, appToken: this.appToken });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: "internal_error", detail: String(err) });
        else res.end();
      });
    });
    this.server.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (path === "/socket") this.socket.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  // ---------------------------------------------------------------- lifecycle and addresses

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.listeningPort = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const hold of [...this.webApi.holds.values()]) hold.release();
    await this.socket.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  get port(): number {
    if (this.listeningPort === undefined) throw new Error("SlackEmulator is not started");
    return this.listeningPort;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What to pass as `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  // ---------------------------------------------------------------- transport selection

  useHttpDelivery(requestUrl: string): void {
    this.router.transport = { mode: "http", requestUrl };
  }

  useSocketMode(): void {
    this.router.transport = { mode: "socket" };
  }

  get transport(): Transport {
    return this.router.transport;
  }

  get socketConnectionCount(): number {
    return this.socket.connectionCount;
  }

  /** Ids of the open Socket Mode connections, oldest first (deliveries record theirs). */
  get socketConnectionIds(): string[] {
    return this.socket.connectionIds;
  }

  /** Resolves once exactly `count` Socket Mode connections are open (0: the app has let go). */
  waitForSocketConnections(count: number, timeoutMs = 10_000): Promise<void> {
    return this.socket.waitForConnections(count, timeoutMs);
  }

  /** Sends `{"type":"disconnect","reason":...}` on every Socket Mode connection. */
  sendSocketDisconnect(
    reason: "refresh_requested" | "warning" | "link_disabled" = "refresh_requested",
  ): number {
    return this.socket.sendDisconnect(reason);
  }

  /** Sends Slack's url_verification challenge to the Request URL; true when echoed back. */
  async verifyRequestUrl(): Promise<boolean> {
    const challenge = randomBytes(16).toString("hex");
    const payload = { token: this.identity.verificationToken, challenge, type: "url_verification" };
    const result = await this.router.deliver("events_api", payload as JsonObject);
    return isObj(result.responsePayload) && result.responsePayload.challenge === challenge;
  }

  // ---------------------------------------------------------------- records and queries

  get calls(): readonly RecordedCall[] {
    return this.webApi.calls;
  }

  callsTo(method: string): RecordedCall[] {
    return this.webApi.calls.filter((c) => c.method === method);
  }

  get deliveries(): readonly RecordedDelivery[] {
    return this.router.deliveries;
  }

  /** Messages the app sent over Socket Mode (acks), in order. */
  get socketMessages(): ReadonlyArray<{ time: number; message: unknown }> {
    return this.socket.received;
  }

  channelHistory(channel: string): StoredMessage[] {
    return this.state.channelHistory(channel);
  }

  thread(channel: string, ts: string): StoredMessage[] {
    return this.state.thread(channel, ts);
  }

  findMessage(predicate: MessagePredicate): StoredMessage | undefined {
    return this.state.findMessage(predicate);
  }

  ephemeralFor(user: string): StoredMessage[] {
    return this.state.ephemeralFor(this.user(user).id);
  }

  view(viewId: string): StoredView | undefined {
    return this.state.views.get(viewId);
  }

  waitFor(predicate: MessagePredicate, timeoutMs = 5000, options: { includeExisting?: boolean } = {}) {
    return this.state.waitFor(predicate, timeoutMs, options);
  }

  on(event: string, listener: (...args: never[]) => void): this {
    this.state.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off(event: string, listener: (...args: never[]) => void): this {
    this.state.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Resolves when all deliveries started so far are done. */
  idle(): Promise<void> {
    return this.router.idle();
  }

  /**
   * Test hook: from now on, answer `method` with `{ok:false, error, ...extra}` instead of running
   * it, as Slack does for a token without the method's scope (`missing_scope`, with `needed` and
   * `provided`).
   */
  refuseMethod(method: string, error = "missing_scope", extra: JsonObject = {}): void {
    this.webApi.refusals.set(method, { ...extra, error });
  }

  /**
   * Test hook: the next `times` calls of `method` fail with `error` (HTTP 200 `{ok:false}` by
   * default; `status: 429` with `retryAfter` seconds, or a 5xx) instead of being run.
   */
  failNext(method: string, error: string, options: FaultOptions = {}): void {
    this.webApi.faults.add(method, error, options);
  }

  /**
   * Holds the answers to `method` (a slow Slack): its calls arrive and wait, unanswered, until
   * `release()` on the returned hold; `waiting` counts them. Stopping the emulator releases it.
   */
  holdMethod(method: string): MethodHold {
    if (this.webApi.holds.has(method)) throw new Error(`${method} is already held`);
    const hold = new MethodHold(method, () => this.webApi.holds.delete(method));
    this.webApi.holds.set(method, hold);
    return hold;
  }

  setBotMembership(channel: string, member: boolean): void {
    this.state.setBotMembership(this.channel(channel).id, member, this.identity.botUserId);
  }

  // ---------------------------------------------------------------- driver: people and tools

  async postMessageAsUser(
    user: string,
    channel: string,
    text: string,
    opts: { threadTs?: string; signature?: SignatureMode } = {},
  ): Promise<PostedResult> {
    const u = this.user(user);
    const c = this.channel(channel);
    const ts = this.state.nextTs();
    const message: StoredMessage = {
      type: "message",
      channel: c.id,
      ts,
      user: u.id,
      text,
      team: this.identity.teamId,
      client_msg_id: randomUUID(),
      blocks: fillBlockIds(
        [
          {
            type: "rich_text",
            elements: [{ type: "rich_text_section", elements: [{ type: "text", text }] }],
          },
        ],
        `${c.id}/${ts}`,
      ),
      ...(opts.threadTs ? { thread_ts: this.threadRoot(c.id, opts.threadTs) } : {}),
    };
    this.state.addMessage(message);
    const deliveryOptions = opts.signature ? { signature: opts.signature } : {};
    const deliveries = await Promise.all(this.messageEvents(message, deliveryOptions));
    return { message, deliveries };
  }

  /** An alerting tool (Alertmanager webhook, Grafana, AWS Chatbot...) posting: subtype bot_message. */
  async postBotMessage(channel: string, input: BotMessageInput): Promise<PostedResult> {
    const c = this.channel(channel);
    const ts = this.state.nextTs();
    const profileId =
      isObj(input.bot_profile) && typeof input.bot_profile.id === "string" ? input.bot_profile.id : undefined;
    const botId =
      input.bot_id ??
      profileId ??
      `B_${(input.username ?? "webhook").toUpperCase().replace(/[^A-Z0-9]/g, "")}`;
    const message: StoredMessage = {
      type: "message",
      subtype: "bot_message",
      channel: c.id,
      ts,
      text: input.text ?? "",
      bot_id: botId,
      ...(input.username !== undefined ? { username: input.username } : {}),
      ...(input.bot_profile !== undefined ? { bot_profile: input.bot_profile } : {}),
      ...(input.blocks ? { blocks: fillBlockIds(input.blocks, `${c.id}/${ts}`) } : {}),
      ...(input.attachments ? { attachments: fillAttachmentIds(input.attachments, `${c.id}/${ts}`) } : {}),
      ...(input.threadTs ? { thread_ts: this.threadRoot(c.id, input.threadTs) } : {}),
    };
    if (input.icons) (message as unknown as JsonObject).icons = input.icons;
    this.state.addMessage(message);
    const deliveries = await Promise.all(this.messageEvents(message, {}));
    return { message, deliveries };
  }

  /** Edits a message (any author, as that author would); delivers message_changed. */
  async editMessage(
    channel: string,
    ts: string,
    patch: { text?: string; blocks?: JsonObject[]; attachments?: JsonObject[] },
  ): Promise<{ message: StoredMessage; delivery: DeliveryResult | undefined }> {
    const c = this.channel(channel);
    const existing = this.state.getMessage(c.id, ts);
    if (!existing) throw new Error(`no message ${ts} in ${c.id}`);
    const seed = `${c.id}/${ts}/edit/${this.state.nextTs()}`;
    const change = this.state.updateMessage(
      c.id,
      ts,
      {
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        ...(patch.blocks ? { blocks: fillBlockIds(patch.blocks, seed) } : {}),
        ...(patch.attachments ? { attachments: fillAttachmentIds(patch.attachments, seed) } : {}),
      },
      existing.user ?? existing.bot_id,
    );
    if (!change) throw new Error(`no message ${ts} in ${c.id}`);
    const delivery = await this.deliverChange(change);
    return { message: change.message, delivery };
  }

  async deleteMessage(channel: string, ts: string): Promise<DeliveryResult | undefined> {
    const c = this.channel(channel);
    const previous = this.state.deleteMessage(c.id, ts);
    if (!previous) throw new Error(`no message ${ts} in ${c.id}`);
    return this.deliverDeleted(previous);
  }

  async addReactionAsUser(
    user: string,
    channel: string,
    ts: string,
    name: string,
  ): Promise<DeliveryResult | undefined> {
    const u = this.user(user);
    const c = this.channel(channel);
    const message = this.state.getMessage(c.id, ts);
    if (!message) throw new Error(`no message ${ts} in ${c.id}`);
    const reactions = message.reactions ?? [];
    const existing = reactions.find((r) => r.name === name);
    if (existing) {
      if (!existing.users.includes(u.id)) {
        existing.users.push(u.id);
        existing.count += 1;
      }
    } else reactions.push({ name, users: [u.id], count: 1 });
    message.reactions = reactions;
    return this.deliverReaction(u.id, name, message);
  }

  /** Types `/command text` in a channel; resolves with the ack (and what Slack showed for it). */
  async slashCommand(
    user: string,
    channel: string,
    commandText: string,
    opts: {
      signature?: SignatureMode;
      threadTs?: string;
      /** Fields of the payload replaced (a string) or left out (null): a malformed or forged request. */
      fields?: Record<string, string | null>;
    } = {},
  ): Promise<SlashCommandResult> {
    const u = this.user(user);
    const c = this.channel(channel);
    const match = /^\s*(\/\S+)\s*([\s\S]*)$/.exec(commandText);
    if (!match) throw new Error(`not a slash command: ${commandText}`);
    const triggerId = this.issueTrigger(u.id);
    const responseUrl = this.issueResponseUrl({
      channel: c.id,
      user: u.id,
      ...(opts.threadTs ? { threadTs: opts.threadTs } : {}),
    });
    const fields = slashCommandFields(this.identity, {
      command: match[1] ?? "",
      text: (match[2] ?? "").trim(),
      user: u,
      channel: c,
      responseUrl,
      triggerId,
    });
    for (const [name, value] of Object.entries(opts.fields ?? {})) {
      if (value === null) delete fields[name];
      else fields[name] = value;
    }
    const delivery = await this.router.deliver(
      "slash_commands",
      fields,
      opts.signature ? { signature: opts.signature } : {},
    );
    const response = toResponseBody(delivery.responsePayload);
    let shown: StoredMessage | undefined;
    if (delivery.acked && response && (response.text !== undefined || response.blocks !== undefined)) {
      const target = this.responseUrls.get(responseUrl.split("/").pop() ?? "");
      if (target) {
        const applied = applyResponseUrlPost(this.apiHost, { ...target, uses: 0 }, response);
        shown = applied.message;
      }
    }
    return {
      delivery,
      acked: delivery.acked,
      ackMs: delivery.ackMs,
      response,
      shown,
      responseUrl,
      triggerId,
    };
  }

  /** Clicks a button (or picks an option) in a stored message; delivers a block_actions payload. */
  async clickButton(
    user: string,
    channel: string,
    messageTs: string,
    actionId: string,
    opts: ActionChoice & {
      blockId?: string;
      signature?: SignatureMode;
      /**
       * Rewrites the payload before it is signed and delivered: a hostile or broken client (a
       * button value the message never carried, no `channel`). Slack itself would not send it.
       */
      tamper?: (payload: JsonObject) => JsonObject;
    } = {},
  ): Promise<InteractionResult> {
    const u = this.user(user);
    const c = this.channel(channel);
    const inChannel = this.state.getMessage(c.id, messageTs);
    const ephemeral = inChannel ? undefined : this.state.getEphemeral(messageTs);
    const message = inChannel ?? ephemeral;
    if (!message) throw new Error(`no message ${messageTs} in ${c.id}`);
    const found = findElement(message, actionId, opts.blockId);
    if (!found) throw new Error(`no element with action_id ${actionId} in message ${messageTs}`);
    const triggerId = this.issueTrigger(u.id);
    const responseUrl = this.issueResponseUrl({
      channel: c.id,
      user: u.id,
      messageTs,
      messageIsEphemeral: ephemeral !== undefined,
      ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
    });
    const built = blockActionsPayload(this.identity, {
      user: u,
      channel: c,
      message,
      action: actionFor(found, opts, this.actionTs()),
      responseUrl,
      triggerId,
      ephemeral: ephemeral !== undefined,
    });
    const payload = opts.tamper ? opts.tamper(built) : built;
    const delivery = await this.router.deliver(
      "interactive",
      payload,
      opts.signature ? { signature: opts.signature } : {},
    );
    return { delivery, payload, responseUrl, triggerId };
  }

  /**
   * Submits a modal. `values` is keyed by block_id; a string is the input's value (for selects: the
   * option value), an object is used as the state entry as is; inputs not given keep their initial
   * value. Throws ViewSubmissionRefused (nothing delivered) where the Slack client would refuse to
   * submit: a required field empty, a number or text outside the element's own bounds.
   */
  async submitView(
    user: string,
    viewId: string,
    values: Record<string, string | JsonObject | Record<string, string | JsonObject>>,
    opts: { signature?: SignatureMode } = {},
  ): Promise<ViewSubmissionResult> {
    const u = this.user(user);
    const view = this.state.views.get(viewId);
    if (!view || view.closed) throw new Error(`no open view ${viewId}`);
    const stateValues = viewStateValues(view, values);
    // The Slack client checks required fields and number / text bounds before sending anything.
    const refused = clientSideErrors(view, stateValues);
    if (Object.keys(refused).length > 0) throw new ViewSubmissionRefused(refused);
    view.state = { values: stateValues };
    const triggerId = this.issueTrigger(u.id);
    const payload = viewSubmissionPayload(this.identity, u, view, triggerId);
    const delivery = await this.router.deliver(
      "interactive",
      payload,
      opts.signature ? { signature: opts.signature } : {},
    );
    const response = toResponseBody(delivery.responsePayload);
    const action = typeof response?.response_action === "string" ? response.response_action : undefined;
    let errors: Record<string, string> | undefined;
    let current: StoredView | undefined = view;
    if (delivery.acked) {
      if (action === "errors" && isObj(response?.errors)) errors = response.errors as Record<string, string>;
      else if (action === "update" && isObj(response?.view)) {
        const updated: StoredView = {
          ...view,
          ...(response.view as Partial<StoredView>),
          id: view.id,
          blocks: fillBlockIds((response.view.blocks as JsonObject[] | undefined) ?? [], view.id),
        };
        this.state.views.set(view.id, updated);
        current = updated;
      } else if (action === "clear") {
        for (const v of this.state.views.values()) if (v.user === u.id) v.closed = true;
        current = undefined;
      } else if (action !== "push") {
        view.closed = true;
        current = undefined;
      }
    }
    return { delivery, payload, triggerId, responseAction: action, errors, view: current };
  }

  /** Delivers any event (wrapped in event_callback); for event types the driver has no helper for. */
  deliverEvent(event: JsonObject, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    return this.router.deliverEvent(event, options);
  }

  /** Delivers the last event again with the same event_id, retry_attempt / X-Slack-Retry-Num + 1. */
  redeliverLastEvent(options: { reason?: string; signature?: SignatureMode } = {}): Promise<DeliveryResult> {
    return this.router.redeliverLastEvent(options);
  }

  // ---------------------------------------------------------------- internals

  private user(idOrName: string): EmulatedUser {
    const u = this.state.resolveUser(idOrName);
    if (!u) throw new Error(`unknown user ${idOrName}`);
    return u;
  }

  private channel(idOrName: string): EmulatedChannel {
    const c = this.state.resolveChannel(idOrName);
    if (!c) throw new Error(`unknown channel ${idOrName}`);
    return c;
  }

  private threadRoot(channel: string, ts: string): string {
    const parent = this.state.getMessage(channel, ts);
    if (!parent) throw new Error(`no message ${ts} in ${channel}`);
    return parent.thread_ts ?? parent.ts;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${this.idCounter.toString(36).toUpperCase().padStart(8, "0")}`;
  }

  private actionTs(): string {
    this.actionCounter += 1;
    const now = Date.now() * 1000 + (this.actionCounter % 1000);
    return (now / 1e6).toFixed(6);
  }

  private issueTrigger(user: string): string {
    const id = `${Date.now()}.${this.identity.teamId}.${randomBytes(16).toString("hex")}`;
    this.triggers.set(id, { user, issuedAt: Date.now(), used: false });
    return id;
  }

  private issueResponseUrl(target: Omit<ResponseUrlTarget, "id" | "createdAt" | "uses">): string {
    const id = randomUUID();
    this.responseUrls.set(id, { ...target, id, createdAt: Date.now(), uses: 0 });
    return `${this.baseUrl}/response/${id}`;
  }

  private wantsEventsFor(channel: string, type: string): EmulatedChannel | undefined {
    const c = this.state.channels.get(channel);
    return c?.botIsMember && this.subscribed.has(type) ? c : undefined;
  }

  private messageEvents(message: StoredMessage, options: DeliveryOptions): Array<Promise<DeliveryResult>> {
    const out: Array<Promise<DeliveryResult>> = [];
    const c = this.wantsEventsFor(message.channel, "message");
    if (c) out.push(this.router.deliverEvent(messageEvent(message, c), options));
    const mentionChannel = this.state.channels.get(message.channel);
    const mentionsBot = message.text.includes(`<@${this.identity.botUserId}>`);
    if (
      mentionsBot &&
      message.user &&
      message.user !== this.identity.botUserId &&
      mentionChannel?.botIsMember
    ) {
      if (this.subscribed.has("app_mention")) {
        const { channel_type: _ct, ...event } = messageEvent(message, mentionChannel);
        out.push(this.router.deliverEvent({ ...event, type: "app_mention" }, options));
      }
    }
    return out;
  }

  private deliverChange(change: MessageChange): Promise<DeliveryResult> | undefined {
    const c = this.wantsEventsFor(change.message.channel, "message");
    if (!c) return undefined;
    return this.router.deliverEvent(
      messageChangedEvent(change.message, change.previous, c, this.state.nextTs()),
    );
  }

  private deliverDeleted(previous: StoredMessage): Promise<DeliveryResult> | undefined {
    const c = this.wantsEventsFor(previous.channel, "message");
    if (!c) return undefined;
    return this.router.deliverEvent(messageDeletedEvent(previous, c, this.state.nextTs()));
  }

  private deliverReaction(
    user: string,
    reaction: string,
    message: StoredMessage,
  ): Promise<DeliveryResult> | undefined {
    if (!this.wantsEventsFor(message.channel, "reaction_added")) return undefined;
    return this.router.deliverEvent({
      type: "reaction_added",
      user,
      reaction,
      item: { type: "message", channel: message.channel, ts: message.ts },
      item_user: message.user ?? message.bot_id ?? "",
      event_ts: this.state.nextTs(),
    });
  }

  private buildHost(): WebApiHost {
    const track = (p: Promise<unknown> | undefined) => {
      p?.catch(() => undefined);
    };
    return {
      state: this.state,
      identity: this.identity,
      rateLimiter: this.options.rateLimits ? new ChannelRateLimiter(this.options.rateLimits) : undefined,
      baseUrl: () => this.baseUrl,
      issueSocketTicket: () => this.socket.issueTicket(),
      consumeTrigger: (triggerId) => {
        const record = this.triggers.get(triggerId);
        if (!record) return { error: "invalid_trigger_id" };
        const ttl = this.options.triggerTtlMs ?? 3000;
        if (record.used || Date.now() - record.issuedAt > ttl) return { error: "expired_trigger_id" };
        record.used = true;
        return { user: record.user };
      },
      nextId: (prefix) => this.nextId(prefix),
      messagePosted: (m) => {
        for (const p of this.messageEvents(m, {})) track(p);
      },
      messageChanged: (change) => track(this.deliverChange(change)),
      messageDeleted: (previous) => track(this.deliverDeleted(previous)),
      reactionAdded: (user, reaction, message) => track(this.deliverReaction(user, reaction, message)),
      viewChanged: (view) => {
        this.state.emit("view", view);
      },
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2 && parts[1]) {
      await this.webApi.handle(req, res, parts[1]);
      return;
    }
    if (parts[0] === "upload" && parts[1] === "v1" && parts[2] && req.method === "POST") {
      const raw = await readBody(req);
      const bytes =
        mediaType(req) === "multipart/form-data"
          ? (parseMultipart(raw, req.headers["content-type"] ?? "").find((p) => p.filename !== undefined)
              ?.data ??
            parseMultipart(raw, req.headers["content-type"] ?? "")[0]?.data ??
            Buffer.alloc(0))
          : raw;
      if (!acceptUpload(this.state, parts[2], bytes)) {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${bytes.length}`);
      return;
    }
    if (parts[0] === "response" && parts[1] && req.method === "POST") {
      await this.handleResponseUrl(req, res, parts[1]);
      return;
    }
    if (parts[0] === "files" && parts[1] && req.method === "GET") {
      const file = this.state.files.get(parts[1]);
      if (req.headers.authorization !== `Bearer ${this.botToken}` || !file?.bytes) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.bytes);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
  }

  private async handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = (await readBody(req)).toString("utf8");
    const target = this.responseUrls.get(id);
    let body: JsonObject = {};
    let status: number;
    let answer: JsonObject;
    try {
      body = JSON.parse(raw) as JsonObject;
      if (!target) {
        status = 404;
        answer = { ok: false, error: "expired_url" };
      } else {
        const applied = applyResponseUrlPost(this.apiHost, target, body);
        status = applied.status;
        answer = applied.body;
      }
    } catch {
      status = 400;
      answer = { ok: false, error: "invalid_payload" };
    }
    this.responseUrlPosts.push({ responseUrlId: id, body, time: Date.now(), status, response: answer });
    this.state.emit("response_url", { responseUrlId: id, body, status });
    sendJson(res, status, answer);
  }
}

function toResponseBody(payload: unknown): JsonObject | undefined {
  if (payload === undefined || payload === null || payload === "") return undefined;
  if (typeof payload === "string") return { text: payload };
  return isObj(payload) ? payload : undefined;
}
