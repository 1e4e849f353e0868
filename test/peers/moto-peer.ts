/**
 * A real moto server (AWS emulator, server mode) on 127.0.0.1 for integration tests.
 *
 * First use installs `moto[server]` from PyPI into the ignored virtualenv `.cache/moto-venv`;
 * later runs reuse it (a marker file records the installed version). Progress goes to stderr.
 *
 * Manual use: `npx tsx test/peers/moto-peer.ts` prints the endpoint and runs until Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The moto release these tests were written and checked against. */
export const MOTO_VERSION = "5.2.5";

const HOST = "127.0.0.1";
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const VENV_DIR = join(REPO_ROOT, ".cache", "moto-venv");
const MARKER = join(VENV_DIR, ".runbook-bot-installed");
const LOCK_DIR = `${VENV_DIR}.lock`;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

export interface MotoPeer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[moto-peer] ${message}\n`);
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // Output goes straight to our stderr: it is the install progress.
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", 2, 2] });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}); see its output above`,
          ),
        );
    });
  });
}

function installedVersion(): string | undefined {
  if (!existsSync(MARKER) || !existsSync(join(VENV_DIR, "bin", "moto_server"))) return undefined;
  return readFileSync(MARKER, "utf8").trim();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A directory lock holding the owner's pid, so two runs never install at once and a killed install does not block. */
async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(LOCK_DIR), { recursive: true });
  const ownerFile = join(LOCK_DIR, "pid");
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(existsSync(ownerFile) ? readFileSync(ownerFile, "utf8") : "", 10);
      const lockedAt = statSync(LOCK_DIR, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      const stale = Number.isInteger(owner) ? !processAlive(owner) : Date.now() - lockedAt > 10_000;
      if (stale) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${LOCK_DIR}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Makes sure `.cache/moto-venv` holds moto[server] at MOTO_VERSION; returns the moto_server path. */
export async function ensureMotoInstalled(): Promise<string> {
  const bin = join(VENV_DIR, "bin", "moto_server");
  if (installedVersion() === MOTO_VERSION) return bin;
  return withInstallLock(async () => {
    if (installedVersion() === MOTO_VERSION) return bin; // installed by a concurrent run
    const started = Date.now();
    const where = relative(REPO_ROOT, VENV_DIR);
    log(`installing moto[server]==${MOTO_VERSION} into ${where} (first run only)...`);
    rmSync(VENV_DIR, { recursive: true, force: true }); // a half-made or outdated venv
    const python = process.env.PYTHON ?? "python3";
    await run(python, ["-m", "venv", VENV_DIR], 120_000);
    const pip = join(VENV_DIR, "bin", "pip");
    await run(
      pip,
      [
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        `moto[server]==${MOTO_VERSION}`,
      ],
      INSTALL_TIMEOUT_MS,
    );
    writeFileSync(MARKER, `${MOTO_VERSION}\n`);
    log(`installed moto ${MOTO_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return bin;
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolvePromise(address.port);
        else reject(new Error("could not get a free port"));
      });
    });
  });
}

async function answersHttp(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return true; // any HTTP answer means the server is serving
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      resolvePromise();
    });
    child.kill("SIGTERM");
  });
}

/** Starts moto_server on a free 127.0.0.1 port and resolves once it answers HTTP. */
export async function startMotoPeer(): Promise<MotoPeer> {
  const bin = await ensureMotoInstalled();
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  const started = Date.now();

  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    }
  };
  const child = spawn(bin, ["-H", HOST, "-p", String(port)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  child.stdout?.on("data", remember);
  child.stderr?.on("data", remember);
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  // Never leave a moto_server behind, whatever way this process ends.
  const killOnExit = (): void => {
    if (!exited(child)) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const fail = async (why: string): Promise<never> => {
    process.removeListener("exit", killOnExit);
    await stopChild(child);
    const logTail = tail.length > 0 ? tail.join("\n") : "(no output)";
    throw new Error(`moto_server on ${endpoint} ${why}. Last output:\n${logTail}`);
  };

  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) return fail(`could not start: ${spawnError.message}`);
    if (exited(child)) return fail(`exited early (${child.signalCode ?? `exit ${child.exitCode}`})`);
    if (await answersHttp(endpoint)) break;
    if (Date.now() > deadline) return fail(`did not answer HTTP within ${READY_TIMEOUT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`moto ${MOTO_VERSION} ready on ${endpoint} in ${((Date.now() - started) / 1000).toFixed(1)}s`);

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    stop() {
      stopping ??= stopChild(child).finally(() => process.removeListener("exit", killOnExit));
      return stopping;
    },
  };
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const peer = await startMotoPeer();
  process.stdout.write(`${peer.endpoint}\n`);
  log("running; press Ctrl-C to stop");
  const shutdown = (): void => {
    void peer.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
