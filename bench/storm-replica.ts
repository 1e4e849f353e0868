/**
 * One more bot replica for `bench storm --replicas N`: the sandbox's bot (simulated platform,
 * Slack's limits) on the storm's Slack emulator and the same SQLite file as the first replica.
 * Started by storm.ts as `node --import tsx bench/storm-replica.ts` with its arguments as JSON in
 * STORM_REPLICA_ARGS (they hold the emulator's tokens); prints `ready` once connected, stops
 * cleanly on SIGTERM. Logs at the level in STORM_REPLICA_LOG (default silent); storm.ts prints
 * them after the replica stopped.
 */
import { configSchema } from "../src/config/schema.ts";
import { createLogger } from "../src/logger.ts";
import { systemClock } from "../src/ports/clock.ts";
import { createSimulatedPlatform } from "../src/sandbox/simulated/simulated-ports.ts";
import type { SlackEmulator } from "../src/sandbox/slack-emulator/index.ts";
import { sandboxConfig } from "../src/sandbox/start-sandbox.ts";
import { startBot } from "../src/slack/create-bot.ts";
import { openSqliteStore } from "../src/store/sqlite-store.ts";

export interface StormReplicaArgs {
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly storePath: string;
}

export const STORM_REPLICA_ARGS = "STORM_REPLICA_ARGS";

const args = JSON.parse(process.env[STORM_REPLICA_ARGS] ?? "null") as StormReplicaArgs | null;
if (args === null) throw new Error(`${STORM_REPLICA_ARGS} is not set`);

const base = { ...configSchema.parse({ runbooks: { lagSampleIntervalSeconds: 0 } }), secrets: {} };
// sandboxConfig reads the emulator's address and tokens only.
const config = sandboxConfig(base, args as unknown as SlackEmulator, "socket");
const store = openSqliteStore(args.storePath, { busyTimeoutMs: 20_000 });
const bot = await startBot({
  config,
  ports: createSimulatedPlatform(systemClock).ports,
  store,
  logger: createLogger(process.env.STORM_REPLICA_LOG ?? "silent", process.stderr),
  apiUrl: args.apiUrl,
  retries: 0,
  outboxLimits: {},
});
process.once("SIGTERM", () => {
  void (async () => {
    await bot.stop();
    await store.close();
    process.exit(0);
  })();
});
process.stdout.write("ready\n");
