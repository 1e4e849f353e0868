/**
 * The embedded default: the real bot against a built-in Slack emulator (Socket Mode, real
 * envelopes) and a simulated platform telling the consumer-lag story. No credentials needed.
 */
import type { AppConfig } from "../config/schema.ts";
import type { Logger } from "../logger.ts";
import { systemClock } from "../ports/clock.ts";
import { type RunningBot, startBot } from "../slack/create-bot.ts";
import type { OutboxLimits } from "../slack/outbox/index.ts";
import { openSqliteStore } from "../store/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { type SwitchablePorts, switchablePorts } from "./drills/switchable-ports.ts";
import { createSimulatedPlatform, type SimulatedPlatform } from "./simulated/simulated-ports.ts";
import { withSimulatedWorldNames } from "./simulated/world-config.ts";
import { SlackEmulator } from "./slack-emulator/index.ts";
import type { RateLimitConfig } from "./slack-emulator/rate-limit.ts";

export const SANDBOX_CHANNEL = "C_INCIDENTS";

export interface Sandbox {
  readonly emulator: SlackEmulator;
  readonly platform: SimulatedPlatform;
  /** What the bot sees; `world.use(ports)` switches it (drills). */
  readonly world: SwitchablePorts;
  readonly bot: RunningBot;
  readonly store: Store;
  readonly config: AppConfig;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** SQLite file; in memory by default (the emulator's messages are in memory too). */
  readonly storePath?: string;
  /** Deliver over signed HTTP instead of Socket Mode. */
  readonly transport?: "socket" | "http";
  readonly httpPort?: number;
  readonly platform?: SimulatedPlatform;
  /** Slack's limits enforced by the emulator (off by default). */
  readonly rateLimits?: RateLimitConfig;
  /** The bot's outbox rates: Slack's own when the emulator enforces them, else no pacing. */
  readonly outboxLimits?: Partial<OutboxLimits>;
}

/** Outbox rates for an emulator that enforces no limit. */
const UNPACED: Partial<OutboxLimits> = {
  postPerChannel: { perSecond: 1000, burst: 1000 },
  updates: { perSecond: 1000, burst: 1000 },
};

/** The sandbox's config: the user's file, pointed at the emulator, with sandbox approvers when none are set. */
export function sandboxConfig(
  base: AppConfig,
  emulator: SlackEmulator,
  transport: "socket" | "http",
  httpPort?: number,
): AppConfig {
  const interval = base.runbooks.lagSampleIntervalSeconds;
  return {
    ...withSimulatedWorldNames(base),
    slack: {
      ...base.slack,
      mode: transport,
      apiUrl: emulator.apiUrl,
      ...(httpPort ? { port: httpPort } : {}),
      incidentChannels: ["incidents"],
    },
    runbooks: { ...base.runbooks, lagSampleIntervalSeconds: interval === 30 ? 3 : interval },
    approvals:
      base.approvals.users.length === 0 && base.approvals.usergroups.length === 0
        ? { ...base.approvals, usergroups: ["S_ONCALL"] }
        : base.approvals,
    secrets: {
      slackBotToken: emulator.botToken,
      slackAppToken: emulator.appToken,
      slackSigningSecret: emulator.signingSecret,
    },
  };
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const transport = options.transport ?? "socket";
  const emulator = await new SlackEmulator(
    options.rateLimits ? { rateLimits: options.rateLimits } : {},
  ).start();
  const platform = options.platform ?? createSimulatedPlatform(systemClock);
  const world = switchablePorts(platform.ports);
  const config = sandboxConfig(options.config, emulator, transport, options.httpPort);
  const store = openSqliteStore(options.storePath ?? ":memory:");
  if (transport === "http") emulator.useHttpDelivery(`http://127.0.0.1:${config.slack.port}/slack/events`);
  let bot: RunningBot;
  try {
    bot = await startBot({
      config,
      ports: world.ports,
      store,
      logger: options.logger,
      apiUrl: emulator.apiUrl,
      retries: 0,
      outboxLimits: options.outboxLimits ?? (options.rateLimits ? {} : UNPACED),
    });
  } catch (error) {
    await emulator.stop();
    await store.close();
    throw error;
  }
  if (transport === "socket") await emulator.waitForSocketConnections(1);
  return {
    emulator,
    platform,
    world,
    bot,
    store,
    config,
    async stop() {
      await bot.stop();
      // Bolt does not wait for the socket's close handshake: let it finish before the server goes.
      await emulator.waitForSocketConnections(0, 2000).catch(() => undefined);
      await emulator.stop();
      await store.close();
    },
  };
}
