/**
 * `runbook-bot serve` on PostgreSQL (the URL in RUNBOOK_BOT_DATABASE_URL): it opens that store
 * (migrating an empty database), connects to Slack, and when the server went away while it ran,
 * exits 1 with a final line naming the database by its masked URL, never the password. A server of
 * the test's own, stopped mid-test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serve } from "../../src/cli/commands/serve.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { SlackEmulator } from "../../src/sandbox/slack-emulator/index.ts";
import { type PostgresServer, startPostgresServer } from "../peers/postgres-peer.ts";

describe("serve on PostgreSQL", () => {
  let server: PostgresServer;
  let dir: string;
  let emulator: SlackEmulator;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "runbook-bot-serve-pg-"));
    emulator = await new SlackEmulator().start();
  });
  afterEach(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const password = () => decodeURIComponent(new URL(server.url).password);
  const run = () => {
    const file = join(dir, "config.yaml");
    // A store path that cannot be written: the store is PostgreSQL, the path is not used.
    writeFileSync(
      file,
      `slack:\n  apiUrl: ${emulator.apiUrl}\nstore:\n  path: /proc/nope/bot.db\nlog:\n  level: silent\n`,
    );
    const env = {
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
      RUNBOOK_BOT_DATABASE_URL: server.url,
    };
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const output = { err: "", out: "" };
    const stderr = new PassThrough();
    const stdout = new PassThrough();
    stderr.on("data", (d: Buffer) => {
      output.err += d.toString("utf8");
    });
    stdout.on("data", (d: Buffer) => {
      output.out += d.toString("utf8");
    });
    const running = serve(
      loadConfig({ path: file, env }),
      { stdin: new PassThrough(), stdout, stderr, env },
      { sandbox: false, until },
    );
    return { running, stop, output };
  };

  it("opens the PostgreSQL store (schema migrated), runs, and stops with exit 0", async () => {
    const { running, stop, output } = run();
    await emulator.waitForSocketConnections(1, 20_000);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query("SELECT COUNT(*)::int AS n FROM schema_version");
    await client.end();
    expect(rows[0].n).toBeGreaterThan(0);
    stop();
    expect(await running).toBe(0);
    expect(output.err).toBe("");
  });

  it("the server gone while serving: exit 1 and a final line naming the masked URL", async () => {
    const { running, stop, output } = run();
    await emulator.waitForSocketConnections(1, 20_000);
    await server.halt();
    try {
      // The pool hears its connections cut; the probe (every 2 s) confirms.
      await new Promise((r) => setTimeout(r, 2_500));
      stop();
      expect(await running).toBe(1);
    } finally {
      await server.resume();
    }
    expect(output.err).toContain(
      `runbook-bot: stopped with a store that cannot be written: the database postgres://runbook_bot:***@127.0.0.1:${server.port}/runbook_bot cannot be reached`,
    );
    expect(output.err + output.out).not.toContain(password());
  });
});
