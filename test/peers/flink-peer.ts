/**
 * A real Apache Flink for the tests: a MiniCluster (JobManager with the real REST API, one
 * TaskManager) in one JVM on 127.0.0.1, running the job "order-processing" shaped like the seed's
 * pipeline (scripts/flink: Source: Kafka orders.raw -> parse-validate | enrichment |
 * TumblingEventTimeWindows (5 min, event time) | Firehose order-firehose: Writer), checkpointing to
 * s3://checkpoint-bucket/... served by a file system over a local folder.
 *
 * Scenarios (faults switched on from the start; `setFaults` switches them at run time):
 *   healthy          nothing wrong
 *   s3-403           every s3 PUT fails with S3A's AccessDeniedException (... Status Code: 403 ...):
 *                    checkpoints fail "Asynchronous task checkpoint failed.", the job keeps RUNNING
 *   s3-slow          s3 writes are slow (1.5 s per file, 64 KB/s)
 *   slow-sync        the enrichment's snapshotState sleeps 6 s: a long synchronous phase
 *   backpressure     the enrichment waits 100 ms per order (a slow enrichment API): the source is
 *                    back-pressured, the enrichment busy
 *   crash-loop       parse-validate throws 4 s after each (re)start; fixed-delay restarts every
 *                    10 s, 1000 attempts: RUNNING / RESTARTING, numRestarts climbs
 *   failed           the same throw after 0.5 s with 2 attempts 1 s apart: the job ends FAILED
 *   stuck-watermark  the watermark stops advancing after its first value (orders still flow)
 *   no-watermark     no watermark at all: Long.MIN_VALUE downstream, no window ever fires
 *
 * The program is built by Maven (scripts/flink/pom.xml) from Maven Central into
 * ~/.cache/runbook-bot/flink/<version>/<hash of scripts/flink> once (jar + dependency jars); a
 * change of the Java sources builds anew. Needs `java` (17+) and `mvn` on PATH.
 *
 * Manual use: `npx tsx test/peers/flink-peer.ts [scenario] [version]` starts one, prints its URL
 * and stops it on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freePorts,
  installExitGuard,
  logTail,
  runTool,
  serveUntilSignal,
  tail,
  terminate,
} from "./peer-process.ts";

/** The versions the suites run against (both measured in ../shared/REFERENCE.md). */
export const FLINK_VERSIONS = ["1.20.3", "2.1.1"] as const;
export type FlinkPeerVersion = (typeof FLINK_VERSIONS)[number] | (string & {});

export const FLINK_FAULTS = [
  "s3-403",
  "s3-slow",
  "slow-sync",
  "backpressure",
  "crash-loop",
  "failed",
  "stuck-watermark",
  "no-watermark",
] as const;
export type FlinkFault = (typeof FLINK_FAULTS)[number];
export type FlinkScenario = "healthy" | FlinkFault;

export const FLINK_JOB_NAME = "order-processing";

export interface FlinkPeerOptions {
  /** Default FLINK_VERSIONS[0] (or FLINK_PEER_VERSION). */
  readonly version?: FlinkPeerVersion;
  /** Faults on from the start; default healthy. */
  readonly scenario?: FlinkScenario | readonly FlinkFault[];
  /** Default 2000 ms (the seed's cluster: 60 s; short here so tests see checkpoints quickly). */
  readonly checkpointIntervalMs?: number;
  /**
   * How often the JobManager fetches metrics for REST (metrics.fetcher.update-interval).
   * Default 1000 ms (Flink's default is 10 s).
   */
  readonly metricsIntervalMs?: number;
  /** More program arguments (see FlinkPeer.java), e.g. {"slow-sync-ms": 9000}. */
  readonly args?: Readonly<Record<string, string | number>>;
  /** Resolve once this many checkpoints completed (default 0: do not wait). */
  readonly completedCheckpoints?: number;
}

export interface FlinkPeer {
  /** http://127.0.0.1:PORT, the JobManager's REST API. */
  readonly url: string;
  /** The Flink version, e.g. "1.20.3". */
  readonly version: string;
  readonly jobId: string;
  readonly jobName: string;
  /** The JobManager log (log4j, -Dlog.file); Flink's REST serves it under /jobmanager/logs/<name>. */
  readonly logFile: string;
  /** Faults on now. */
  readonly faults: readonly FlinkFault[];
  /** Replaces the faults on (an empty list: healthy); resolves once the JVM picked them up. */
  setFaults(faults: readonly FlinkFault[]): Promise<void>;
  /** Stops the JVM (SIGTERM, then SIGKILL after a grace period) and removes its folder. */
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const projectDir = join(repoRoot, "scripts/flink");
const BUILD_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const LOCK_STALE_MS = BUILD_TIMEOUT_MS;

const ADD_OPENS = [
  "java.util",
  "java.lang",
  "java.lang.reflect",
  "java.io",
  "java.net",
  "java.nio",
  "sun.nio.ch",
  "java.text",
  "java.time",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "java.lang.invoke",
].map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`);

const FLINK_NEEDS = "the Flink peer needs a JDK 17+ and Maven";

function progress(message: string): void {
  process.stderr.write(`[flink-peer] ${message}\n`);
}

function faultList(scenario: FlinkPeerOptions["scenario"]): FlinkFault[] {
  if (scenario === undefined || scenario === "healthy") return [];
  return typeof scenario === "string" ? [scenario] : [...scenario];
}

export async function startFlinkPeer(options: FlinkPeerOptions = {}): Promise<FlinkPeer> {
  const version = options.version ?? (process.env.FLINK_PEER_VERSION?.trim() || FLINK_VERSIONS[0]);
  const faults = faultList(options.scenario);
  const built = await ensureBuilt(version);
  const workDir = await mkdtemp(join(tmpdir(), "flink-peer-"));
  const logDir = join(workDir, "log");
  await mkdir(logDir);
  const logFile = join(logDir, "jobmanager.log");
  const stdoutFile = join(workDir, "stdout.log");
  const controlFile = join(workDir, "faults");
  await writeFile(controlFile, faults.join(","));

  let child: ChildProcess | undefined;
  const killNow = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);
  try {
    const [port] = (await freePorts(1)) as [number];
    const programArgs: Record<string, string | number> = {
      scenario: faults.length === 0 ? "healthy" : faults.join(","),
      "rest-port": port,
      "s3-root": join(workDir, "s3"),
      "control-file": controlFile,
      "job-name": FLINK_JOB_NAME,
      "checkpoint-interval-ms": options.checkpointIntervalMs ?? 2_000,
      // The first checkpoint no sooner than 3/4 of the interval after the job started, so it does
      // not come before the tasks run (declined, counted as failed).
      "min-pause-ms": Math.round(((options.checkpointIntervalMs ?? 2_000) * 3) / 4),
      "metrics-interval-ms": options.metricsIntervalMs ?? 1_000,
      ...options.args,
    };
    const outFd = openSync(stdoutFile, "w");
    try {
      child = spawn(
        "java",
        [
          "-Xmx384m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Djava.awt.headless=true",
          ...ADD_OPENS,
          `-Dlog.file=${logFile}`,
          "-cp",
          `${built.jar}:${built.lib}/*`,
          "dev.runbookbot.flinkpeer.FlinkPeer",
          ...Object.entries(programArgs).flatMap(([k, v]) => [`--${k}`, String(v)]),
        ],
        { cwd: workDir, stdio: ["ignore", outFd, outFd] },
      );
    } finally {
      closeSync(outFd);
    }
    child.unref();
    const started = child;
    let exitReason: string | undefined;
    started.once("exit", (code, signal) => {
      exitReason = `exited (${signal ?? `code ${code}`})`;
    });
    started.once("error", (err) => {
      exitReason = `could not start java: ${err.message}`;
    });
    const died = () => exitReason;
    const url = `http://127.0.0.1:${port}`;
    const jobId = await waitForJob(stdoutFile, logFile, died);
    const expected = faults.includes("failed") ? "FAILED" : "RUNNING";
    await waitForState(url, jobId, expected, options.completedCheckpoints ?? 0, logFile, died);
    progress(
      `Flink ${version} ready at ${url}, job ${jobId} ${expected} (${faults.join(",") || "healthy"}; log ${logFile})`,
    );

    let current: FlinkFault[] = faults;
    let stopping: Promise<void> | undefined;
    return {
      url,
      version,
      jobId,
      jobName: FLINK_JOB_NAME,
      logFile,
      get faults() {
        return current;
      },
      async setFaults(next: readonly FlinkFault[]): Promise<void> {
        const wanted = [...new Set(next)].sort();
        const before = countLines(stdoutFile, "FAULTS ");
        const tmp = `${controlFile}.tmp`;
        await writeFile(tmp, wanted.join(","));
        await rename(tmp, controlFile);
        const deadline = Date.now() + 10_000;
        while (countLines(stdoutFile, "FAULTS ") <= before) {
          if (died() !== undefined) throw new Error(`flink-peer: the JVM ${died()}`);
          if (Date.now() > deadline)
            throw new Error("flink-peer: the JVM did not pick up the new faults in 10 s");
          await sleep(100);
        }
        current = wanted;
      },
      stop(): Promise<void> {
        stopping ??= (async () => {
          await terminate(started, STOP_GRACE_MS);
          guard.remove();
          await rm(workDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (err) {
    killNow();
    guard.remove();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Build

interface Built {
  readonly jar: string;
  readonly lib: string;
}

/** Hash of the program's sources: a changed pom or Java file builds anew. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(projectDir, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  hash.update(readFileSync(join(projectDir, "pom.xml")));
  walk(join(projectDir, "src"));
  return hash.digest("hex").slice(0, 12);
}

export function flinkCacheDir(version: string): string {
  return join(homedir(), ".cache/runbook-bot/flink", version);
}

/** The jar and lib/ of this version, built by Maven when missing (one build at a time per version). */
export async function ensureBuilt(version: string): Promise<Built> {
  const cacheDir = flinkCacheDir(version);
  const outDir = join(cacheDir, sourceHash());
  const built: Built = { jar: join(outDir, "flink-peer.jar"), lib: join(outDir, "lib") };
  const marker = join(outDir, "build.complete");
  if (existsSync(marker)) {
    touch(marker);
    return built;
  }
  await mkdir(cacheDir, { recursive: true });
  const lock = `${outDir}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(marker)) return built;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          await rm(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      await sleep(1_000);
    }
  }
  try {
    if (existsSync(marker)) return built;
    const partial = `${outDir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    progress(`building the Flink ${version} peer with Maven into ${outDir} (first run only)...`);
    const startedAt = Date.now();
    const ticker = setInterval(() => {
      progress(`  still building Flink ${version}... ${Math.round((Date.now() - startedAt) / 1000)}s`);
    }, 15_000);
    try {
      const mvn = await runTool(
        "flink-peer",
        "mvn",
        [
          "-B",
          "-q",
          "-f",
          join(projectDir, "pom.xml"),
          `-Dflink.version=${version}`,
          `-Dpeer.build=${partial}/build`,
          `-Dpeer.out=${partial}/out`,
          "package",
        ],
        { timeoutMs: BUILD_TIMEOUT_MS, cwd: repoRoot, needs: FLINK_NEEDS },
      );
      if (mvn.code !== 0) {
        await rm(partial, { recursive: true, force: true });
        throw new Error(
          `flink-peer: mvn could not build Flink ${version} (exit ${mvn.code}):\n${tail(mvn.output)}`,
        );
      }
    } finally {
      clearInterval(ticker);
    }
    await rm(outDir, { recursive: true, force: true });
    await rename(join(partial, "out"), outDir);
    await rm(partial, { recursive: true, force: true });
    await writeFile(marker, `${new Date().toISOString()} built in ${Date.now() - startedAt} ms\n`);
    await pruneOtherBuilds(cacheDir, basename(outDir));
    progress(`built the Flink ${version} peer in ${Math.round((Date.now() - startedAt) / 1000)}s`);
    return built;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

const UNUSED_BUILD_MS = 24 * 3600_000;

/** Marks a build as used now (its marker's mtime). */
function touch(marker: string): void {
  try {
    const now = new Date();
    utimesSync(marker, now, now);
  } catch {
    // read-only cache: pruning just keeps it longer
  }
}

/**
 * Builds of other sources of this version (70 MB each) go once unused for a day (another
 * checkout on this machine may still run an older one).
 */
async function pruneOtherBuilds(cacheDir: string, keep: string): Promise<void> {
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || !/^[0-9a-f]{12}$/.test(name) || existsSync(join(cacheDir, `${name}.lock`))) continue;
    let lastUse = 0;
    try {
      lastUse = statSync(join(cacheDir, name, "build.complete")).mtimeMs;
    } catch {
      // no marker: an interrupted build
    }
    if (Date.now() - lastUse > UNUSED_BUILD_MS)
      await rm(join(cacheDir, name), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Start and stop

function countLines(file: string, prefix: string): number {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith(prefix)).length;
  } catch {
    return 0;
  }
}

async function waitForJob(
  stdoutFile: string,
  logFile: string,
  died: () => string | undefined,
): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const out = existsSync(stdoutFile) ? readFileSync(stdoutFile, "utf8") : "";
    const match = /^JOB ([0-9a-f]{32}) /m.exec(out);
    if (match?.[1]) return match[1];
    const reason = died();
    if (reason !== undefined) {
      throw new Error(
        `flink-peer: the JVM ${reason} before the job was submitted.\n${tail(out)}\nLog tail:\n${logTail(logFile)}`,
      );
    }
    await sleep(200);
  }
  throw new Error(
    `flink-peer: no job submitted after ${START_TIMEOUT_MS / 1000}s. Log tail:\n${logTail(logFile)}`,
  );
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Until the job is in `state` (RUNNING: every vertex RUNNING too) and `checkpoints` completed. */
async function waitForState(
  url: string,
  jobId: string,
  state: string,
  checkpoints: number,
  logFile: string,
  died: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    const reason = died();
    if (reason !== undefined)
      throw new Error(`flink-peer: the JVM ${reason}. Log tail:\n${logTail(logFile)}`);
    try {
      const job = (await getJson(`${url}/jobs/${jobId}`)) as {
        state?: string;
        vertices?: { status?: string }[];
      };
      last = `job ${job.state}`;
      const vertices = job.vertices ?? [];
      const ready =
        job.state === state &&
        (state !== "RUNNING" || (vertices.length > 0 && vertices.every((v) => v.status === "RUNNING")));
      if (ready && checkpoints > 0) {
        const stats = (await getJson(`${url}/jobs/${jobId}/checkpoints`)) as {
          counts?: { completed?: number };
        };
        last = `job ${job.state}, ${stats.counts?.completed ?? 0} checkpoints completed`;
        if ((stats.counts?.completed ?? 0) >= checkpoints) return;
      } else if (ready) {
        return;
      }
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(
    `flink-peer: job ${jobId} not ${state} after ${START_TIMEOUT_MS / 1000}s (${last}). Log tail:\n${logTail(logFile)}`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function main(): Promise<void> {
  const scenario = (process.argv[2] ?? "healthy") as FlinkScenario;
  const version = process.argv[3];
  await serveUntilSignal(
    () => startFlinkPeer({ scenario, ...(version ? { version } : {}) }),
    (peer) => {
      process.stdout.write(`${peer.url} ${peer.jobId}\n`);
      progress(`Flink ${peer.version} at ${peer.url}; Ctrl-C stops it`);
    },
    progress,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    progress(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
