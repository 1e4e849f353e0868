/**
 * The Slack emulator against a real Bolt App (a few inline listeners, not our bot), in Socket Mode
 * and over signed HTTP, plus the Web API surface and Block Kit limits on their own.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { App, type BlockAction, type ButtonAction, LogLevel, verifySlackRequest, webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SlackEmulator, validateBlocks } from "../../src/sandbox/slack-emulator/index.ts";

type Json = Record<string, unknown>;

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

const ALERT_ATTACHMENT = {
  color: "danger",
  title: "[FIRING:1] dlq-spike-critical (orders-pipeline critical)",
  fallback: "[FIRING:1] dlq-spike-critical | http://alertmanager/#/alerts",
  text: "*Alert:* dlq-spike-critical\n*Description:* DLQ rate above 50/min",
};

const APPROVAL_BLOCKS = [
  section("*Scale flink-taskmanager 4 -> 8?*"),
  {
    type: "actions",
    block_id: "approval",
    elements: [
      {
        type: "button",
        action_id: "approve",
        text: { type: "plain_text", text: "Approve" },
        value: "approve:req-1",
        style: "primary",
      },
      {
        type: "static_select",
        action_id: "replicas",
        placeholder: { type: "plain_text", text: "Replicas" },
        options: [
          { text: { type: "plain_text", text: "6" }, value: "6" },
          { text: { type: "plain_text", text: "8" }, value: "8" },
        ],
      },
    ],
  },
];

interface Seen {
  messages: Array<{
    event: Json;
    eventId: string;
    retryNum: number | undefined;
    retryReason: string | undefined;
  }>;
  commands: Json[];
  actions: Array<{ body: BlockAction; action: Json }>;
  views: Json[];
}

/** A minimal Bolt app with the listeners the tests observe. */
function buildListeners(app: App, seen: Seen): void {
  app.event("message", async ({ event, body, context }) => {
    seen.messages.push({
      event: event as unknown as Json,
      eventId: body.event_id,
      retryNum: context.retryNum,
      retryReason: context.retryReason,
    });
  });
  app.command("/runbook", async ({ command, ack, respond }) => {
    await ack();
    seen.commands.push(command as unknown as Json);
    await respond({ response_type: "in_channel", text: `Running ${command.text}` });
  });
  app.command("/quick", async ({ ack }) => {
    await ack({ text: "immediate answer" });
  });
  app.action<BlockAction<ButtonAction>>("approve", async ({ ack, body, action, client, respond }) => {
    await ack();
    seen.actions.push({ body, action: action as unknown as Json });
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: "modal",
        callback_id: "approve_modal",
        title: { type: "plain_text", text: "Approve change" },
        submit: { type: "plain_text", text: "Approve" },
        blocks: [
          {
            type: "input",
            block_id: "reason",
            label: { type: "plain_text", text: "Reason" },
            element: { type: "plain_text_input", action_id: "reason_input" },
          },
        ],
      },
    });
    await respond({ replace_original: true, text: "Approved by <@U_ALICE>" });
  });
  app.action("replicas", async ({ ack, action }) => {
    await ack();
    seen.actions.push({ body: {} as BlockAction, action: action as unknown as Json });
  });
  app.view("approve_modal", async ({ ack, view }) => {
    seen.views.push(view.state.values as unknown as Json);
    await ack();
  });
}

const emptySeen = (): Seen => ({ messages: [], commands: [], actions: [], views: [] });

describe("Slack emulator with a real Bolt app in Socket Mode", () => {
  let emu: SlackEmulator;
  let app: App;
  const seen = emptySeen();

  beforeAll(async () => {
    emu = await new SlackEmulator().start();
    app = new App({
      token: emu.botToken,
      appToken: emu.appToken,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    buildListeners(app, seen);
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
    await emu.waitForSocketConnections(0).catch(() => undefined);
    await emu.stop();
  });

  it("answers auth.test while the app starts and opens the socket with the app token", () => {
    const auth = emu.callsTo("auth.test");
    expect(auth[0]?.token).toBe(emu.botToken);
    expect(auth[0]?.response).toMatchObject({ ok: true, user_id: "U_RUNBOOKBOT", bot_id: "B_RUNBOOKBOT" });
    const open = emu.callsTo("apps.connections.open");
    expect(open[0]?.token).toBe(emu.appToken);
    expect(String(open[0]?.response.url)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=/);
    expect(emu.socketConnectionCount).toBe(1);
  });

  it("delivers an Alertmanager message to app.event('message') with its attachments intact", async () => {
    const { message, deliveries } = await emu.postBotMessage("incidents", {
      username: "Alertmanager",
      text: "",
      attachments: [ALERT_ATTACHMENT],
    });
    expect(deliveries[0]).toMatchObject({ transport: "socket", acked: true });
    expect(deliveries[0]?.ackMs).toBeLessThan(3000);
    const got = await until(() => seen.messages.find((m) => m.event.ts === message.ts));
    expect(got.event).toMatchObject({
      type: "message",
      subtype: "bot_message",
      bot_id: "B_ALERTMANAGER",
      username: "Alertmanager",
      text: "",
      channel: "C_INCIDENTS",
      channel_type: "channel",
      attachments: [ALERT_ATTACHMENT],
    });
  });

  it("acks a slash command within 3 s and lets respond() reach the response_url", async () => {
    const result = await emu.slashCommand("alice", "incidents", "/runbook dlq-spike");
    expect(result.acked).toBe(true);
    expect(result.ackMs).toBeLessThan(3000);
    expect(result.response).toBeUndefined();
    const posted = await emu.waitFor((m) => m.text === "Running dlq-spike");
    expect(posted).toMatchObject({ channel: "C_INCIDENTS", user: "U_RUNBOOKBOT", bot_id: "B_RUNBOOKBOT" });
    expect(seen.commands[0]).toMatchObject({
      command: "/runbook",
      text: "dlq-spike",
      user_id: "U_ALICE",
      user_name: "alice",
      channel_id: "C_INCIDENTS",
      channel_name: "incidents",
      team_id: "T_SANDBOX",
      api_app_id: "A_RUNBOOKBOT",
      response_url: result.responseUrl,
      trigger_id: result.triggerId,
    });
    expect(emu.responseUrlPosts.at(-1)).toMatchObject({ status: 200, body: { response_type: "in_channel" } });
  });

  it("shows an ack() body as the ephemeral answer to the command", async () => {
    const result = await emu.slashCommand("bob", "incidents", "/quick");
    expect(result.response).toEqual({ text: "immediate answer" });
    expect(result.shown).toMatchObject({ ephemeral_for: "U_BOB", text: "immediate answer" });
    expect(emu.ephemeralFor("bob").map((m) => m.text)).toContain("immediate answer");
  });

  it("builds a block_actions payload from the stored message and delivers it to app.action", async () => {
    const posted = await app.client.chat.postMessage({
      channel: "incidents",
      text: "Approval needed",
      blocks: APPROVAL_BLOCKS,
    });
    const ts = String(posted.ts);
    const click = await emu.clickButton("alice", "incidents", ts, "approve");
    expect(click.delivery.acked).toBe(true);
    const { body, action } = await until(() => seen.actions.find((a) => a.action.action_id === "approve"));
    expect(action).toMatchObject({
      type: "button",
      action_id: "approve",
      block_id: "approval",
      value: "approve:req-1",
    });
    expect(body.container).toMatchObject({ type: "message", message_ts: ts, channel_id: "C_INCIDENTS" });
    expect(body.channel?.id).toBe("C_INCIDENTS");
    expect(body.user.id).toBe("U_ALICE");
    expect(body.message?.ts).toBe(ts);
    expect(body.response_url).toBe(click.responseUrl);
    expect(body.trigger_id).toBe(click.triggerId);
    // The listener's respond({replace_original}) rewrote the message; its views.open stored a modal.
    const replaced = await emu.waitFor((m) => m.ts === ts && m.text === "Approved by <@U_ALICE>");
    expect(replaced.blocks).toBeUndefined();
    const view = [...emu.state.views.values()].find((v) => v.callback_id === "approve_modal");
    expect(view?.user).toBe("U_ALICE");
    const submitted = await emu.submitView("alice", String(view?.id), { reason: "lag is growing" });
    expect(submitted.delivery.acked).toBe(true);
    expect(submitted.view).toBeUndefined();
    expect(seen.views[0]).toEqual({
      reason: { reason_input: { type: "plain_text_input", value: "lag is growing" } },
    });
  });

  it("sends selected_option for a select and refuses a stale trigger_id", async () => {
    const posted = await app.client.chat.postMessage({
      channel: "C_INCIDENTS",
      text: "pick",
      blocks: APPROVAL_BLOCKS,
    });
    await emu.clickButton("bob", "incidents", String(posted.ts), "replicas", { selectedValue: "8" });
    const { action } = await until(() => seen.actions.find((a) => a.action.action_id === "replicas"));
    expect(action).toMatchObject({
      type: "static_select",
      block_id: "approval",
      selected_option: { value: "8", text: { type: "plain_text", text: "8" } },
    });
    await expect(
      app.client.views.open({
        trigger_id: "12345.T_SANDBOX.deadbeef",
        view: { type: "modal", title: { type: "plain_text", text: "x" }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { ok: false, error: "invalid_trigger_id" } });
  });

  it("stores chat.postMessage replies in the thread and delivers the bot's own messages (ignoreSelf drops them)", async () => {
    const alert = await emu.postBotMessage("incidents", {
      username: "Alertmanager",
      attachments: [ALERT_ATTACHMENT],
    });
    const reply = await app.client.chat.postMessage({
      channel: "C_INCIDENTS",
      thread_ts: alert.message.ts,
      text: "Working the dlq-spike runbook",
      unfurl_links: false,
    });
    const thread = emu.thread("incidents", alert.message.ts);
    expect(thread.map((m) => m.text)).toEqual(["", "Working the dlq-spike runbook"]);
    expect(thread[0]).toMatchObject({ reply_count: 1, latest_reply: reply.ts });
    expect(thread[1]).toMatchObject({
      thread_ts: alert.message.ts,
      unfurl_links: false,
      parent_user_id: "B_ALERTMANAGER",
    });
    expect(emu.channelHistory("incidents").some((m) => m.ts === reply.ts)).toBe(false);
    await emu.idle();
    const delivered = emu.deliveries.find((d) => (d.payload.event as Json | undefined)?.ts === reply.ts);
    expect(delivered?.acked).toBe(true);
    expect(seen.messages.some((m) => m.event.ts === reply.ts)).toBe(false);
  });

  it("edits with chat.update and delivers message_changed for tool edits", async () => {
    const posted = await app.client.chat.postMessage({ channel: "incidents", text: "step 1 running" });
    const updated = await app.client.chat.update({
      channel: "C_INCIDENTS",
      ts: String(posted.ts),
      text: "step 1 done",
    });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: "step 1 done" });
    const stored = emu.findMessage((m) => m.ts === posted.ts);
    expect(stored).toMatchObject({ text: "step 1 done", edited: { user: "U_RUNBOOKBOT" } });

    const alert = await emu.postBotMessage("incidents", {
      username: "Alertmanager",
      attachments: [ALERT_ATTACHMENT],
    });
    await expect(
      app.client.chat.update({ channel: "C_INCIDENTS", ts: alert.message.ts, text: "x" }),
    ).rejects.toMatchObject({ data: { error: "cant_update_message" } });
    const resolved = { ...ALERT_ATTACHMENT, color: "good", title: "[RESOLVED] dlq-spike-critical" };
    await emu.editMessage("incidents", alert.message.ts, { attachments: [resolved] });
    const changed = await until(() =>
      seen.messages.find(
        (m) => m.event.subtype === "message_changed" && (m.event.message as Json).ts === alert.message.ts,
      ),
    );
    expect(changed.event).toMatchObject({
      channel: "C_INCIDENTS",
      hidden: true,
      message: { attachments: [resolved] },
      previous_message: { attachments: [ALERT_ATTACHMENT] },
    });
  });

  it("refuses invalid blocks with invalid_blocks and Slack-style errors", async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    await expect(
      app.client.chat.postMessage({ channel: "incidents", text: "x", blocks: tooMany }),
    ).rejects.toMatchObject({
      data: {
        ok: false,
        error: "invalid_blocks",
        errors: ["no more than 50 items allowed [json-pointer:/blocks]"],
      },
    });
    await expect(
      app.client.chat.postMessage({ channel: "incidents", text: "x", blocks: [section("a".repeat(3001))] }),
    ).rejects.toMatchObject({
      data: {
        error: "invalid_blocks",
        errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
      },
    });
    await app.client.chat.postMessage({
      channel: "incidents",
      text: "x",
      blocks: [section("a".repeat(3000))],
    });
  });

  it("redelivers the last event with the same event_id and retry markers", async () => {
    const { message } = await emu.postBotMessage("alerts", { username: "Grafana", text: "[FIRING:1] lag" });
    const first = await until(() => seen.messages.find((m) => m.event.ts === message.ts));
    const again = await emu.redeliverLastEvent();
    expect(again).toMatchObject({ retryAttempt: 1, retryReason: "timeout", acked: true });
    const second = await until(() =>
      seen.messages.find((m) => m.event.ts === message.ts && m.retryNum === 1),
    );
    expect(second.eventId).toBe(first.eventId);
    expect(second.retryReason).toBe("timeout");
    expect(first.retryNum).toBe(0);
  });

  it("stores files.uploadV2 uploads in the thread", async () => {
    const parent = await app.client.chat.postMessage({ channel: "incidents", text: "report" });
    const res = await app.client.filesUploadV2({
      channel_id: "C_INCIDENTS",
      thread_ts: String(parent.ts),
      filename: "evidence.txt",
      content: "lag=1200\nlag=1300\n",
      initial_comment: "full evidence",
    });
    expect(res.ok).toBe(true);
    const thread = emu.thread("incidents", String(parent.ts));
    const share = thread.find((m) => m.subtype === "file_share");
    expect(share).toMatchObject({ text: "full evidence", files: [{ name: "evidence.txt", size: 18 }] });
    const file = [...emu.state.files.values()].find((f) => f.filename === "evidence.txt");
    expect(file?.bytes?.toString()).toBe("lag=1200\nlag=1300\n");
  });

  it("sends disconnect; the client reconnects and deliveries continue", async () => {
    await emu.idle();
    expect(emu.sendSocketDisconnect("refresh_requested")).toBe(1);
    await emu.waitForSocketConnections(0, 5000);
    await emu.waitForSocketConnections(1, 15_000);
    expect(emu.callsTo("apps.connections.open").length).toBe(2);
    const { deliveries } = await emu.postMessageAsUser("carol", "incidents", "still there?");
    expect(deliveries[0]?.acked).toBe(true);
  }, 25_000);
});

describe("Slack emulator with a real Bolt app over HTTP", () => {
  let emu: SlackEmulator;
  let app: App;
  const seen = emptySeen();

  beforeAll(async () => {
    emu = await new SlackEmulator().start();
    app = new App({
      token: emu.botToken,
      signingSecret: emu.signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    buildListeners(app, seen);
    const server = await app.start(0);
    emu.useHttpDelivery(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  });

  afterAll(async () => {
    await app.stop();
    await emu.stop();
  });

  it("passes url_verification and delivers signed events with attachments intact", async () => {
    expect(await emu.verifyRequestUrl()).toBe(true);
    const { message, deliveries } = await emu.postBotMessage("incidents", {
      username: "Alertmanager",
      attachments: [ALERT_ATTACHMENT],
    });
    expect(deliveries[0]).toMatchObject({ transport: "http", status: 200, acked: true });
    const got = await until(() => seen.messages.find((m) => m.event.ts === message.ts));
    expect(got.event).toMatchObject({ subtype: "bot_message", attachments: [ALERT_ATTACHMENT] });
  });

  it("acks a form-encoded slash command within 3 s; respond() reaches the response_url", async () => {
    const result = await emu.slashCommand("alice", "incidents", "/runbook consumer-lag");
    expect(result.delivery).toMatchObject({ status: 200, acked: true });
    expect(result.ackMs).toBeLessThan(3000);
    await emu.waitFor((m) => m.text === "Running consumer-lag");
    const quick = await emu.slashCommand("alice", "incidents", "/quick");
    expect(quick.response).toEqual({ text: "immediate answer" });
  });

  it("delivers a button click as the form field payload", async () => {
    const posted = await app.client.chat.postMessage({
      channel: "incidents",
      text: "x",
      blocks: APPROVAL_BLOCKS,
    });
    const click = await emu.clickButton("carol", "incidents", String(posted.ts), "approve");
    expect(click.delivery).toMatchObject({ status: 200, acked: true });
    const { action, body } = await until(() => seen.actions.find((a) => a.body.user?.id === "U_CAROL"));
    expect(action).toMatchObject({ action_id: "approve", block_id: "approval", value: "approve:req-1" });
    expect(body.container.message_ts).toBe(posted.ts);
  });

  it("gets 401 for a bad, stale or missing signature and the listener does not run", async () => {
    await emu.idle();
    for (const signature of ["bad", "stale", "missing"] as const) {
      const text = `signed ${signature}`;
      const { deliveries } = await emu.postMessageAsUser("bob", "incidents", text, { signature });
      expect(deliveries[0]).toMatchObject({ status: 401, acked: false });
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.messages.some((m) => m.event.text === text)).toBe(false);
    }
    const badCommand = await emu.slashCommand("bob", "incidents", "/runbook lag", { signature: "bad" });
    expect(badCommand.delivery.status).toBe(401);
  });

  it("redelivers with the same event_id and X-Slack-Retry-Num / X-Slack-Retry-Reason", async () => {
    const { message } = await emu.postMessageAsUser("alice", "incidents", "<@U_RUNBOOKBOT> status");
    const first = await until(() => seen.messages.find((m) => m.event.ts === message.ts));
    await emu.idle();
    const again = await emu.redeliverLastEvent({ reason: "http_error" });
    expect(again).toMatchObject({ status: 200, retryAttempt: 1, retryReason: "http_error" });
    // The last event was the app_mention that followed the message; redeliver that, then check both.
    const mention = emu.deliveries.filter(
      (d) => (d.payload.event as Json | undefined)?.type === "app_mention",
    );
    expect(mention.map((d) => d.eventId)).toEqual([again.eventId, again.eventId]);
    expect(first.retryNum).toBeUndefined();
  });
});

describe("Slack emulator HTTP deliveries on the wire", () => {
  it("signs like Slack and marks retries with headers", async () => {
    const requests: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
    const emu = await new SlackEmulator({
      requestUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/slack/events`,
    }).start();
    try {
      await emu.postMessageAsUser("alice", "incidents", "hello");
      await emu.redeliverLastEvent();
      await emu.slashCommand("alice", "incidents", "/runbook dlq");
      const [event, retry, command] = requests;
      for (const r of [event, retry, command]) {
        verifySlackRequest({
          signingSecret: emu.signingSecret,
          body: r?.body ?? "",
          headers: {
            "x-slack-signature": String(r?.headers["x-slack-signature"]),
            "x-slack-request-timestamp": Number(r?.headers["x-slack-request-timestamp"]),
          },
        });
      }
      expect(event?.headers["content-type"]).toBe("application/json");
      expect(event?.headers["x-slack-retry-num"]).toBeUndefined();
      expect(retry?.headers["x-slack-retry-num"]).toBe("1");
      expect(retry?.headers["x-slack-retry-reason"]).toBe("http_timeout");
      expect(JSON.parse(retry?.body ?? "{}").event_id).toBe(JSON.parse(event?.body ?? "{}").event_id);
      expect(command?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(new URLSearchParams(command?.body).get("command")).toBe("/runbook");
    } finally {
      await emu.stop();
      await new Promise((r) => sink.close(r));
    }
  });
});

describe("Slack emulator raw Socket Mode protocol", () => {
  it("says hello, sends envelopes, times acks and refuses reused tickets", async () => {
    const emu = await new SlackEmulator().start();
    try {
      const opened = (await (
        await fetch(`${emu.apiUrl}apps.connections.open`, {
          method: "POST",
          headers: { authorization: `Bearer ${emu.appToken}` },
        })
      ).json()) as { ok: boolean; url: string };
      const ws = new WebSocket(opened.url);
      const inbox: Json[] = [];
      ws.on("message", (data) => inbox.push(JSON.parse(data.toString()) as Json));
      await until(() => inbox[0]);
      expect(inbox[0]).toMatchObject({
        type: "hello",
        num_connections: 1,
        connection_info: { app_id: "A_RUNBOOKBOT" },
        debug_info: { host: expect.any(String) },
      });
      const pending = emu.slashCommand("alice", "incidents", "/runbook lag");
      const envelope = await until(() => inbox.find((m) => m.type === "slash_commands"));
      expect(envelope).toMatchObject({
        accepts_response_payload: true,
        payload: { command: "/runbook", text: "lag" },
      });
      await new Promise((r) => setTimeout(r, 30));
      ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "ok!" } }));
      const result = await pending;
      expect(result.ackMs).toBeGreaterThanOrEqual(25);
      expect(result.response).toEqual({ text: "ok!" });
      emu.sendSocketDisconnect("warning");
      const disconnect = await until(() => inbox.find((m) => m.type === "disconnect"));
      expect(disconnect.reason).toBe("warning");
      ws.close();
      const reused = new WebSocket(opened.url);
      const status = await new Promise<number>((resolve) => {
        reused.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        reused.on("error", () => resolve(-1));
      });
      expect(status).toBe(401);
    } finally {
      await emu.stop();
    }
  });
});

describe("Slack emulator with several Socket Mode connections (replicas of one app)", () => {
  /** A raw Socket Mode client that acks every envelope and keeps what it got. */
  async function connect(emu: SlackEmulator) {
    const opened = (await (
      await fetch(`${emu.apiUrl}apps.connections.open`, {
        method: "POST",
        headers: { authorization: `Bearer ${emu.appToken}` },
      })
    ).json()) as { ok: boolean; url: string };
    const ws = new WebSocket(opened.url);
    const inbox: Json[] = [];
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Json;
      inbox.push(message);
      if (typeof message.envelope_id === "string")
        ws.send(JSON.stringify({ envelope_id: message.envelope_id }));
    });
    const hello = await until(() => inbox.find((m) => m.type === "hello"));
    return { ws, inbox, hello, envelopes: () => inbox.filter((m) => typeof m.envelope_id === "string") };
  }

  it("sends each envelope to exactly one open connection, in turn, and records which", async () => {
    const emu = await new SlackEmulator().start();
    try {
      const first = await connect(emu);
      const second = await connect(emu);
      expect(first.hello.num_connections).toBe(1);
      expect(second.hello.num_connections).toBe(2);
      expect(emu.socketConnectionCount).toBe(2);
      const [firstId, secondId] = emu.socketConnectionIds;

      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => emu.slashCommand("alice", "incidents", `/runbook n${i}`)),
      );
      expect(results.every((r) => r.acked)).toBe(true);
      // Each envelope once, on one connection: three each, none on both.
      expect(first.envelopes()).toHaveLength(3);
      expect(second.envelopes()).toHaveLength(3);
      const texts = [...first.envelopes(), ...second.envelopes()].map((e) => (e.payload as Json).text);
      expect(new Set(texts)).toEqual(new Set(["n0", "n1", "n2", "n3", "n4", "n5"]));
      const byConnection = (id: string | undefined) =>
        results.filter((r) => r.delivery.connectionId === id).map((r) => r.delivery.deliveryId);
      expect(byConnection(firstId).sort()).toEqual(
        first
          .envelopes()
          .map((e) => e.envelope_id)
          .sort(),
      );
      expect(byConnection(secondId).sort()).toEqual(
        second
          .envelopes()
          .map((e) => e.envelope_id)
          .sort(),
      );

      // A connection asked to disconnect gets nothing more; the other one takes every envelope.
      emu.sendSocketDisconnect("warning");
      const third = await connect(emu);
      await until(() => first.inbox.find((m) => m.type === "disconnect"));
      const later = await Promise.all([
        emu.slashCommand("alice", "incidents", "/runbook later1"),
        emu.slashCommand("alice", "incidents", "/runbook later2"),
      ]);
      expect(later.every((r) => r.acked)).toBe(true);
      expect(third.envelopes()).toHaveLength(2);
      expect(first.envelopes()).toHaveLength(3);
      expect(second.envelopes()).toHaveLength(3);
      for (const c of [first, second, third]) c.ws.close();
    } finally {
      await emu.stop();
    }
  });
});

describe("Slack emulator Web API surface", () => {
  let emu: SlackEmulator;
  const call = async (method: string, body: Json | string, token?: string, json = false) => {
    const headers: Record<string, string> = {
      "content-type": json ? "application/json; charset=utf-8" : "application/x-www-form-urlencoded",
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${emu.apiUrl}${method}`, {
      method: "POST",
      headers,
      body:
        typeof body === "string"
          ? body
          : json
            ? JSON.stringify(body)
            : new URLSearchParams(body as never).toString(),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    emu = await new SlackEmulator({ socketConnectTimeoutMs: 50 }).start();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it("checks tokens like Slack", async () => {
    expect((await call("auth.test", {})).body).toEqual({ ok: false, error: "not_authed" });
    expect((await call("auth.test", {}, "xoxb-wrong")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect((await call("auth.test", {}, emu.appToken)).body.error).toBe("not_allowed_token_type");
    expect((await call("apps.connections.open", {}, emu.botToken)).body.error).toBe("not_allowed_token_type");
    expect((await call("auth.test", `token=${emu.botToken}`)).body.ok).toBe(true);
    expect((await call("nope.nothing", {}, emu.botToken)).body).toMatchObject({
      ok: false,
      error: "unknown_method",
    });
  });

  it("accepts JSON and form bodies, channel ids and names", async () => {
    const blocks = [section("from JSON")];
    const viaJson = await call(
      "chat.postMessage",
      { channel: "#incidents", text: "j", blocks },
      emu.botToken,
      true,
    );
    expect(viaJson.body).toMatchObject({
      ok: true,
      channel: "C_INCIDENTS",
      message: { blocks: [{ type: "section" }] },
    });
    const viaForm = await call(
      "chat.postMessage",
      { channel: "incidents", text: "f", blocks: JSON.stringify(blocks) },
      emu.botToken,
    );
    expect(viaForm.body.ok).toBe(true);
    expect(Number(viaForm.body.ts)).toBeGreaterThan(Number(viaJson.body.ts));
    expect(emu.callsTo("chat.postMessage").at(-1)?.body.blocks).toBe(JSON.stringify(blocks));
    const permalink = await call(
      "chat.getPermalink",
      { channel: "C_INCIDENTS", message_ts: String(viaForm.body.ts) },
      emu.botToken,
    );
    expect(permalink.body.permalink).toMatch(/\/archives\/C_INCIDENTS\/p\d{16}$/);
  });

  it("holds a method's answers until released: calls arrive, wait, then are answered as usual", async () => {
    const hold = emu.holdMethod("usergroups.users.list");
    expect(() => emu.holdMethod("usergroups.users.list")).toThrow(/already held/);
    const before = emu.callsTo("usergroups.users.list").length;
    let answered = 0;
    const pending = [1, 2].map(() =>
      call("usergroups.users.list", { usergroup: "S_SRE" }, emu.botToken).then((r) => {
        answered += 1;
        return r;
      }),
    );
    await until(() => (hold.waiting === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(0);
    expect(emu.callsTo("usergroups.users.list")).toHaveLength(before); // recorded when answered
    // Other methods are not held.
    expect((await call("auth.test", {}, emu.botToken)).body.ok).toBe(true);
    hold.release();
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.body)).toEqual([
      { ok: true, users: ["U_ALICE", "U_BOB", "U_CAROL"] },
      { ok: true, users: ["U_ALICE", "U_BOB", "U_CAROL"] },
    ]);
    expect(hold.waiting).toBe(0);
    // Released for good: later calls are answered at once, and the method can be held again.
    expect((await call("usergroups.users.list", { usergroup: "S_SRE" }, emu.botToken)).body.ok).toBe(true);
    emu.holdMethod("usergroups.users.list").release();
  });

  it("answers directory lookups and enforces membership", async () => {
    const list = await call("conversations.list", { types: "public_channel" }, emu.botToken);
    const names = (list.body.channels as Json[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["incidents", "alerts", "random"]));
    expect((await call("conversations.info", { channel: "C_NOPE" }, emu.botToken)).body.error).toBe(
      "channel_not_found",
    );
    expect((await call("users.info", { user: "U_BOB" }, emu.botToken)).body).toMatchObject({
      user: { name: "bob" },
    });
    expect((await call("usergroups.users.list", { usergroup: "S_ONCALL" }, emu.botToken)).body.users).toEqual(
      ["U_ALICE", "U_BOB"],
    );
    expect((await call("chat.postMessage", { channel: "random", text: "x" }, emu.botToken)).body.error).toBe(
      "not_in_channel",
    );
    const eph = await call(
      "chat.postEphemeral",
      { channel: "incidents", user: "U_CAROL", text: "psst" },
      emu.botToken,
    );
    expect(eph.body.ok).toBe(true);
    expect(emu.ephemeralFor("carol").map((m) => m.text)).toEqual(["psst"]);
    const before = emu.deliveries.length;
    await emu.postMessageAsUser("alice", "random", "not for the bot");
    expect(emu.deliveries.length).toBe(before);
    const msg = await emu.postMessageAsUser("alice", "incidents", "react to me");
    const reacted = await call(
      "reactions.add",
      { channel: "C_INCIDENTS", timestamp: msg.message.ts, name: "eyes" },
      emu.botToken,
    );
    expect(reacted.body.ok).toBe(true);
    const again = await call(
      "reactions.add",
      { channel: "C_INCIDENTS", timestamp: msg.message.ts, name: "eyes" },
      emu.botToken,
    );
    expect(again.body.error).toBe("already_reacted");
  });

  it("answers 429 with Retry-After when the per-channel rate limit is on", async () => {
    const limited = await new SlackEmulator({
      rateLimits: { postMessagePerChannelPerSecond: 1, retryAfterSeconds: 2 },
    }).start();
    try {
      const client = new webApi.WebClient(limited.botToken, {
        slackApiUrl: limited.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      await client.chat.postMessage({ channel: "incidents", text: "one" });
      await client.chat.postMessage({ channel: "alerts", text: "other channel is fine" });
      await expect(client.chat.postMessage({ channel: "incidents", text: "two" })).rejects.toMatchObject({
        code: webApi.ErrorCode.RateLimitedError,
        retryAfter: 2,
      });
      expect(limited.callsTo("chat.postMessage").at(-1)).toMatchObject({
        status: 429,
        response: { error: "ratelimited" },
      });
      expect(limited.channelHistory("incidents").map((m) => m.text)).toEqual(["one"]);
    } finally {
      await limited.stop();
    }
  });
});

describe("Block Kit limits", () => {
  const button = (over: Json = {}) => ({
    type: "actions",
    elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text: "Go" }, ...over }],
  });
  const confirm = (over: Json = {}) => ({
    title: { type: "plain_text", text: "Sure?" },
    text: { type: "mrkdwn", text: "Really" },
    confirm: { type: "plain_text", text: "Yes" },
    deny: { type: "plain_text", text: "No" },
    ...over,
  });
  const pt = (n: number) => ({ type: "plain_text", text: "x".repeat(n) });
  const cases: Array<[string, Json, Json]> = [
    ["section text 3000", section("x".repeat(3000)), section("x".repeat(3001))],
    [
      "10 fields of 2000",
      {
        type: "section",
        fields: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "x".repeat(2000) })),
      },
      { type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "x" })) },
    ],
    ["field 2000", { type: "section", fields: [pt(2000)] }, { type: "section", fields: [pt(2001)] }],
    ["header 150", { type: "header", text: pt(150) }, { type: "header", text: pt(151) }],
    [
      "header plain_text only",
      { type: "header", text: pt(1) },
      { type: "header", text: { type: "mrkdwn", text: "x" } },
    ],
    [
      "context 10 elements",
      { type: "context", elements: Array.from({ length: 10 }, () => pt(1)) },
      { type: "context", elements: Array.from({ length: 11 }, () => pt(1)) },
    ],
    [
      "actions 25 elements",
      {
        type: "actions",
        elements: Array.from({ length: 25 }, (_, i) => ({ type: "button", action_id: `a${i}`, text: pt(1) })),
      },
      {
        type: "actions",
        elements: Array.from({ length: 26 }, (_, i) => ({ type: "button", action_id: `a${i}`, text: pt(1) })),
      },
    ],
    ["button text 75", button({ text: pt(75) }), button({ text: pt(76) })],
    ["button value 2000", button({ value: "v".repeat(2000) }), button({ value: "v".repeat(2001) })],
    ["action_id 255", button({ action_id: "a".repeat(255) }), button({ action_id: "a".repeat(256) })],
    [
      "block_id 255",
      { ...section("x"), block_id: "b".repeat(255) },
      { ...section("x"), block_id: "b".repeat(256) },
    ],
    [
      "confirm title 100",
      button({ confirm: confirm({ title: pt(100) }) }),
      button({ confirm: confirm({ title: pt(101) }) }),
    ],
    [
      "confirm text 300",
      button({ confirm: confirm({ text: pt(300) }) }),
      button({ confirm: confirm({ text: pt(301) }) }),
    ],
    [
      "confirm button 30",
      button({ confirm: confirm({ confirm: pt(30) }) }),
      button({ confirm: confirm({ deny: pt(31) }) }),
    ],
    ["text objects need text", section("x"), { type: "section", text: { type: "mrkdwn", text: "" } }],
    [
      "mrkdwn has no emoji",
      section("x"),
      { type: "section", text: { type: "mrkdwn", text: "x", emoji: true } },
    ],
    ["known text types", section("x"), { type: "section", text: { type: "markdown", text: "x" } }],
  ];

  it.each(cases)("%s: accepts the limit, refuses one past it", (_name, good, bad) => {
    expect(validateBlocks([good], { maxBlocks: 50 })).toEqual([]);
    expect(validateBlocks([bad], { maxBlocks: 50 }).length).toBeGreaterThan(0);
  });

  it("allows 50 blocks per message and 100 per modal", () => {
    const fifty = Array.from({ length: 50 }, () => ({ type: "divider" }));
    expect(validateBlocks(fifty, { maxBlocks: 50 })).toEqual([]);
    expect(validateBlocks([...fifty, { type: "divider" }], { maxBlocks: 50 })).toEqual([
      "no more than 50 items allowed [json-pointer:/blocks]",
    ]);
    expect(validateBlocks([...fifty, ...fifty], { maxBlocks: 100 })).toEqual([]);
  });
});
