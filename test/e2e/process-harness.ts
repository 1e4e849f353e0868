/**
 * The end-to-end harness with the bot in separate OS processes (child-bot.ts) instead of this one:
 * one Slack emulator (each process holds a Socket Mode connection of its own; the emulator hands
 * every envelope to one of them), one Kubernetes API test server and one SQLite file, shared by
 * every bot process started. The test keeps a connection of its own on the file to read requests
 * and the audit log. Driving and reading the channel is harness.ts's slackDriver. With
 * `databaseUrl`, the processes share a PostgreSQL database instead (a fresh schema of their own).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackEmulator } from "../../src/sandbox/slack-emulator/index.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import type { Store } from "../../src/store/store.ts";
import { type KubeApiServer, startKubeApiServer } from "../peers/kube-api-server.ts";
import { type BotProcess, type Exit, killLeftoverBots, spawnBot } from "./bot-process.ts";
import { type E2eConfigOptions, type SlackDriver, slackDriver, WAIT_MS } from "./harness.ts";

export interface ProcessHarnessOptions {
  /** Merged into every bot's config (see e2eConfig). */
  readonly config?: Record<string, unknown>;
  readonly approvers?: string[];
  /** Slack user groups whose members approve (see e2eConfig). */
  readonly usergroups?: string[];
  /** How often each bot sweeps expired requests and dead executions (the bot's default: 15 s). */
  readonly expirySweepMs?: number;
  /** A PostgreSQL URL: the bots share a fresh schema there instead of a SQLite file. */
  readonly databaseUrl?: string;
}

export interface ProcessHarness extends SlackDriver {
  readonly emulator: SlackEmulator;
  readonly kube: KubeApiServer;
  readonly storePath: string;
  /** The test's own connection to the SQLite file the bots share. */
  readonly store: Store;
  /** The bot processes started and not yet stopped or killed. */
  readonly bots: readonly BotProcess[];
  /** Starts one more bot process; resolves once its Socket Mode connection is open. */
  startBot(): Promise<BotProcess>;
  /** SIGTERM (`"stop"`) or SIGKILL (`"kill"`) one bot; resolves with its exit once its connection is gone. */
  endBot(bot: BotProcess, how: "stop" | "kill"): Promise<Exit>;
  /** Waits until every running bot process and the emulator's deliveries are idle. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProcessHarness(options: ProcessHarnessOptions = {}): Promise<ProcessHarness> {
  const emulator = await new SlackEmulator().start();
  const kube = await startKubeApiServer();
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-e2e-processes-"));
  const storePath = join(dir, "bot.db");
  const database =
    options.databaseUrl === undefined
      ? undefined
      : { url: options.databaseUrl, schema: `e2e_${randomBytes(5).toString("hex")}` };
  // Opened first: the schema exists before any bot process opens the store.
  const store =
    database === undefined
      ? openSqliteStore(storePath, { busyTimeoutMs: 20_000 })
      : await PostgresStore.open(database.url, { schema: database.schema });
  const configOptions: E2eConfigOptions = {
    transport: "socket",
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.approvers === undefined ? {} : { approvers: options.approvers }),
    ...(options.usergroups === undefined ? {} : { usergroups: options.usergroups }),
  };
  const bots: BotProcess[] = [];
  const idle = async () => {
    await Promise.all(bots.map((b) => b.idle()));
    await emulator.idle();
  };
  const slack = {
    apiUrl: emulator.apiUrl,
    botToken: emulator.botToken,
    appToken: emulator.appToken,
    signingSecret: emulator.signingSecret,
  };

  return {
    emulator,
    kube,
    storePath,
    store,
    bots,
    ...slackDriver(emulator, idle),
    idle,
    async startBot() {
      const bot = await spawnBot({
        slack,
        kubeConfigYaml: kube.kubeConfigYaml,
        storePath,
        ...(database === undefined ? {} : { database }),
        options: configOptions,
        ...(options.expirySweepMs === undefined ? {} : { expirySweepMs: options.expirySweepMs }),
      });
      bots.push(bot);
      await emulator.waitForSocketConnections(bots.length, WAIT_MS);
      return bot;
    },
    async endBot(bot, how) {
      const index = bots.indexOf(bot);
      if (index < 0) throw new Error(`bot process ${bot.pid} is not running`);
      bots.splice(index, 1);
      const exit = await (how === "stop" ? bot.stop() : bot.kill());
      await emulator.waitForSocketConnections(bots.length, WAIT_MS);
      return exit;
    },
    async stop() {
      try {
        await Promise.all(bots.splice(0).map((b) => b.stop()));
        await killLeftoverBots();
      } finally {
        if (store instanceof PostgresStore && database !== undefined) {
          await store.db.query(`DROP SCHEMA IF EXISTS "${database.schema}" CASCADE`).catch(() => undefined);
        }
        await store.close();
        await emulator.stop();
        await kube.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
