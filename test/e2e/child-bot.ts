/**
 * The real bot in an OS process of its own, for the multi-process end-to-end tests: startBot with
 * the harness's config and ports (e2eConfig, e2ePorts) on the Slack emulator, the Kubernetes API
 * test server and the SQLite file (or PostgreSQL schema) the parent names. Started by bot-process.ts as
 *
 *   node --import tsx test/e2e/child-bot.ts
 *
 * with its arguments as JSON in the environment variable CHILD_BOT_ARGS (they hold the emulator's
 * tokens, which do not belong on a command line). Speaks in lines on stdio:
 * - prints `{"ready":true,"pid":...,"instanceId":...}` once connected to Slack;
 * - answers each `idle` line on stdin with an `idle` line once its background work is done;
 * - stops cleanly on SIGTERM (exit 0). SIGKILL is the crash the tests want to survive.
 */
import { createInterface } from "node:readline";
import { silentLogger } from "../../src/logger.ts";
import { startBot } from "../../src/slack/create-bot.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { CHILD_BOT_ARGS, type ChildBotArgs } from "./bot-process.ts";
import { e2eConfig, e2ePorts, UNPACED } from "./harness.ts";

const args = JSON.parse(process.env[CHILD_BOT_ARGS] ?? "null") as ChildBotArgs | null;
if (args === null) throw new Error(`${CHILD_BOT_ARGS} is not set`);

const config = e2eConfig(args.slack, args.storePath, args.options);
const store =
  args.database === undefined
    ? openSqliteStore(args.storePath, { busyTimeoutMs: 20_000 })
    : await PostgresStore.open(args.database.url, { schema: args.database.schema });
const bot = await startBot({
  config,
  ports: e2ePorts(args.kubeConfigYaml),
  store,
  logger: silentLogger,
  apiUrl: args.slack.apiUrl,
  retries: 0,
  outboxLimits: UNPACED,
  ...(args.expirySweepMs === undefined ? {} : { expirySweepMs: args.expirySweepMs }),
});

const say = (line: string) => process.stdout.write(`${line}\n`);

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "idle") return;
  void bot.service.idle().then(() => say("idle"));
});

process.once("SIGTERM", () => {
  void (async () => {
    await bot.stop();
    await store.close();
    process.exit(0);
  })();
});

say(JSON.stringify({ ready: true, pid: process.pid, instanceId: bot.service.instanceId }));
