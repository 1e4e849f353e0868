/**
 * Whole-process figures for the startup suite: wall time measured from here (spawn to exit) and
 * peak RSS from the kernel's own accounting of the finished process, read through GNU time
 * (`/usr/bin/time -f %M`, the maximum resident set size in KiB) when it is installed; medians.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";

export interface ProcessRun {
  readonly wallMs: number;
  /** Peak resident set size in KiB; undefined without GNU time. */
  readonly peakRssKiB: number | undefined;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a command to its end; its output is kept to check that it did its work. */
export async function runProcess(command: string, args: readonly string[], options: RunOptions = {}) {
  const measured = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-bench-"));
  const rssFile = join(dir, "rss");
  const [file, argv] = measured
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile, command, ...args]]
    : [command, [...args]];
  const startedAt = performance.now();
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  const wallMs = performance.now() - startedAt;
  clearTimeout(timer);
  let peakRssKiB: number | undefined;
  if (measured) {
    // GNU time writes "Command exited with non-zero status N" before the figure on a failure.
    const last = readFileSync(rssFile, "utf8").trim().split("\n").at(-1) ?? "";
    const kib = Number.parseInt(last, 10);
    peakRssKiB = Number.isFinite(kib) ? kib : undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, peakRssKiB, code, stdout, stderr } satisfies ProcessRun;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of the defined values, undefined when there are none. */
export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : median(defined);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mib = (kib: number | undefined) =>
  kib === undefined ? "n/a" : `${(kib / 1024).toFixed(0)} MiB`;

/** "min-max" of a series, to show how noisy the runs were. */
export function spread(values: readonly number[], format: (v: number) => string): string {
  return `${format(Math.min(...values))}-${format(Math.max(...values))}`;
}
