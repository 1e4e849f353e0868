/**
 * What `serve` runs beside the bot: the telemetry (prom-client) and the ops endpoints, told as the
 * process comes up what is ready (config at once, then the store, then Slack) and when it stops.
 * Started first, so that /healthz answers and /readyz says 503 while Slack is still connecting.
 */
import type { AppConfig } from "../config/schema.ts";
import type { Logger } from "../logger.ts";
import { noTelemetry, type Telemetry } from "../ports/telemetry.ts";
import type { Store } from "../store/store.ts";
import { type OpsServer, startOpsServer } from "./ops-server.ts";
import { PromTelemetry } from "./prom-telemetry.ts";
import { type ReadinessInput, readiness } from "./readiness.ts";

export interface SlackConnection {
  readonly connected: boolean;
  readonly detail: string;
}

export interface OpsRuntime {
  readonly telemetry: Telemetry;
  /** The port the endpoints listen on (undefined: not served). */
  readonly port: number | undefined;
  attachStore(store: Pick<Store, "health">): void;
  attachSlack(connection: () => SlackConnection): void;
  /** From now on /readyz says 503 (the process is stopping). */
  stopping(): void;
  close(): Promise<void>;
}

export async function startOps(config: AppConfig, logger: Logger): Promise<OpsRuntime> {
  if (!config.ops.enabled) {
    return {
      telemetry: noTelemetry,
      port: undefined,
      attachStore: () => undefined,
      attachSlack: () => undefined,
      stopping: () => undefined,
      close: async () => undefined,
    };
  }
  const telemetry = new PromTelemetry();
  let store: Pick<Store, "health"> | undefined;
  let slack: () => SlackConnection = () => ({
    connected: false,
    detail:
      config.slack.mode === "socket" ? "connecting to Slack (Socket Mode)" : "starting the HTTP receiver",
  });
  let stopping = false;
  const state = (): ReadinessInput => ({
    configLoaded: true,
    slack: slack(),
    store: store === undefined ? undefined : (store.health?.() ?? "open-without-health"),
    stopping,
  });
  let server: OpsServer | undefined;
  try {
    server = await startOpsServer({
      host: config.ops.host,
      port: config.ops.port,
      source: {
        readiness: () => readiness(state()),
        metrics: async () => ({ contentType: telemetry.contentType, body: await telemetry.metrics() }),
      },
    });
    logger.info({ host: config.ops.host, port: server.port }, "ops endpoints: /healthz /readyz /metrics");
  } catch (error) {
    // The bot's work goes on; the probes that find no endpoint say so to the orchestrator.
    logger.error({ err: error, port: config.ops.port }, "could not serve the ops endpoints");
  }
  return {
    telemetry,
    port: server?.port,
    attachStore: (s) => {
      store = s;
    },
    attachSlack: (connection) => {
      slack = connection;
    },
    stopping: () => {
      stopping = true;
    },
    close: async () => {
      await server?.close();
    },
  };
}
