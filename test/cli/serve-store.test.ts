/**
 * `runbook-bot serve` and its store (issue 10, finding 5): a store file that cannot be opened is a
 * message naming the path (no stack trace); a store that went bad while the bot ran makes serve
 * exit non-zero with a final line saying why (it used to exit 0 with no warning).
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serve } from "../../src/cli/commands/serve.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { SlackEmulator } from "../../src/sandbox/slack-emulator/index.ts";
import { runCli } from "./run-cli.ts";

describe("serve and its store", () => {
  let dir: string;
  let emulator: SlackEmulator;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "runbook-bot-serve-"));
    emulator = await new SlackEmulator().start();
  });
  afterEach(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const configFile = (storePath: string) => {
    const file = join(dir, "config.yaml");
    writeFileSync(
      file,
      `slack:\n  apiUrl: ${emulator.apiUrl}\nstore:\n  path: ${storePath}\nlog:\n  level: silent\n`,
    );
    return file;
  };
  const env = () => ({ SLACK_BOT_TOKEN: emulator.botToken, SLACK_APP_TOKEN: emulator.appToken });

  it("a store path that is not a SQLite database: one line naming it, exit 1", async () => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "x".repeat(8192));
    const r = await runCli(["serve", "--config", configFile(notes)], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `runbook-bot: ${notes} is not a SQLite database (SQLITE_NOTADB: file is not a database): point store.path at the bot's database or at a new file\n`,
    );
  });

  it("the store file removed while serving: exit 1 and a final line naming it", async () => {
    const storePath = join(dir, "bot.db");
    const loaded = loadConfig({ path: configFile(storePath), env: env() });
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let err = "";
    const stderr = new PassThrough();
    stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: env() };
    const running = serve(loaded, io, { sandbox: false, until });
    await emulator.waitForSocketConnections(1, 20_000);
    unlinkSync(storePath);
    stop();
    expect(await running).toBe(1);
    expect(err).toContain(
      `runbook-bot: stopped with a store that cannot be written: the store file ${storePath} was removed while the bot was running`,
    );
  });

  it("a healthy store: exit 0, nothing said", async () => {
    const loaded = loadConfig({ path: configFile(join(dir, "bot.db")), env: env() });
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    const running = serve(
      loaded,
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: env() },
      { sandbox: false, until },
    );
    await emulator.waitForSocketConnections(1, 20_000);
    stop();
    expect(await running).toBe(0);
    expect(err).toBe("");
  });
});
