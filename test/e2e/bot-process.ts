/**
 * Spawning and driving one bot OS process (child-bot.ts): wait until it is connected, ask it to
 * become idle, stop it with SIGTERM, or crash it with SIGKILL. Every process spawned here is
 * remembered, so that `killLeftoverBots()` can end those a failing test left running.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type E2eConfigOptions, type SlackAccess, WAIT_MS } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./child-bot.ts", import.meta.url));

/** What child-bot.ts runs with (JSON in the environment variable CHILD_BOT_ARGS). */
export interface ChildBotArgs {
  readonly slack: SlackAccess;
  readonly kubeConfigYaml: string;
  readonly storePath: string;
  /** The PostgreSQL database (URL and schema) the bots share instead of the SQLite file. */
  readonly database?: { readonly url: string; readonly schema: string };
  readonly options?: E2eConfigOptions;
  readonly expirySweepMs?: number;
}

export const CHILD_BOT_ARGS = "CHILD_BOT_ARGS";

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BotProcess {
  readonly pid: number;
  /** The executor id this process writes into the store when it starts an action. */
  readonly instanceId: string;
  /** Resolves once the process has no background work left (runs, executions, thread notes). */
  idle(): Promise<void>;
  /** SIGTERM: the bot stops cleanly (closes its Slack connection and its store). */
  stop(): Promise<Exit>;
  /** SIGKILL: the crash. Resolves once the process is gone. */
  kill(): Promise<Exit>;
  /** What the process wrote to stderr (for failure messages). */
  stderr(): string;
}

const spawned = new Set<ChildProcessWithoutNullStreams>();

/** Starts the bot in a process of its own; resolves once it says it is connected. */
export async function spawnBot(args: ChildBotArgs): Promise<BotProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env, [CHILD_BOT_ARGS]: JSON.stringify(args) },
  });
  spawned.add(child);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      spawned.delete(child);
      resolve({ code, signal });
    });
  });
  const lines = createInterface({ input: child.stdout });
  const idleWaiters: Array<() => void> = [];
  let ready: ((value: { pid: number; instanceId: string }) => void) | undefined;
  const readyLine = new Promise<{ pid: number; instanceId: string }>((resolve) => {
    ready = resolve;
  });
  lines.on("line", (line) => {
    if (line === "idle") idleWaiters.shift()?.();
    else if (line.startsWith('{"ready"')) ready?.(JSON.parse(line) as { pid: number; instanceId: string });
  });

  const started = await Promise.race([
    readyLine,
    exited.then((exit) => new Error(`the bot process exited before it was ready (${JSON.stringify(exit)})`)),
    timeout(WAIT_MS, "the bot process was not ready"),
  ]);
  if (started instanceof Error) {
    child.kill("SIGKILL");
    throw new Error(`${started.message}\n${stderr}`);
  }

  const signal = async (name: NodeJS.Signals): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    pid: started.pid,
    instanceId: started.instanceId,
    async idle() {
      const done = new Promise<void>((resolve) => idleWaiters.push(resolve));
      child.stdin.write("idle\n");
      const result = await Promise.race([done, timeout(WAIT_MS, "the bot process did not become idle")]);
      if (result instanceof Error) throw result;
    },
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    stderr: () => stderr,
  };
}

/** SIGKILLs the bot processes still running (a test that failed half-way). */
export async function killLeftoverBots(): Promise<void> {
  const left = [...spawned];
  for (const child of left) child.kill("SIGKILL");
  await Promise.all(
    left.map((child) =>
      child.exitCode === null && child.signalCode === null ? once(child, "exit") : undefined,
    ),
  );
}

function timeout(ms: number, what: string): Promise<Error> {
  return new Promise((resolve) => {
    setTimeout(() => resolve(new Error(`${what} within ${ms} ms`)), ms).unref();
  });
}
