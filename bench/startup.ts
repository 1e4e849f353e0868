/**
 * `npm run bench startup`: the command as a whole process (node bin/runbook-bot.js, the compiled
 * dist/ that `npm run bench` builds first), median of several runs after a warm-up:
 *  1. `runbook-bot runbooks --json`: wall time and peak RSS (goal under 0.5 s and 100 MiB);
 *  2. `runbook-bot diagnose lag --json` against the real Kafka broker of the tests (a config with
 *     only kafka, runbooks.lagSampleIntervalSeconds 0: one snapshot of the lag), side by side with
 *     `kafka-consumer-groups.sh --describe` (kafka-tools' ConsumerGroupCommand on a JVM) on the same
 *     broker and group, run in turn A B A B (goal: ours faster);
 *  3. `runbook-bot serve --sandbox`: VmRSS from /proc/<pid>/status once the sandbox is ready and
 *     idle (goal under 120 MB).
 * RUNBOOK_BOT_BENCH_RUNS (default 5) sets the runs; RUNBOOK_BOT_BENCH_BIN measures another checkout's
 * bin/runbook-bot.js (e.g. the tsx-run one before the build), RUNBOOK_BOT_BENCH_KAFKA a running broker.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BENCH_GROUP,
  BENCH_TOPIC,
  type BenchBroker,
  consumerGroupsDescribe,
  ensureKafkaToolsJars,
  seedLaggingGroup,
  startBenchBroker,
} from "./kafka-bench-peer.ts";
import type { BenchSuiteOptions } from "./suites.ts";
import { median, medianOf, mib, type ProcessRun, runProcess, seconds, spread } from "./whole-process.ts";

/** The checkout: the folder holding bin/runbook-bot.js above this file (bench/ or dist/bench/). */
function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "bin/runbook-bot.js"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no bin/runbook-bot.js above bench/");
    dir = parent;
  }
  return dir;
}

/** The environment of a measured run: the compiled path (no RUNBOOK_BOT_FROM_SOURCES), no Slack. */
function runEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    "RUNBOOK_BOT_FROM_SOURCES",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
  ]) {
    delete env[key];
  }
  return env;
}

export async function runStartupBench(options: BenchSuiteOptions): Promise<number> {
  const out = (s: string) => options.io.stdout.write(`${s}\n`);
  const runs = Number.parseInt(process.env.RUNBOOK_BOT_BENCH_RUNS ?? "5", 10);
  const root = checkoutRoot();
  const bin = process.env.RUNBOOK_BOT_BENCH_BIN ?? join(root, "bin/runbook-bot.js");
  const work = mkdtempSync(join(tmpdir(), "runbook-bot-startup-"));
  const cli = (args: string[]) => runProcess(process.execPath, [bin, ...args], { env: runEnv(), cwd: work });
  out(`command: node ${bin}; ${runs} runs after one warm-up, medians (min-max)`);
  let code = 0;
  try {
    // 1. runbooks --json
    const listRuns = await repeat(runs, () => cli(["runbooks", "--json"]));
    if (!listRuns.every((r) => r.code === 0 && r.stdout.includes('"dlq-spike"'))) {
      out(`runbooks --json failed: ${listRuns.find((r) => r.code !== 0)?.stderr ?? "no list printed"}`);
      return 1;
    }
    const listWall = median(listRuns.map((r) => r.wallMs));
    const listRss = medianOf(listRuns.map((r) => r.peakRssKiB));
    out(
      `runbooks --json        wall ${seconds(listWall)} (${spread(
        listRuns.map((r) => r.wallMs),
        seconds,
      )}), peak RSS ${mib(listRss)}   goal < 0.5 s and 100 MiB: ${
        listWall < 500 && listRss !== undefined && listRss < 100 * 1024 ? "met" : "not met"
      }`,
    );

    // 2. serve --sandbox, idle
    const config = join(work, "serve.yaml");
    writeFileSync(config, `store:\n  path: ${join(work, "serve.db")}\n`);
    const idle: number[] = [];
    for (let i = 0; i < Math.max(3, Math.min(runs, 5)); i++)
      idle.push(await idleServeRssKiB(bin, config, work));
    const idleKiB = median(idle);
    out(
      `serve --sandbox idle   VmRSS ${mib(idleKiB)} = ${((idleKiB * 1024) / 1e6).toFixed(0)} MB (${spread(idle, mib)})   goal < 120 MB: ${
        idleKiB * 1024 < 120e6 ? "met" : "not met"
      }`,
    );

    // 3. diagnose lag vs kafka-consumer-groups.sh --describe
    code = await compareWithConsumerGroups(root, work, runs, cli, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return code;
}

async function repeat(runs: number, run: () => Promise<ProcessRun>): Promise<ProcessRun[]> {
  await run(); // warm-up: file cache, JIT caches
  const results: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await run());
  return results;
}

/** Starts serve in sandbox mode, waits until it is ready and idle, reads its VmRSS, quits it. */
async function idleServeRssKiB(bin: string, config: string, cwd: string): Promise<number> {
  const child = spawn(process.execPath, [bin, "serve", "--sandbox", "--config", config], {
    cwd,
    env: runEnv(),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let screen = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve --sandbox was not ready within 60 s")), 60_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      screen += d;
      if (screen.includes("You are alice.")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (c) => {
      clearTimeout(timer);
      reject(new Error(`serve --sandbox exited (${c}) before it was ready`));
    });
  });
  await new Promise((done) => setTimeout(done, 2000)); // idle: start-up work settled
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kib = Number.parseInt(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "", 10);
  child.stdin.end("quit\n");
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killer);
  if (!Number.isFinite(kib)) throw new Error("no VmRSS in /proc/<pid>/status");
  return kib;
}

async function compareWithConsumerGroups(
  root: string,
  work: string,
  runs: number,
  cli: (args: string[]) => Promise<ProcessRun>,
  out: (s: string) => void,
): Promise<number> {
  const toolsLib = await ensureKafkaToolsJars(root);
  const given = process.env.RUNBOOK_BOT_BENCH_KAFKA?.trim();
  const broker: BenchBroker = given ? { brokers: given, stop: async () => {} } : await startBenchBroker(root);
  try {
    await seedLaggingGroup(broker.brokers);
    const config = join(work, "kafka-only.yaml");
    writeFileSync(
      config,
      [
        "kafka:",
        `  brokers: ["${broker.brokers}"]`,
        "pipeline:",
        `  consumerGroup: ${BENCH_GROUP}`,
        `  sourceTopic: ${BENCH_TOPIC}`,
        "runbooks:",
        "  lagSampleIntervalSeconds: 0",
        `store:\n  path: ${join(work, "diagnose.db")}`,
        "",
      ].join("\n"),
    );
    const [java, javaArgs] = consumerGroupsDescribe(toolsLib, broker.brokers);
    const ours = () => cli(["diagnose", "lag", "--json", "--config", config]);
    const theirs = () => runProcess(java, javaArgs, { cwd: work });
    await ours();
    await theirs(); // warm-ups
    const a: ProcessRun[] = [];
    const b: ProcessRun[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await ours());
      b.push(await theirs());
    }
    const oursOk = a.every((r) => r.code === 0 && r.stdout.includes(BENCH_GROUP));
    const theirsOk = b.every((r) => r.code === 0 && r.stdout.includes(BENCH_GROUP));
    if (!oursOk || !theirsOk) {
      const failed = [...a, ...b].find((r) => r.code !== 0 || !r.stdout.includes(BENCH_GROUP));
      out(`diagnose lag or the describe failed: exit ${failed?.code}\n${failed?.stderr.slice(-1500)}`);
      return 1;
    }
    const ratio = median(a.map((r, i) => r.wallMs / b[i]!.wallMs));
    const row = (name: string, rs: ProcessRun[]) =>
      `${name} wall ${seconds(median(rs.map((r) => r.wallMs)))} (${spread(
        rs.map((r) => r.wallMs),
        seconds,
      )}), peak RSS ${mib(medianOf(rs.map((r) => r.peakRssKiB)))}`;
    out(row("diagnose lag           ", a));
    out(row("consumer-groups --describe (JVM)", b));
    out(
      `diagnose lag / describe: ${ratio.toFixed(2)} (median of pairs)   goal < 1: ${ratio < 1 ? "met" : "not met"}`,
    );
    return 0;
  } finally {
    await broker.stop();
  }
}
