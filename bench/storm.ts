/**
 * `npm run bench storm`: an alert storm against the Slack emulator with Slack's limits enforced
 * (chat.postMessage about 1/s per channel with a short burst, chat.update Tier 3 at 50 a minute).
 * 1,000 messages in 60 s into #incidents: the nine alerts fire, re-fire (a new Alertmanager message
 * each time), resolve, three of them fire again, and noise (people, other bots) in between. Then it
 * waits until every incident's thread is complete (or a cap) and reports: threads complete, p95
 * alert -> first reply and -> complete thread, chat.postMessage calls per message delivered,
 * incidents with nothing in their thread, status messages that went backwards.
 * `--quick`: 3 alerts, 100 messages in 6 s (the e2e test's scale).
 * `--replicas N`: N bot processes on one SQLite file (this one and N-1 of bench/storm-replica.ts),
 * each with its own Socket Mode connection; they share Slack's limits through the store's send
 * slots. Also reported: threads with a step or status message twice, and the most posts Slack
 * accepted in one channel within any second.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import type { CliIo } from "../src/cli/io.ts";
import { configSchema } from "../src/config/schema.ts";
import { RUNBOOK_CATALOG, type RunbookMeta } from "../src/core/catalog.ts";
import { silentLogger } from "../src/logger.ts";
import { runbookFor } from "../src/runbooks/registry.ts";
import { alertmanagerMessage } from "../src/sandbox/alert-messages.ts";
import type { StoredMessage } from "../src/sandbox/slack-emulator/types.ts";
import { SANDBOX_CHANNEL, startSandbox } from "../src/sandbox/start-sandbox.ts";
import { percentile } from "./percentile.ts";

export interface StormOptions {
  readonly messages: number;
  readonly seconds: number;
  /** How many of the nine alerts take part. */
  readonly alerts: number;
  /** How many of them fire again after resolving. */
  readonly reopen: number;
  /** Longest wait for the threads after the storm. */
  readonly capSeconds: number;
  readonly seed?: number;
  /** Bot processes sharing one store (default 1: the bot in this process only). */
  readonly replicas?: number;
}

export const FULL_STORM: StormOptions = {
  messages: 1000,
  seconds: 60,
  alerts: 9,
  reopen: 3,
  capSeconds: 300,
};
export const QUICK_STORM: StormOptions = { messages: 100, seconds: 6, alerts: 3, reopen: 1, capSeconds: 90 };

/** Slack's limits, as the emulator enforces them here. */
export const SLACK_LIMITS = {
  postMessagePerChannelPerSecond: 1,
  postMessageBurst: 4,
  chatUpdatePerMinute: 50,
};

export interface StormResult {
  readonly posted: number;
  readonly incidents: number;
  readonly complete: number;
  readonly empty: number;
  readonly backwards: number;
  readonly p95FirstReplyMs: number;
  readonly p95CompleteMs: number;
  readonly postCalls: number;
  readonly delivered: number;
  readonly rateLimited: number;
  readonly waitedSeconds: number;
  readonly replicas: number;
  /** Threads with more step messages than their runbook has steps, or more than one status message. */
  readonly duplicated: number;
  /** The most chat.postMessage calls Slack accepted in one channel within any one second. */
  readonly peakPostsPerChannelSecond: number;
}

type Planned =
  | { readonly at: number; readonly kind: "fire" | "resolve"; readonly meta: RunbookMeta }
  | { readonly at: number; readonly kind: "noise"; readonly text: string; readonly bot: boolean };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [
  "anyone looking at the lag?",
  "Deployed checkout-service v2.14.3 to production",
  "PR merged: bump flink to 1.19.1",
  "standup in 5",
  "Silence created for staging-only alerts",
  "looks like it is recovering",
];

/** The storm's timeline: each alert's first firing, its resolve, re-opens; the rest re-fires and noise. */
export function planStorm(o: StormOptions): Planned[] {
  const random = rng(o.seed ?? 10);
  const metas = RUNBOOK_CATALOG.slice(0, o.alerts);
  const ms = o.seconds * 1000;
  const slot = ms / o.messages;
  const fixed = new Map<number, Planned>();
  const put = (i: number, p: { readonly kind: "fire" | "resolve"; readonly meta: RunbookMeta }) => {
    let k = Math.min(o.messages - 1, i);
    while (fixed.has(k)) k++;
    fixed.set(k, { ...p, at: k * slot });
  };
  metas.forEach((meta, i) => {
    put(Math.floor((i * 0.1 * o.messages) / metas.length), { kind: "fire", meta });
    put(Math.floor(o.messages * (0.55 + (0.2 * i) / metas.length)), { kind: "resolve", meta });
    if (i < o.reopen) put(Math.floor(o.messages * (0.8 + (0.1 * i) / metas.length)), { kind: "fire", meta });
  });
  const plan: Planned[] = [];
  const firing = new Set<string>();
  for (let k = 0; k < o.messages; k++) {
    const f = fixed.get(k);
    if (f) {
      plan.push(f);
      if (f.kind === "fire") firing.add(f.meta.id);
      if (f.kind === "resolve") firing.delete(f.meta.id);
      continue;
    }
    const open = metas.filter((m) => firing.has(m.id));
    const pick = open[Math.floor(random() * open.length)];
    if (pick && random() < 0.6) plan.push({ at: k * slot, kind: "fire", meta: pick });
    else {
      const text = NOISE[Math.floor(random() * NOISE.length)] ?? "noise";
      plan.push({ at: k * slot, kind: "noise", text, bot: random() < 0.5 });
    }
  }
  return plan;
}

/** Rank of a status message's text: a later state never ranks lower in one run. */
function statusRank(text: string): number {
  if (/Resolved/.test(text)) return 1000;
  const progress = /(\d+)\/(\d+) steps/.exec(text);
  if (/done/.test(text)) return 500;
  return progress ? Number(progress[1]) : 0;
}

const isStep = (m: StoredMessage) => /^:[a-z_]+: [^(:]+ · Step \d+:/.test(m.text);
const isStatus = (m: StoredMessage) =>
  (m.blocks ?? []).some((b) => JSON.stringify(b).includes("Incident `inc-"));

export async function runStorm(
  o: StormOptions,
  log: (line: string) => void = () => undefined,
): Promise<StormResult> {
  const base = { ...configSchema.parse({ runbooks: { lagSampleIntervalSeconds: 0 } }), secrets: {} };
  const replicas = Math.max(1, Math.trunc(o.replicas ?? 1));
  const dir = replicas > 1 ? mkdtempSync(join(tmpdir(), "runbook-bot-storm-")) : undefined;
  const storePath = dir === undefined ? undefined : join(dir, "bot.db");
  const sandbox = await startSandbox({
    config: base,
    logger: silentLogger,
    rateLimits: SLACK_LIMITS,
    ...(storePath === undefined ? {} : { storePath }),
  });
  const { emulator, store } = sandbox;
  const others: Replica[] = [];
  try {
    for (let i = 1; i < replicas; i++) others.push(await startReplica(emulator, storePath ?? ""));
    await emulator.waitForSocketConnections(replicas, 30_000);
  } catch (error) {
    await Promise.all(others.map((r) => r.stop()));
    await sandbox.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  if (replicas > 1) log(`storm: ${replicas} bot processes on ${storePath}`);
  const arrived = new Map<string, number>();
  const onMessage = (m: StoredMessage) => arrived.set(m.ts, performance.now());
  emulator.on("message", onMessage);
  const plan = planStorm(o);
  const fired: { ts: string; at: number; meta: RunbookMeta }[] = [];
  try {
    const t0 = performance.now();
    for (const p of plan) {
      const wait = t0 + p.at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (p.kind === "noise") {
        if (p.bot) await emulator.postBotMessage(SANDBOX_CHANNEL, { username: "Deploybot", text: p.text });
        else await emulator.postMessageAsUser("U_ALICE", SANDBOX_CHANNEL, p.text);
        continue;
      }
      const posted = await emulator.postBotMessage(
        SANDBOX_CHANNEL,
        alertmanagerMessage(p.meta, p.kind === "fire" ? "firing" : "resolved"),
      );
      if (p.kind === "fire") fired.push({ ts: posted.message.ts, at: performance.now(), meta: p.meta });
    }
    log(`storm: ${plan.length} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The incidents: the firing messages that opened one (their thread is the incident's).
    await new Promise((r) => setTimeout(r, 500));
    const incidents: { ts: string; at: number; meta: RunbookMeta; id: string }[] = [];
    for (const f of fired) {
      const incident = await store.findIncidentByThread(SANDBOX_CHANNEL, f.ts);
      if (incident && incident.threadTs === f.ts) incidents.push({ ...f, id: incident.id });
    }
    const completedAt = new Map<string, number>();
    const firstReplyAt = new Map<string, number>();
    const check = async () => {
      for (const inc of incidents) {
        if (completedAt.has(inc.id)) continue;
        const replies = emulator
          .thread(SANDBOX_CHANNEL, inc.ts)
          .filter(
            (m) => m.ts !== inc.ts && m.user === emulator.identity.botUserId && m.subtype !== "file_share",
          );
        const first = replies[0];
        if (first && !firstReplyAt.has(inc.id))
          firstReplyAt.set(inc.id, arrived.get(first.ts) ?? performance.now());
        const incident = await store.getIncident(inc.id);
        const status = replies.find(isStatus);
        const steps = replies.filter(isStep).length;
        const wantSteps = runbookFor(inc.meta).steps.length;
        const resolved = incident?.state === "resolved";
        const done =
          status !== undefined &&
          steps >= wantSteps &&
          (resolved
            ? /Resolved/.test(status.text) && replies.some((m) => m.text.includes("resolved after"))
            : /done/.test(status.text));
        if (done) completedAt.set(inc.id, performance.now());
      }
    };
    const waitStart = performance.now();
    while (completedAt.size < incidents.length && performance.now() - waitStart < o.capSeconds * 1000) {
      await check();
      if (completedAt.size < incidents.length) await new Promise((r) => setTimeout(r, 250));
    }
    await check();
    const waitedSeconds = (performance.now() - waitStart) / 1000;

    // Status messages never backwards: the successful chat.update texts of each status message.
    const updates = emulator.callsTo("chat.update").filter((c) => c.response.ok === true);
    const byTs = new Map<string, string[]>();
    for (const c of updates) {
      const ts = String(c.body.ts);
      byTs.set(ts, [...(byTs.get(ts) ?? []), String(c.body.text)]);
    }
    let backwards = 0;
    for (const texts of byTs.values()) {
      for (let i = 1; i < texts.length; i++)
        if (statusRank(texts[i]!) < statusRank(texts[i - 1]!)) backwards++;
    }
    const postCalls = emulator.callsTo("chat.postMessage");
    let duplicated = 0;
    for (const inc of incidents) {
      const replies = emulator.thread(SANDBOX_CHANNEL, inc.ts).filter((m) => m.ts !== inc.ts);
      const steps = replies.filter(isStep).length;
      if (steps > runbookFor(inc.meta).steps.length || replies.filter(isStatus).length > 1) duplicated++;
    }
    const empty = incidents.filter((inc) => !firstReplyAt.has(inc.id)).length;
    const byId = new Map(incidents.map((i) => [i.id, i.at]));
    const since = (m: Map<string, number>) => [...m].map(([id, t]) => t - (byId.get(id) ?? t));
    return {
      posted: plan.length,
      incidents: incidents.length,
      complete: completedAt.size,
      empty,
      backwards,
      p95FirstReplyMs: percentile(since(firstReplyAt), 95),
      p95CompleteMs: percentile(since(completedAt), 95),
      postCalls: postCalls.length,
      delivered: postCalls.filter((c) => c.response.ok === true).length,
      rateLimited: [...postCalls, ...emulator.callsTo("chat.update")].filter((c) => c.status === 429).length,
      waitedSeconds,
      replicas,
      duplicated,
      peakPostsPerChannelSecond: peakPerSecond(postCalls.filter((c) => c.response.ok === true)),
    };
  } finally {
    emulator.off("message", onMessage);
    await Promise.all(others.map((r) => r.stop()));
    await sandbox.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The most calls of one channel within any one second (a sliding window over arrival times). */
function peakPerSecond(
  calls: ReadonlyArray<{ readonly time: number; readonly body: { readonly [k: string]: unknown } }>,
): number {
  const byChannel = new Map<string, number[]>();
  for (const c of calls) {
    const channel = String(c.body.channel);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), c.time]);
  }
  let peak = 0;
  for (const times of byChannel.values()) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start++;
      peak = Math.max(peak, end - start + 1);
    }
  }
  return peak;
}

interface Replica {
  stop(): Promise<void>;
}

const REPLICA = fileURLToPath(new URL("./storm-replica.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One more bot process (storm-replica.ts) on the emulator and the store file; resolves once connected. */
async function startReplica(
  emulator: { apiUrl: string; botToken: string; appToken: string; signingSecret: string },
  storePath: string,
): Promise<Replica> {
  const args = {
    apiUrl: emulator.apiUrl,
    botToken: emulator.botToken,
    appToken: emulator.appToken,
    signingSecret: emulator.signingSecret,
    storePath,
  };
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", REPLICA], {
    cwd: ROOT,
    env: { ...process.env, STORM_REPLICA_ARGS: JSON.stringify(args) },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.trim() === "ready") {
        clearTimeout(timer);
        resolve(true);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  if (!ready) {
    await stop();
    throw new Error(`a storm replica did not start:\n${stderr}`);
  }
  return {
    stop: async () => {
      await stop();
      if (process.env.STORM_REPLICA_LOG) process.stderr.write(stderr);
    },
  };
}

export async function runBench(options: {
  readonly io: CliIo;
  readonly quick?: boolean;
  readonly replicas?: number;
}): Promise<number> {
  const out = (s: string) => options.io.stdout.write(`${s}\n`);
  const o = { ...(options.quick ? QUICK_STORM : FULL_STORM), replicas: options.replicas ?? 1 };
  out(
    `storm: ${o.messages} messages in ${o.seconds} s, ${o.alerts} alerts; emulator limits: chat.postMessage ${SLACK_LIMITS.postMessagePerChannelPerSecond}/s per channel (burst ${SLACK_LIMITS.postMessageBurst}), chat.update ${SLACK_LIMITS.chatUpdatePerMinute}/min`,
  );
  const r = await runStorm(o, out);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  out(
    `threads complete: ${r.complete}/${r.incidents} (waited ${r.waitedSeconds.toFixed(0)} s after the storm)`,
  );
  out(`alert -> first reply p95 ${s(r.p95FirstReplyMs)}; alert -> complete thread p95 ${s(r.p95CompleteMs)}`);
  out(
    `chat.postMessage calls per message delivered: ${(r.postCalls / Math.max(1, r.delivered)).toFixed(2)} (${r.postCalls} calls, ${r.delivered} delivered, ${r.rateLimited} answered 429)`,
  );
  out(
    `incidents with nothing in their thread: ${r.empty}; status messages that went backwards: ${r.backwards}`,
  );
  out(
    `replicas: ${r.replicas}; threads with a message twice: ${r.duplicated}; most posts accepted in one channel within a second: ${r.peakPostsPerChannelSecond} (Slack: ${SLACK_LIMITS.postMessagePerChannelPerSecond}/s, burst ${SLACK_LIMITS.postMessageBurst})`,
  );
  return r.complete === r.incidents && r.empty === 0 && r.backwards === 0 && r.duplicated === 0 ? 0 : 1;
}
