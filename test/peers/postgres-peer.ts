/**
 * A real PostgreSQL server on 127.0.0.1 for tests: Debian's `postgresql` package's binaries
 * (/usr/lib/postgresql/<newest>/bin), a fresh data directory (initdb, ~1 s), the server run as
 * the `postgres` user (tests run as root; PostgreSQL refuses to run as root), a role with a
 * password and a database of its own, reached over TCP with that password (scram-sha-256).
 *
 * `startPostgresPeer()` is the run's shared server (the global setup provides its URL as
 * `postgresUrl`); `startPostgresServer()` starts a test's OWN server, which it may stop and start
 * again on the same port and data directory (`halt`, `resume`, `restart`) to see what the bot does
 * while PostgreSQL is down. `ensurePostgresInstalled()` (run by `npm run peers:prepare`) installs
 * the package with apt-get when the binaries are missing.
 *
 * Manual use: `npx tsx test/peers/postgres-peer.ts` prints the URL and runs until Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePorts, installExitGuard, logTail, runTool, tail } from "./peer-process.ts";

const ROOT_OF_VERSIONS = "/usr/lib/postgresql";
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const ROLE = "runbook_bot";
const PASSWORD = "peer-secret-pw";
const DATABASE = "runbook_bot";

export interface PostgresServer {
  /** postgres://runbook_bot:PASSWORD@127.0.0.1:PORT/runbook_bot */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server (fast shutdown: open sessions are cut), keeping its data directory. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  resume(): Promise<void>;
  /** halt, then resume. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data directory. */
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[postgres-peer] ${message}\n`);
}

/** The newest installed server's bin directory, or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(ROOT_OF_VERSIONS)) return undefined;
  const versions = readdirSync(ROOT_OF_VERSIONS)
    .filter((v) => existsSync(join(ROOT_OF_VERSIONS, v, "bin", "postgres")))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  const newest = versions[0];
  return newest === undefined ? undefined : join(ROOT_OF_VERSIONS, newest, "bin");
}

/** Installs Debian's `postgresql` package (non-interactive) when no server binaries are found. */
export async function ensurePostgresInstalled(): Promise<string> {
  const found = postgresBinDir();
  if (found !== undefined) return found;
  log("installing Debian's postgresql package with apt-get (first run only)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "postgresql"]]) {
    const result = await runToolWithEnv("apt-get", args, env);
    if (result.code !== 0) throw new Error(`apt-get ${args.join(" ")} failed:\n${tail(result.output)}`);
  }
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error(`apt-get installed postgresql but ${ROOT_OF_VERSIONS}/*/bin is empty`);
  return bin;
}

function runToolWithEnv(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const saved = process.env;
  process.env = env; // runTool's spawn inherits process.env
  try {
    return runTool("postgres-peer", command, args, {
      timeoutMs: 15 * 60_000,
      cwd: tmpdir(),
      needs: "a Debian-based machine with apt-get",
    });
  } finally {
    process.env = saved;
  }
}

/** The uid/gid the server runs as: `postgres` when we are root (PostgreSQL refuses root), else ourselves. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("postgres-peer: no `postgres` user");
  return { uid, gid };
}

function run(bin: string, args: readonly string[], user: { uid: number; gid: number } | undefined) {
  return new Promise<{ code: number; output: string }>((resolveRun, reject) => {
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: "C", LANG: "C" },
      cwd: tmpdir(),
    });
    let output = "";
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolveRun({ code: code ?? 1, output }));
  });
}

async function waitUntilAccepting(dataDir: string, port: number, child: ChildProcess, logFile: string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`postgres exited before accepting connections:\n${logTail(logFile)}`);
    const client = new pg.Client({ host: dataDir, port, user: "postgres", database: "postgres" });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections:\n${logTail(logFile)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts a server of its own on a free port (initdb'd afresh); see PostgresServer. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error(
      `postgres-peer: no PostgreSQL server in ${ROOT_OF_VERSIONS} (run \`npm run peers:prepare\`, or apt-get install postgresql)`,
    );
  const user = serverUser();
  const dataDir = mkdtempSync(join(tmpdir(), "pg-peer-"));
  if (user) chownSync(dataDir, user.uid, user.gid);
  const logFile = join(dataDir, "server.log");
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("postgres-peer: no free port");
  const started = Date.now();
  const init = await run(
    join(bin, "initdb"),
    [
      "-D",
      join(dataDir, "data"),
      "-U",
      "postgres",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ],
    user,
  );
  if (init.code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`postgres-peer: initdb failed:\n${tail(init.output)}`);
  }

  let child: ChildProcess | undefined;
  const killNow = (): void => {
    child?.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);

  const launch = async (): Promise<void> => {
    const fd = openSync(logFile, "a");
    if (user) chownSync(logFile, user.uid, user.gid);
    child = spawn(
      join(bin, "postgres"),
      [
        "-D",
        join(dataDir, "data"),
        "-k",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "max_connections=200",
      ],
      { stdio: ["ignore", fd, fd], ...(user ?? {}), env: { ...process.env, LC_ALL: "C" }, cwd: dataDir },
    );
    closeSync(fd);
    child.unref();
    await waitUntilAccepting(dataDir, port, child, logFile);
  };

  const halt = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((done) => running.once("exit", () => done()));
    running.kill("SIGINT"); // fast shutdown: sessions are cut, data is checkpointed
    const timer = setTimeout(() => running.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
    const admin = new pg.Client({ host: dataDir, port, user: "postgres", database: "postgres" });
    await admin.connect();
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
    await admin.end();
  } catch (error) {
    await halt().catch(() => undefined);
    guard.remove();
    killNow();
    throw error;
  }
  log(`PostgreSQL on 127.0.0.1:${port} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    url: `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    dataDir,
    halt,
    resume: launch,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      guard.remove();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The run's shared server (the global setup's). */
export function startPostgresPeer(): Promise<PostgresServer> {
  return startPostgresServer();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { serveUntilSignal } = await import("./peer-process.ts");
  await serveUntilSignal(
    startPostgresPeer,
    (peer) => process.stdout.write(`${peer.url}\n`),
    (message) => log(message),
  );
}
