/**
 * The bot: a Bolt app (Socket Mode or HTTP) wired to the incident service, the store and the ports.
 * The only place that constructs @slack/bolt objects.
 */
import { App, HTTPReceiver, LogLevel, webApi } from "@slack/bolt";
import type { AppConfig } from "../config/schema.ts";
import { IncidentService } from "../engine/incident-service.ts";
import { replicaSweeps } from "../engine/replica-sweeps.ts";
import type { Logger } from "../logger.ts";
import type { Ports } from "../ports/index.ts";
import { noTelemetry, type Telemetry } from "../ports/telemetry.ts";
import type { Store } from "../store/store.ts";
import { hintingThread } from "./api-error-hint.ts";
import { boltLogger } from "./bolt-logger.ts";
import { ChannelFilter } from "./channel-filter.ts";
import { countingFetch } from "./count-calls.ts";
import { registerActionListeners } from "./listeners/action-listener.ts";
import { registerCommandListener } from "./listeners/command-listener.ts";
import { registerMessageListener } from "./listeners/message-listener.ts";
import { normalizeIncoming } from "./normalize-payload.ts";
import { coordinatedPacer, Outbox, type OutboxLimits, systemOutboxTimer } from "./outbox/index.ts";
import { proposalTraits } from "./render/index.ts";
import { refuseUnfreshRequests } from "./request-freshness.ts";
import { type SlackConnectionState, watchSlackConnection } from "./slack-connection.ts";
import { SlackDirectory, SlackThread, sendWith } from "./slack-thread.ts";

export interface BotOptions {
  readonly config: AppConfig;
  readonly ports: Ports;
  readonly store: Store;
  readonly logger: Logger;
  /** Overrides config.slack.apiUrl (the sandbox's emulator). */
  readonly apiUrl?: string;
  /** Web API retries; 0 against an emulator so that a failing call cannot hang for minutes. */
  readonly retries?: number;
  /** How often pending approvals are checked for expiry. */
  readonly expirySweepMs?: number;
  /** The outbox's rates and retries (default: Slack's documented limits). */
  readonly outboxLimits?: Partial<OutboxLimits>;
  /** How long `stop()` drains the outbox before leaving the rest in the store (default 5000 ms). */
  readonly drainMs?: number;
  /** How long `stop()` then waits for runs in progress (default 3000 ms). */
  readonly stopIdleMs?: number;
  /** Where the bot's metrics go (default: nowhere). */
  readonly telemetry?: Telemetry;
}

export interface RunningBot {
  readonly app: App;
  readonly service: IncidentService;
  /** Thread posts and status updates on their way to Slack. */
  readonly outbox: Outbox;
  /** Messages the last run left in the ledger, sent at this start. */
  readonly resumed: number;
  /** HTTP mode: the port /slack/events listens on. */
  readonly port?: number;
  /** Whether Slack is connected now (the Socket Mode connection open, or the HTTP receiver up). */
  slackConnection(): SlackConnectionState;
  stop(): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const telemetry = options.telemetry ?? noTelemetry;
  const { slackBotToken: token, slackAppToken: appToken, slackSigningSecret: signingSecret } = config.secrets;
  if (!token) throw new Error("SLACK_BOT_TOKEN is not set");
  const apiUrl = options.apiUrl ?? config.slack.apiUrl;
  const fetchCounted = countingFetch(apiUrl, telemetry);
  const clientOptions = {
    slackApiUrl: apiUrl,
    fetch: fetchCounted,
    ...(options.retries === undefined ? {} : { retryConfig: { retries: options.retries } }),
  };
  const common = { token, logger: boltLogger(logger), logLevel: LogLevel.WARN, clientOptions };
  const app =
    config.slack.mode === "socket"
      ? new App({ ...common, appToken: appToken ?? "", socketMode: true })
      : new App({ ...common, receiver: freshHttpReceiver(signingSecret ?? "", config.slack.port, logger) });
  normalizeIncoming(app as unknown as Parameters<typeof normalizeIncoming>[0]);

  // Thread posts go through the outbox, which is their one retry layer: its client neither
  // retries nor waits out a 429 by itself (WebClient's own policy would wait Retry-After and then
  // add its backoff on top, 14-16 s for Retry-After: 1).
  const outboxClient = new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    fetch: fetchCounted,
    logger: boltLogger(logger),
    logLevel: LogLevel.WARN,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
  const outbox = new Outbox({
    send: sendWith(outboxClient),
    ledger: options.store.outboxLedger(),
    timer: systemOutboxTimer,
    // Slack's limits are per channel and per workspace: every replica on the store draws from the same slots.
    pacer: coordinatedPacer(options.store.coordination()),
    onPacing: (shared, error) =>
      shared
        ? logger.info("the store's send slots are back: pacing Slack calls with the other replicas again")
        : logger.warn(
            { err: error },
            "cannot reserve send slots in the store: pacing Slack calls in this process alone",
          ),
    ...(options.outboxLimits ? { limits: options.outboxLimits } : {}),
    onFailure: (call, failure, willRetry) => {
      if (willRetry) telemetry.slackRetry(call.method);
      logger.warn(
        { method: call.method, channel: call.args.channel, reason: failure.reason, willRetry },
        willRetry ? "Slack refused a thread message; retrying" : "Slack refused a thread message for good",
      );
    },
  });

  const idleBoundMs = options.stopIdleMs ?? 3000;
  const service = new IncidentService({
    config,
    ports: options.ports,
    store: options.store,
    logger,
    thread: hintingThread(
      new SlackThread({
        client: app.client,
        outbox,
        traits: proposalTraits(config.approvals.riskTiers),
        onUploadError: (error, file) =>
          logger.warn(
            { err: error, filename: file.filename },
            "could not attach a chart to a step (without the files:write scope, charts stop until restart)",
          ),
      }),
      channelNameOf(app),
    ),
    directory: new SlackDirectory(app.client),
    telemetry,
  });
  const channels = new ChannelFilter(config.slack.incidentChannels, app.client);
  registerMessageListener(app, { config, service, store: options.store, channels, logger, telemetry });
  registerCommandListener(app, { config, service, logger });
  registerActionListeners(app, { config, service, logger });
  app.error(async (error) => {
    logger.error({ err: error }, "unhandled error in a Slack listener");
  });

  if (config.slack.mode === "http") await app.start(config.slack.port);
  else await app.start();
  logger.info({ mode: config.slack.mode }, "connected to Slack");
  const slackConnection = watchSlackConnection(app, config.slack.mode);
  const leftover = await outbox.resume();
  if (leftover > 0) logger.info({ messages: leftover }, "sending the thread messages left by the last run");

  // The sweeps and the start-up recovery, on one replica at a time (replica-sweeps.ts): this call
  // returns after the first try (the recovery done here when the lease was free).
  const sweeps = replicaSweeps({
    service,
    coordination: options.store.coordination(),
    logger,
    leaseMs: config.replicas.leaseSeconds * 1000,
    everyMs: options.expirySweepMs ?? 15_000,
  });
  await sweeps.start();

  return {
    app,
    service,
    outbox,
    resumed: leftover,
    slackConnection,
    ...(config.slack.mode === "http" ? { port: config.slack.port } : {}),
    async stop() {
      await sweeps.stop();
      service.storeAlarm.stop();
      await app.stop().catch(() => undefined);
      await service.stopVerifications();
      // Drain what Slack takes within the bound; the rest stays in the store for the next start.
      const { left } = await outbox.close(options.drainMs ?? 5000);
      if (left > 0)
        logger.warn({ messages: left }, "stopping with thread messages unsent: kept for the next start");
      // Runs still going end quickly now (their posts are kept, not sent); a probe stuck on a
      // slow system does not hold the exit beyond the bound.
      const bound = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), idleBoundMs).unref(),
      );
      if ((await Promise.race([service.idle(), bound])) === "timeout")
        logger.warn({ ms: idleBoundMs }, "stopping with diagnostics still running");
    },
  };
}

/** Bolt's HTTP receiver, with requests more than 5 minutes from the clock (either way) refused. */
function freshHttpReceiver(signingSecret: string, port: number, logger: Logger): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    port,
    logger: boltLogger(logger),
    logLevel: LogLevel.WARN,
  });
  receiver.requestListener = refuseUnfreshRequests(receiver.requestListener, logger);
  return receiver;
}

/** A channel's name (for the log's hints), read with conversations.info. */
function channelNameOf(app: App): (channelId: string) => Promise<string | undefined> {
  return async (channel) => (await app.client.conversations.info({ channel })).channel?.name;
}
