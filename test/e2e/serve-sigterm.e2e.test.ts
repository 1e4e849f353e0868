/**
 * `runbook-bot serve` stopped by SIGTERM with a backlog of thread messages (issue 10, finding 8):
 * the process exits within 10 s, keeping what Slack has not taken yet in its store; `serve`
 * started again on the same store sends it, each message once. Real processes, the emulator
 * enforcing Slack's posting limit.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { alertmanagerMessage } from "../../src/sandbox/alert-messages.ts";
import { SlackEmulator } from "../../src/sandbox/slack-emulator/index.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { CHANNEL, runbookMeta, textOf, until } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNBOOKS = { "consumer-lag": 4, "dlq-spike": 6, "checkpoint-failure": 5 } as const;
const stepOf = (m: StoredMessage) => /^:[a-z_]+: [^(:]+ · (Step \d+):/.exec(m.text)?.[1];
const isStatus = (m: StoredMessage) => /Incident `inc-/.test(textOf(m));

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

it("SIGTERM with a backlog: exits within 10 s; the next serve sends what was left, once", async () => {
  const emulator = await new SlackEmulator({
    rateLimits: { postMessagePerChannelPerSecond: 1, postMessageBurst: 4, chatUpdatePerMinute: 50 },
  }).start();
  cleanup.push(() => emulator.stop());
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-sigterm-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    JSON.stringify({
      slack: { mode: "socket", apiUrl: emulator.apiUrl, incidentChannels: ["incidents"] },
      runbooks: { lagSampleIntervalSeconds: 0 },
      store: { path: join(dir, "bot.db") },
      log: { level: "warn" },
    }),
  );
  const serve = () => {
    const child = spawn(process.execPath, ["bin/runbook-bot.js", "serve", "--config", configPath], {
      cwd: ROOT,
      env: {
        ...process.env,
        RUNBOOK_BOT_FROM_SOURCES: "1",
        SLACK_BOT_TOKEN: emulator.botToken,
        SLACK_APP_TOKEN: emulator.appToken,
      },
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
    const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    cleanup.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    return { child: child as ChildProcessWithoutNullStreams, exit, output: () => output };
  };

  const first = serve();
  await emulator.waitForSocketConnections(1, 30_000);
  const roots = new Map<string, string>();
  for (const id of Object.keys(RUNBOOKS)) {
    const posted = await emulator.postBotMessage(CHANNEL, alertmanagerMessage(runbookMeta(id), "firing"));
    roots.set(id, posted.message.ts);
  }
  const replies = (ts: string) =>
    emulator.thread(CHANNEL, ts).filter((m) => m.ts !== ts && m.user === emulator.identity.botUserId);
  for (const ts of roots.values()) await until(() => replies(ts).some(isStatus), 30_000);

  const stepsBefore = [...roots.values()].reduce(
    (n, ts) => n + replies(ts).filter((m) => stepOf(m)).length,
    0,
  );
  const started = Date.now();
  first.child.kill("SIGTERM");
  const [code] = await first.exit;
  const stopMs = Date.now() - started;
  expect(code, first.output()).toBe(0);
  expect(stopMs).toBeLessThan(10_000);
  const stepsAtStop = [...roots.values()].reduce(
    (n, ts) => n + replies(ts).filter((m) => stepOf(m)).length,
    0,
  );
  const all = Object.values(RUNBOOKS).reduce((a, b) => a + b, 0);
  expect(stepsAtStop, `steps before SIGTERM: ${stepsBefore}`).toBeLessThan(all); // a backlog was left

  serve();
  await emulator.waitForSocketConnections(1, 30_000);
  for (const [id, ts] of roots) {
    const want = RUNBOOKS[id as keyof typeof RUNBOOKS];
    await until(() => replies(ts).filter((m) => stepOf(m)).length >= want, 60_000);
  }
  await new Promise((r) => setTimeout(r, 2000)); // anything sent twice would land by now
  for (const [id, ts] of roots) {
    const want = RUNBOOKS[id as keyof typeof RUNBOOKS];
    expect(replies(ts).map(stepOf).filter(Boolean), id).toEqual(
      Array.from({ length: want }, (_, i) => `Step ${i + 1}`),
    );
    expect(replies(ts).filter(isStatus), id).toHaveLength(1);
  }
}, 150_000);
