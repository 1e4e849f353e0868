/**
 * `runbook-bot serve` as a real process (issue 11, item 3): /healthz answers at once; /readyz says
 * 503 naming Slack while the Socket Mode connection is held back, 200 once it is open, and 503
 * naming the store when the store file is removed; /metrics, after an alert went through the
 * Slack emulator and resolved, has the counters moved and the histograms sampled, and no label
 * carries a secret or an id.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { METRIC_NAMES as M } from "../../src/ops/prom-telemetry.ts";
import { alertmanagerMessage } from "../../src/sandbox/alert-messages.ts";
import { SlackEmulator } from "../../src/sandbox/slack-emulator/index.ts";
import { CHANNEL, runbookMeta, textOf, until } from "../e2e/harness.ts";
import { find, parseExposition, total } from "../fakes/prom-text.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

/** Polls `path` until it answers `status` (connection refused counts as not yet). */
async function untilStatus(port: number, path: string, status: number, timeoutMs = 30_000) {
  let last: { status: number; body: string } | undefined;
  await until(async () => {
    last = await get(port, path).catch(() => undefined);
    return last?.status === status;
  }, timeoutMs).catch(() => {
    throw new Error(`${path} never answered ${status}; last: ${JSON.stringify(last)}`);
  });
  return last as { status: number; body: string };
}

it("healthz, readyz and metrics of a real serve process", async () => {
  const emulator = await new SlackEmulator().start();
  cleanup.push(() => emulator.stop());
  // Slack not reachable yet: the Socket Mode URL is not handed out until released.
  const hold = emulator.holdMethod("apps.connections.open");
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-ops-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const storePath = join(dir, "bot.db");
  const opsPort = await freePort();
  const deadKafka = await freePort(); // nothing listens: the Kafka probes fail
  const configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    JSON.stringify({
      slack: { mode: "socket", apiUrl: emulator.apiUrl, incidentChannels: ["incidents"] },
      kafka: { brokers: [`127.0.0.1:${deadKafka}`], connectionTimeoutMs: 300, requestTimeoutMs: 500 },
      runbooks: { lagSampleIntervalSeconds: 0, probeTimeoutSeconds: 2 },
      store: { path: storePath },
      ops: { host: "127.0.0.1", port: opsPort },
      log: { level: "info" },
    }),
  );
  const child = spawn(process.execPath, ["bin/runbook-bot.js", "serve", "--config", configPath], {
    cwd: ROOT,
    env: {
      ...process.env,
      RUNBOOK_BOT_FROM_SOURCES: "1",
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
    },
  }) as ChildProcessWithoutNullStreams;
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  // Alive at once; not ready while Slack is not connected, and the body says so.
  const health = await untilStatus(opsPort, "/healthz", 200);
  expect(JSON.parse(health.body)).toEqual({ status: "alive" });
  await until(() => hold.waiting > 0, 30_000);
  const early = await get(opsPort, "/readyz");
  expect(early.status, output).toBe(503);
  expect(early.type).toMatch(/^application\/json/);
  const earlyBody = JSON.parse(early.body) as { ready: boolean; notReady: string[]; checks: object };
  expect(earlyBody.ready).toBe(false);
  expect(earlyBody.notReady).toEqual(["slack"]);

  hold.release();
  await emulator.waitForSocketConnections(1, 30_000);
  const ready = await untilStatus(opsPort, "/readyz", 200);
  expect(JSON.parse(ready.body)).toMatchObject({ ready: true, notReady: [] });

  // Slack asks for a reconnect and the new URL is held back: not ready until it is connected again.
  const again = emulator.holdMethod("apps.connections.open");
  expect(emulator.sendSocketDisconnect("refresh_requested")).toBe(1);
  const lost = await untilStatus(opsPort, "/readyz", 503);
  expect(JSON.parse(lost.body)).toMatchObject({ notReady: ["slack"] });
  await until(() => again.waiting > 0, 30_000);
  again.release();
  await untilStatus(opsPort, "/readyz", 200);

  // One alert through Slack, its run to the end, then its resolution.
  // Slack refuses the second post once with a retryable error: the outbox tries it again.
  emulator.failNext("chat.postMessage", "internal_error", { after: 1 });
  const meta = runbookMeta("consumer-lag");
  const posted = await emulator.postBotMessage(CHANNEL, alertmanagerMessage(meta, "firing"));
  const rootTs = posted.message.ts;
  const done = () =>
    emulator
      .thread(CHANNEL, rootTs)
      .some((m) => m.user === emulator.identity.botUserId && /Step 4/.test(textOf(m)));
  await until(done, 60_000);
  await emulator.postBotMessage(CHANNEL, alertmanagerMessage(meta, "resolved"));
  const incident = /inc-[a-z0-9]+/.exec(emulator.thread(CHANNEL, rootTs).map(textOf).join("\n"))?.[0];
  expect(incident).toBeDefined();

  let exp = parseExposition("");
  await until(async () => {
    exp = parseExposition((await get(opsPort, "/metrics")).body);
    return total(exp, M.incidentsResolved) >= 1 && total(exp, `${M.runbookDuration}_count`) >= 1;
  }, 30_000);
  const metrics = await get(opsPort, "/metrics");
  expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(total(exp, M.alertsReceived, { source: "alertmanager" })).toBe(2); // firing + resolved
  expect(total(exp, M.alertsMatched, { source: "alertmanager", runbook: "consumer-lag" })).toBe(2);
  expect(total(exp, M.incidentsOpened, { runbook: "consumer-lag" })).toBe(1);
  expect(total(exp, M.incidentsResolved, { runbook: "consumer-lag" })).toBe(1);
  expect(total(exp, `${M.runbookDuration}_count`, { runbook: "consumer-lag" })).toBe(1);
  const steps = find(exp, `${M.stepDuration}_count`, { runbook: "consumer-lag" });
  expect(steps.reduce((n, s) => n + s.value, 0)).toBe(4);
  expect(new Set(steps.map((s) => s.labels.step)).size).toBe(4);
  expect(total(exp, M.probeErrors, { system: "kafka" })).toBeGreaterThan(0);
  expect(total(exp, M.slackCalls, { method: "chat.postMessage", outcome: "ok" })).toBeGreaterThan(0);
  expect(total(exp, M.slackCalls, { method: "chat.postMessage", outcome: "error" })).toBe(1);
  expect(total(exp, M.slackRetries, { method: "chat.postMessage" })).toBe(1);
  expect(total(exp, M.slackCalls, { method: "apps.connections.open", outcome: "ok" })).toBe(2);
  expect(total(exp, `${M.storeDuration}_count`, { operation: "openIncident", outcome: "ok" })).toBe(1);
  expect(total(exp, "process_resident_memory_bytes")).toBeGreaterThan(0);

  // No secret and no id in any label.
  const forbidden = [emulator.botToken, emulator.appToken, incident ?? "inc-", rootTs, CHANNEL, dir];
  for (const sample of exp.samples) {
    for (const value of Object.values(sample.labels)) {
      for (const bad of forbidden)
        expect(value, `${sample.name} ${JSON.stringify(sample.labels)}`).not.toContain(bad);
      if (sample.name.startsWith("runbook_bot_"))
        expect(value).toMatch(/^(\+Inf|[A-Za-z0-9][A-Za-z0-9._-]*)$/);
    }
  }

  // The store file removed: not ready, naming the store.
  unlinkSync(storePath);
  const broken = await untilStatus(opsPort, "/readyz", 503);
  const brokenBody = JSON.parse(broken.body) as { notReady: string[]; checks: { store: { detail: string } } };
  expect(brokenBody.notReady).toEqual(["store"]);
  expect(brokenBody.checks.store.detail).toContain(storePath);

  child.kill("SIGTERM");
  await exit;
  // Gone with the process.
  await expect(get(opsPort, "/healthz")).rejects.toThrow();
}, 120_000);

it("HTTP mode: ready once the receiver listens; the two ports answer only their own paths", async () => {
  const emulator = await new SlackEmulator().start();
  cleanup.push(() => emulator.stop());
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-ops-http-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const [opsPort, slackPort] = [await freePort(), await freePort()];
  const configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    JSON.stringify({
      slack: { mode: "http", port: slackPort, apiUrl: emulator.apiUrl, incidentChannels: ["incidents"] },
      store: { path: join(dir, "bot.db") },
      ops: { host: "127.0.0.1", port: opsPort },
      log: { level: "warn" },
    }),
  );
  const child = spawn(process.execPath, ["bin/runbook-bot.js", "serve", "--config", configPath], {
    cwd: ROOT,
    env: {
      ...process.env,
      RUNBOOK_BOT_FROM_SOURCES: "1",
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: emulator.signingSecret,
    },
  });
  const exit = once(child, "exit");
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const ready = await untilStatus(opsPort, "/readyz", 200);
  expect(JSON.parse(ready.body)).toMatchObject({
    checks: { slack: { ok: true, detail: "HTTP receiver listening" } },
  });
  // Probes and scrapes never reach Slack's handler, and Slack's port serves no ops path.
  expect((await get(opsPort, "/slack/events")).status).toBe(404);
  expect((await get(slackPort, "/metrics")).status).toBe(404);
  expect((await get(slackPort, "/healthz")).status).toBe(404);
  child.kill("SIGTERM");
  await exit;
}, 60_000);
