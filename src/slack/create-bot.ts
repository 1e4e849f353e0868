/**
 * The bot: a Bolt app (Socket Mode or HTTP) wired to the incident service, the store and the ports.
 * The only place that constructs @slack/bolt objects.
 */
import { App, LogLevel } from "@slack/bolt";
import type { AppConfig } from "../config/schema.ts";
import { IncidentService } from "../engine/incident-service.ts";
import { errorMessage } from "../engine/run-probe.ts";
import type { Logger } from "../logger.ts";
import type { Ports } from "../ports/index.ts";
import type { Store } from "../store/store.ts";
import { boltLogger } from "./bolt-logger.ts";
import { ChannelFilter } from "./channel-filter.ts";
import { registerActionListeners } from "./listeners/action-listener.ts";
import { registerCommandListener } from "./listeners/command-listener.ts";
import { registerMessageListener } from "./listeners/message-listener.ts";
import { normalizeIncoming } from "./normalize-payload.ts";
import { proposalTraits } from "./render/index.ts";
import { SlackDirectory, SlackThread } from "./slack-thread.ts";

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
}

export interface RunningBot {
  readonly app: App;
  readonly service: IncidentService;
  /** HTTP mode: the port /slack/events listens on. */
  readonly port?: number;
  stop(): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const { slackBotToken: token, slackAppToken: appToken, slackSigningSecret: signingSecret } = config.secrets;
  if (!token) throw new Error("SLACK_BOT_TOKEN is not set");
  const clientOptions = {
    slackApiUrl: options.apiUrl ?? config.slack.apiUrl,
    ...(options.retries === undefined ? {} : { retryConfig: { retries: options.retries } }),
  };
  const common = { token, logger: boltLogger(logger), logLevel: LogLevel.WARN, clientOptions };
  const app =
    config.slack.mode === "socket"
      ? new App({ ...common, appToken: appToken ?? "", socketMode: true })
      : new App({ ...common, signingSecret: signingSecret ?? "", port: config.slack.port });
  normalizeIncoming(app as unknown as Parameters<typeof normalizeIncoming>[0]);

  const service = new IncidentService({
    config,
    ports: options.ports,
    store: options.store,
    logger,
    thread: new SlackThread({
      client: app.client,
      traits: proposalTraits(config.approvals.riskTiers),
      onUploadError: (error, file) =>
        logger.warn(
          { err: errorMessage(error), filename: file.filename },
          "could not attach a chart to a step (without the files:write scope, charts stop until restart)",
        ),
    }),
    directory: new SlackDirectory(app.client),
  });
  const channels = new ChannelFilter(config.slack.incidentChannels, app.client);
  registerMessageListener(app, { config, service, store: options.store, channels, logger });
  registerCommandListener(app, { config, service, logger });
  registerActionListeners(app, { config, service, logger });
  app.error(async (error) => {
    logger.error({ err: errorMessage(error) }, "unhandled error in a Slack listener");
  });

  if (config.slack.mode === "http") await app.start(config.slack.port);
  else await app.start();
  logger.info({ mode: config.slack.mode }, "connected to Slack");

  await service
    .recoverInterrupted()
    .catch((error: unknown) =>
      logger.warn({ err: errorMessage(error) }, "could not recover interrupted actions"),
    );
  const sweeper = setInterval(() => {
    service
      .sweepExpired()
      .catch((error: unknown) => logger.warn({ err: errorMessage(error) }, "expiry sweep failed"));
    service
      .sweepInterrupted()
      .catch((error: unknown) =>
        logger.warn({ err: errorMessage(error) }, "interrupted-execution sweep failed"),
      );
  }, options.expirySweepMs ?? 15_000);
  sweeper.unref();

  return {
    app,
    service,
    ...(config.slack.mode === "http" ? { port: config.slack.port } : {}),
    async stop() {
      clearInterval(sweeper);
      await app.stop().catch(() => undefined);
      await service.stopVerifications();
      await service.idle();
    },
  };
}
