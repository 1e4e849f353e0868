/**
 * End-to-end harness: the real bot (startBot) against the Slack emulator (Socket Mode by default,
 * signed HTTP on request), a Kubernetes API test server reached through the REAL Kubernetes
 * adapter, simulated Kafka/CloudWatch for the diagnosis data, and a SQLite store in a temp file
 * (so that a test can restart the bot on the same file).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { type AppConfig, configSchema } from "../../src/config/schema.ts";
import { findRunbook, type RunbookMeta } from "../../src/core/catalog.ts";
import { type Logger, silentLogger } from "../../src/logger.ts";
import { type Clock, systemClock } from "../../src/ports/clock.ts";
import type { Ports } from "../../src/ports/index.ts";
import { alertmanagerMessage } from "../../src/sandbox/alert-messages.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka, SimulatedMetrics } from "../../src/sandbox/simulated/simulated-ports.ts";
import { SlackEmulator, type SlackEmulatorOptions } from "../../src/sandbox/slack-emulator/index.ts";
import type { StoredMessage, StoredView } from "../../src/sandbox/slack-emulator/types.ts";
import { type RunningBot, startBot } from "../../src/slack/create-bot.ts";
import type { OutboxLimits } from "../../src/slack/outbox/index.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import type { Store } from "../../src/store/store.ts";
import { type KubeApiServer, startKubeApiServer } from "../peers/kube-api-server.ts";

export const CHANNEL = "C_INCIDENTS";
export const SCALE_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager/scale";
/** Generous: a slow shared 2-core machine. */
export const WAIT_MS = 20_000;

export interface HarnessOptions {
  readonly transport?: "socket" | "http";
  /**
   * Merged into the config before parsing (e.g. `{approvals: {...}}`). The base sets
   * `approvals.riskTiers: {"scale-taskmanagers": "high"}` (a second person approves scaling).
   */
  readonly config?: Record<string, unknown>;
  readonly expirySweepMs?: number;
  /** Slack user ids allowed to request and approve (default U_ALICE, U_BOB). */
  readonly approvers?: string[];
  /** Slack user group ids whose members may request and approve (resolved with usergroups.users.list). */
  readonly usergroups?: string[];
  /** Extra ports for the bot (e.g. an MSK adapter on its stand-in), added to the default ones. */
  readonly ports?: Partial<Omit<Ports, "clock">>;
  /** The bot's logger (default: silent), e.g. one writing to a stream a test reads. */
  readonly logger?: Logger;
  /** The emulator's options (e.g. `rateLimits`: Slack's posting limits enforced). */
  readonly emulator?: SlackEmulatorOptions;
  /**
   * The bot's outbox rates and retries. Default: no pacing (the emulator enforces no limit unless
   * told), Slack's retry policy.
   */
  readonly outboxLimits?: Partial<OutboxLimits>;
  /** How long the bot's stop drains its outbox (default 5000 ms). */
  readonly drainMs?: number;
  /** The Kubernetes adapter's per-call timeout (default 10 s): shorter to time out a held write. */
  readonly kubeTimeoutMs?: number;
}

/** Outbox rates for an emulator that enforces no limit: the suites need not wait on pacing. */
export const UNPACED: Partial<OutboxLimits> = {
  postPerChannel: { perSecond: 1000, burst: 1000 },
  updates: { perSecond: 1000, burst: 1000 },
};

export interface Harness {
  readonly emulator: SlackEmulator;
  readonly kube: KubeApiServer;
  /** The simulated world behind Kafka and CloudWatch (the kube test server does not drive it). */
  readonly scenario: ConsumerLagScenario;
  /** The bot's clock: `clock.advance(ms)` moves it on without waiting. */
  readonly clock: AdvancingClock;
  readonly config: AppConfig;
  readonly storePath: string;
  readonly bot: RunningBot;
  readonly store: Store;
  /** Stops the bot (and closes its store) and starts a new one on the same SQLite file. */
  restartBot(): Promise<void>;
  /** Posts Alertmanager's Slack message for a runbook's alert (firing or resolved) as a webhook bot. */
  postAlert(runbookId: string, state?: "firing" | "resolved", count?: number): Promise<StoredMessage>;
  /** Waits until the bot's background work (runs, executions) is done. */
  idle(): Promise<void>;
  /** The bot's replies in a thread (the root excluded). */
  botReplies(threadTs: string): StoredMessage[];
  /** Waits for a bot reply in the thread matching `predicate` (already there or to come). */
  waitForReply(threadTs: string, predicate: (m: StoredMessage) => boolean): Promise<StoredMessage>;
  /** Posts a firing alert, waits for its incident's status message and for the run to finish. */
  runAlert(runbookId?: string): Promise<StoredMessage>;
  /** Clicks the thread's "Scale taskmanagers" proposal as `user`; resolves with the approval request message. */
  requestScale(threadTs: string, user: string): Promise<StoredMessage>;
  /**
   * Clicks a form button ("Other replica count…") of `message` as `user` and resolves with the modal
   * once the bot has replaced its "Reading the current state…" with the form (or a refusal).
   */
  openForm(message: StoredMessage, button: RegExp, user: string): Promise<StoredView>;
  /** Every Web API call the emulator refused (ok:false). */
  failedCalls(): { method: string; error: unknown }[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return out;
}

export function runbookMeta(id: string): RunbookMeta {
  const meta = findRunbook(id);
  if (!meta) throw new Error(`no runbook ${id}`);
  return meta;
}

/** What a bot needs to reach the Slack emulator (a SlackEmulator has all of it). */
export interface SlackAccess {
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
}

/** The parts of HarnessOptions that make a bot's config, plus the HTTP port in HTTP mode. */
export interface E2eConfigOptions
  extends Pick<HarnessOptions, "transport" | "config" | "approvers" | "usergroups"> {
  readonly port?: number;
}

/**
 * The config every end-to-end bot runs with (in this process, or in a child process on the same
 * emulator and SQLite file): the emulator's Slack, `#incidents`, scaling as high risk, U_ALICE and
 * U_BOB as approvers unless `approvers` says otherwise.
 */
export function e2eConfig(slack: SlackAccess, storePath: string, options: E2eConfigOptions = {}): AppConfig {
  const transport = options.transport ?? "socket";
  const fileConfig = configSchema.parse(
    merge(
      {
        slack: {
          mode: transport,
          apiUrl: slack.apiUrl,
          incidentChannels: ["incidents"],
          ...(options.port === undefined ? {} : { port: options.port }),
        },
        runbooks: { lagSampleIntervalSeconds: 0 },
        // Scaling is declared low risk (one click executes it); the suites exercise the two-person
        // flow on it, so it runs as high here unless a test sets its own tier.
        approvals: { riskTiers: { "scale-taskmanagers": "high" } },
        store: { path: storePath },
        // A short lease: a bot started after a SIGKILL takes the sweeps over within seconds.
        replicas: { leaseSeconds: 3 },
        log: { level: "silent" },
      },
      options.config ?? {},
    ),
  );
  // The emulator's ids (U_ALICE, S_SRE) have an underscore, which the schema rightly refuses for
  // real Slack ids: the approvers are set after parsing, as sandboxConfig() does.
  return {
    ...fileConfig,
    approvals: {
      ...fileConfig.approvals,
      users: options.approvers ?? ["U_ALICE", "U_BOB"],
      ...(options.usergroups === undefined ? {} : { usergroups: options.usergroups }),
    },
    secrets: {
      slackBotToken: slack.botToken,
      slackAppToken: slack.appToken,
      slackSigningSecret: slack.signingSecret,
    },
  };
}

/**
 * The ports of an end-to-end bot: the consumer-lag story's simulated Kafka and CloudWatch for the
 * diagnosis, and the REAL Kubernetes adapter on the Kubernetes API test server for the fixes.
 */
export function e2ePorts(
  kubeConfigYaml: string,
  extra: Partial<Omit<Ports, "clock">> = {},
  scenario = new ConsumerLagScenario(),
  kubeTimeoutMs = 10_000,
  clock: Clock = systemClock,
): Ports {
  return {
    kafka: new SimulatedKafka(scenario),
    metrics: new SimulatedMetrics(scenario),
    kubernetes: createKubernetes({ kubeConfigYaml, requestTimeoutMs: kubeTimeoutMs }),
    ...extra,
    clock,
  };
}

/** The system clock moved on by what a test adds (never back): "a minute later" without waiting. */
export class AdvancingClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }
}

/** Driving and reading the incident channel of the emulator, whichever process runs the bot. */
export type SlackDriver = Pick<
  Harness,
  "postAlert" | "botReplies" | "waitForReply" | "runAlert" | "requestScale" | "failedCalls"
>;

/** The Slack side of a harness; `idle` waits for the bot's background work (or what stands for it). */
export function slackDriver(emulator: SlackEmulator, idle: () => Promise<void>): SlackDriver {
  const driver: SlackDriver = {
    async postAlert(runbookId, state = "firing", count = 1) {
      const meta = runbookMeta(runbookId);
      const posted = await emulator.postBotMessage(CHANNEL, alertmanagerMessage(meta, state, count));
      return posted.message;
    },
    botReplies(threadTs) {
      return (
        emulator
          .thread(CHANNEL, threadTs)
          // Chart images are file_share messages of their own under a step: not replies of the runbook.
          .filter(
            (m) => m.ts !== threadTs && m.user === emulator.identity.botUserId && m.subtype !== "file_share",
          )
      );
    },
    waitForReply(threadTs, predicate) {
      return emulator.waitFor(
        (m) =>
          m.channel === CHANNEL &&
          m.thread_ts === threadTs &&
          m.ts !== threadTs &&
          m.user === emulator.identity.botUserId &&
          predicate(m),
        WAIT_MS,
      );
    },
    async runAlert(runbookId = "consumer-lag") {
      const root = await driver.postAlert(runbookId);
      await driver.waitForReply(root.ts, (m) => /Incident `inc-/.test(textOf(m)));
      await idle();
      return root;
    },
    async requestScale(threadTs, user) {
      const step4 = await driver.waitForReply(threadTs, (m) => /Step 4: Fix/.test(m.text));
      const actionId = scaleButtonId(step4);
      if (!actionId) throw new Error("Step 4 has no Scale taskmanagers button");
      const before = new Set(driver.botReplies(threadTs).map((m) => m.ts));
      await emulator.clickButton(user, CHANNEL, step4.ts, actionId);
      return driver.waitForReply(
        threadTs,
        (m) => !before.has(m.ts) && buttonOf(m, APPROVE_ACTION_ID) !== undefined,
      );
    },
    failedCalls() {
      return emulator.calls
        .filter((c) => c.response.ok !== true)
        .map((c) => ({ method: c.method, error: c.response.error }));
    },
  };
  return driver;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const transport = options.transport ?? "socket";
  const emulator = await new SlackEmulator(options.emulator ?? {}).start();
  const kube = await startKubeApiServer();
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-e2e-"));
  const storePath = join(dir, "bot.db");
  const port = transport === "http" ? await freePort() : undefined;
  const config = e2eConfig(emulator, storePath, {
    transport,
    ...(port === undefined ? {} : { port }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.approvers === undefined ? {} : { approvers: options.approvers }),
    ...(options.usergroups === undefined ? {} : { usergroups: options.usergroups }),
  });
  if (port !== undefined) emulator.useHttpDelivery(`http://127.0.0.1:${port}/slack/events`);
  const scenario = new ConsumerLagScenario();
  const clock = new AdvancingClock();
  const ports = e2ePorts(kube.kubeConfigYaml, options.ports, scenario, options.kubeTimeoutMs, clock);

  const launch = async (): Promise<{ bot: RunningBot; store: Store }> => {
    const store = openSqliteStore(storePath);
    try {
      const bot = await startBot({
        config,
        ports,
        store,
        logger: options.logger ?? silentLogger,
        apiUrl: emulator.apiUrl,
        retries: 0,
        outboxLimits: options.outboxLimits ?? UNPACED,
        ...(options.drainMs === undefined ? {} : { drainMs: options.drainMs }),
        ...(options.expirySweepMs === undefined ? {} : { expirySweepMs: options.expirySweepMs }),
      });
      if (transport === "socket") await emulator.waitForSocketConnections(1, WAIT_MS);
      return { bot, store };
    } catch (error) {
      await store.close();
      throw error;
    }
  };
  const shutdown = async (running: { bot: RunningBot; store: Store }) => {
    await running.bot.stop();
    if (transport === "socket") await emulator.waitForSocketConnections(0, WAIT_MS);
    await running.store.close();
  };

  let running: { bot: RunningBot; store: Store };
  try {
    running = await launch();
  } catch (error) {
    await emulator.stop();
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const harness: Harness = {
    emulator,
    kube,
    scenario,
    clock,
    config,
    storePath,
    get bot() {
      return running.bot;
    },
    get store() {
      return running.store;
    },
    async restartBot() {
      await shutdown(running);
      running = await launch();
    },
    idle: () => running.bot.service.idle(),
    ...slackDriver(emulator, () => running.bot.service.idle()),
    async openForm(message, button, user) {
      const actionId = buttonOf(message, button)?.action_id;
      if (typeof actionId !== "string") throw new Error(`no button ${String(button)} in ${message.ts}`);
      const userId = emulator.state.resolveUser(user)?.id;
      const before = new Set(emulator.state.views.keys());
      await emulator.clickButton(user, message.channel, message.ts, actionId);
      let opened: StoredView | undefined;
      await until(() => {
        opened = [...emulator.state.views.values()].find(
          (v) =>
            !before.has(v.id) &&
            v.user === userId &&
            !v.closed &&
            !JSON.stringify(v.blocks).includes("Reading the current state"),
        );
        return opened !== undefined;
      });
      return opened!;
    },
    async stop() {
      try {
        await shutdown(running);
      } finally {
        await emulator.stop();
        await kube.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return harness;
}

// ---------------------------------------------------------------------------------------------
// Reading Block Kit

type Json = Record<string, unknown>;

/** Every text in a message: its fallback text and every text field of its blocks, joined. */
export function textOf(message: StoredMessage): string {
  const parts: string[] = [message.text];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "text" && typeof value === "string") parts.push(value);
      else if (key !== "value") visit(value);
    }
  };
  visit(message.blocks ?? []);
  return parts.join("\n");
}

/** The interactive elements (buttons, selects) of a message's actions blocks. */
export function elementsOf(message: StoredMessage): Json[] {
  return (message.blocks ?? [])
    .filter((b) => b.type === "actions")
    .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as Json[]) : []));
}

export function buttonOf(message: StoredMessage, actionId: string | RegExp): Json | undefined {
  return elementsOf(message).find((e) =>
    typeof actionId === "string"
      ? e.action_id === actionId
      : typeof e.action_id === "string" && actionId.test(e.action_id),
  );
}

/** The action_id of the message's scale-taskmanagers proposal button. */
export function scaleButtonId(message: StoredMessage): string | undefined {
  const b = buttonOf(message, /^proposal:scale-taskmanagers/);
  return typeof b?.action_id === "string" ? b.action_id : undefined;
}

/** Polls `condition` (every 20 ms) until it holds; for states no emulator event announces. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`until: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One harness per test, stopped after it: `const start = harnessPerTest(startHarness)`. After each
 * test it also checks that no Web API call the bot made was refused by the emulator.
 */
export function harnessPerTest<O, H extends { failedCalls(): unknown[]; stop(): Promise<void> }>(
  launch: (options?: O) => Promise<H>,
): (options?: O) => Promise<H> {
  let current: H | undefined;
  afterEach(async () => {
    if (!current) return;
    const running = current;
    current = undefined;
    const failed = running.failedCalls();
    await running.stop();
    expect(failed).toEqual([]);
  });
  return async (options) => {
    current = await launch(options);
    return current;
  };
}
