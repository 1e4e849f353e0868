/**
 * check-config says which store the bot uses: SQLite at store.path, or PostgreSQL when the database
 * URL is set (RUNBOOK_BOT_DATABASE_URL, or the variable store.databaseUrlEnv names), its password
 * masked everywhere in the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "runbook-bot-check-store-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configFile(yaml: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

describe("check-config and the store", () => {
  it("without a database URL: SQLite at store.path", async () => {
    const path = configFile(`store:\n  path: ${join(dir, "bot.db")}\n`);
    const run = await runCli(["check-config", "--config", path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`# store: SQLite at ${join(dir, "bot.db")}`);
    expect(run.stdout).toContain('"RUNBOOK_BOT_DATABASE_URL": "(not set)"');
  });

  it("RUNBOOK_BOT_DATABASE_URL set: PostgreSQL, the URL masked, the store path not checked", async () => {
    // A store path that could not be written: irrelevant when the store is PostgreSQL.
    const path = configFile("store:\n  path: /proc/nope/bot.db\n");
    const run = await runCli(["check-config", "--config", path], {
      env: { RUNBOOK_BOT_DATABASE_URL: "postgres://bot:Pg5ecretPw@db.example:5432/runbook" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("Pg5ecretPw");
    expect(run.stdout).toContain(
      "# store: PostgreSQL at postgres://bot:***@db.example:5432/runbook (from RUNBOOK_BOT_DATABASE_URL)",
    );
    expect(run.stdout).toContain('"RUNBOOK_BOT_DATABASE_URL": "postgres://bot:***@db.example:5432/runbook"');
  });

  it("the config may name the variable; a value that is not a PostgreSQL URL is a problem, masked", async () => {
    const path = configFile("store:\n  databaseUrlEnv: BOT_DB\n");
    const ok = await runCli(["check-config", "--config", path], {
      env: { BOT_DB: "postgresql://u:S3cretX@127.0.0.1/db" },
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("# store: PostgreSQL at postgresql://u:***@127.0.0.1/db (from BOT_DB)");
    const bad = await runCli(["check-config", "--config", path], {
      env: { BOT_DB: "mysql://u:S3cretX@127.0.0.1/db" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("BOT_DB: not a PostgreSQL URL");
    expect(bad.stderr).not.toContain("S3cretX");
  });
});
