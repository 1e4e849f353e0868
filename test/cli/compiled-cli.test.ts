/**
 * The compiled command, laid out as the image has it: the sources built with tsconfig.build.json
 * (as `npm run build` does) into a fresh folder beside a copy of bin/runbook-bot.js and
 * package.json, node_modules linked. Built here, never taken from the checkout's dist/, so the test
 * never runs output older than the sources. Checks what each command loads: `runbooks --json` no SDK
 * at all and no TypeScript loader; `diagnose` with only Kafka configured kafkajs alone. And that bin/
 * refuses a missing or stale dist/ with a message naming `npm run build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RECORDER = fileURLToPath(new URL("./fixtures/record-imports.mjs", import.meta.url));
/** The SDKs a command must not load unless it talks to that system. */
const SDKS = [
  "@aws-sdk",
  "kafkajs",
  "@kubernetes/client-node",
  "@slack/bolt",
  "better-sqlite3",
  "pg",
  "prom-client",
];

let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "runbook-bot-compiled-"));
  mkdirSync(join(dir, "bin"));
  copyFileSync(join(ROOT, "bin/runbook-bot.js"), join(dir, "bin/runbook-bot.js"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(dir, "dist"),
    ],
    { cwd: ROOT, stdio: "pipe" },
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the compiled command with the module recorder; what it printed and every module it loaded. */
function runCompiled(args: string[], env: NodeJS.ProcessEnv = {}) {
  const record = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, "");
  const run = spawnSync(process.execPath, ["--import", RECORDER, join(dir, "bin/runbook-bot.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH, RECORD_IMPORTS_FILE: record, ...env },
  });
  const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, loaded };
}

/** The packages among the loaded modules (node_modules/<name> or node_modules/@scope/<name>). */
function packagesIn(loaded: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const entry of loaded) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(entry);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

const sdkPackages = (packages: Set<string>) =>
  [...packages].filter((p) => SDKS.some((sdk) => p === sdk || p.startsWith(`${sdk}/`)));

describe("the compiled runbook-bot command", () => {
  it("`runbooks --json` prints the list from dist/ and loads no SDK and no TypeScript loader", async () => {
    const run = runCompiled(["runbooks", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse((await runCli(["runbooks", "--json"])).stdout));
    // The recorder works: it saw the compiled entry and the command-line parser.
    expect(run.loaded.some((u) => u.endsWith("/dist/src/cli/main.js"))).toBe(true);
    expect(run.loaded.some((u) => u.includes("/src/") && u.endsWith(".ts"))).toBe(false);
    const packages = packagesIn(run.loaded);
    expect(packages).toContain("commander");
    expect(sdkPackages(packages)).toEqual([]);
    expect(packages).not.toContain("tsx");
    expect(packages).not.toContain("esbuild");
  }, 60_000);

  it("`diagnose` with only Kafka configured loads kafkajs and none of the other SDKs", () => {
    const config = join(dir, "kafka-only.yaml");
    writeFileSync(
      config,
      [
        "kafka:",
        "  brokers: ['127.0.0.1:1']",
        "  connectionTimeoutMs: 200",
        "  requestTimeoutMs: 500",
        "pipeline:",
        "  consumerGroup: g",
        "  sourceTopic: t",
        "",
      ].join("\n"),
    );
    const run = runCompiled(["diagnose", "lag", "--json", "--config", config]);
    const packages = packagesIn(run.loaded);
    expect(sdkPackages(packages), run.stderr).toEqual(["kafkajs"]);
    expect(packages).not.toContain("tsx");
  }, 60_000);

  it("refuses a dist/ older than the sources, saying to run `npm run build`", () => {
    mkdirSync(join(dir, "src"), { recursive: true });
    const edited = join(dir, "src/edited.ts");
    writeFileSync(edited, "export {};\n");
    try {
      const run = runCompiled(["runbooks", "--json"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/dist\/ is older than src\/: run `npm run build`/);
    } finally {
      rmSync(join(dir, "src"), { recursive: true, force: true });
    }
  });

  it("refuses a missing dist/, saying to run `npm run build`", () => {
    const bare = mkdtempSync(join(tmpdir(), "runbook-bot-nodist-"));
    try {
      mkdirSync(join(bare, "bin"));
      copyFileSync(join(ROOT, "bin/runbook-bot.js"), join(bare, "bin/runbook-bot.js"));
      copyFileSync(join(ROOT, "package.json"), join(bare, "package.json"));
      const run = spawnSync(process.execPath, [join(bare, "bin/runbook-bot.js"), "runbooks"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/dist\/ is missing: run `npm run build`/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
