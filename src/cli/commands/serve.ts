/** `runbook-bot serve` (npm start): Slack with credentials, else the embedded sandbox in the terminal. */
import { createPorts } from "../../adapters/create-ports.ts";
import type { LoadedConfig } from "../../config/load-config.ts";
import { createLogger, type Logger } from "../../logger.ts";
import type { OpsRuntime } from "../../ops/start-ops.ts";
import { type CliIo, writeLine } from "../io.ts";

/** The longest a SIGTERM waits before the process exits. */
const STOP_BOUND_MS = 10_000;

export async function serve(
  loaded: LoadedConfig,
  io: CliIo,
  opts: {
    readonly sandbox: boolean;
    /** Stops the bot (tests); default SIGINT or SIGTERM. */
    readonly until?: Promise<unknown>;
  },
): Promise<number> {
  const { config } = loaded;
  if (opts.sandbox || !config.secrets.slackBotToken) return serveSandbox(loaded, io);

  const logger = createLogger(config.log.level);
  // The ops endpoints first: /healthz answers and /readyz says what is not up yet while we start.
  const { startOps } = await import("../../ops/start-ops.ts");
  const ops = await startOps(config, logger);
  try {
    return await serveSlack(loaded, io, opts, logger, ops);
  } finally {
    await ops.close();
  }
}

async function serveSlack(
  loaded: LoadedConfig,
  io: CliIo,
  opts: { readonly until?: Promise<unknown> },
  logger: Logger,
  ops: OpsRuntime,
): Promise<number> {
  const { config } = loaded;
  const { startBot } = await import("../../slack/create-bot.ts");
  const { storeChoice, describeStoreChoice } = await import("../../config/store-choice.ts");
  const { openStore } = await import("../../store/open-store.ts");
  const { observeStore } = await import("../../store/observed-store.ts");
  const choice = storeChoice(config);
  const store = observeStore(await openStore(choice), ops.telemetry);
  ops.attachStore(store);
  logger.info({ store: choice.kind, where: choice.where }, `store: ${describeStoreChoice(choice, config)}`);
  const ports = await createPorts(config);
  const bot = await startBot({ config, ports, store, logger, telemetry: ops.telemetry });
  ops.attachSlack(bot.slackConnection);
  logger.info({ config: loaded.source, mode: config.slack.mode }, "runbook-bot is running");
  await (opts.until ?? waitForSignal());
  logger.info("stopping");
  ops.stopping();
  // Bounded: the outbox drains for a few seconds and keeps the rest in the store for the next start.
  const stopped = await Promise.race([
    bot.stop().then(() => "stopped" as const),
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_BOUND_MS).unref()),
  ]);
  await ports.kafka?.close().catch(() => undefined);
  // A store that went bad and did not come back: what was written since is lost or unrecorded.
  const health = store.health();
  await store.close();
  if (!health.ok) {
    logger.error(
      { store: health.path, fault: health.fault },
      `stopped with a store that cannot be written: ${health.reason}`,
    );
    writeLine(io.stderr, `runbook-bot: stopped with a store that cannot be written: ${health.reason}`);
  }
  const code = health.ok ? 0 : 1;
  if (stopped === "timeout") {
    logger.warn({ ms: STOP_BOUND_MS }, "could not stop cleanly within the bound: exiting");
    process.exit(code);
  }
  return code;
}

async function serveSandbox(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const { startSandbox } = await import("../../sandbox/start-sandbox.ts");
  const { TerminalUi } = await import("../../sandbox/terminal/terminal-ui.ts");
  // The terminal is the UI: logs go to a file-less sink unless asked for.
  const logger = createLogger(io.env.RUNBOOK_BOT_SANDBOX_LOG ?? "error");
  writeLine(io.stderr, "No Slack credentials (SLACK_BOT_TOKEN): starting the embedded sandbox.");
  const sandbox = await startSandbox({ config: loaded.config, logger });
  const ui = new TerminalUi({ sandbox, input: io.stdin, output: io.stdout });
  const stopOnSignal = waitForSignal().then(() => "signal" as const);
  await Promise.race([ui.run(), stopOnSignal]);
  await sandbox.stop();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
}
