/**
 * A real Apache Kafka broker for the integration tests: single node, KRaft, combined
 * broker+controller roles, on 127.0.0.1 with ports chosen at run time and a fresh log dir per run.
 *
 * The jars come from Maven Central through Maven (scripts/kafka/pom.xml) into
 * .cache/kafka/<version>/lib, once; later runs reuse them. Needs `java` (17+) and `mvn` on PATH.
 *
 * Manual use: `npx tsx test/peers/kafka-peer.ts` starts a broker, prints its bootstrap address
 * and stops it on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";

/**
 * The newest Kafka Maven Central serves. Kafka 4 removed old protocol versions (KIP-896); kafkajs
 * 2.2.4 negotiates versions Kafka 4.4 still has, checked by test/integration/kafka-lag.test.ts
 * (admin calls, a producer, a consumer that joins a group and commits).
 * KAFKA_PEER_VERSION overrides it to try another release.
 */
export const DEFAULT_KAFKA_VERSION = "4.4.0";

export interface KafkaPeer {
  /** Bootstrap address, "127.0.0.1:PORT". */
  readonly brokers: string;
  /** Broker version, e.g. "4.1.0". */
  readonly version: string;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and removes its log dir. */
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pomPath = join(repoRoot, "scripts/kafka/pom.xml");
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

function progress(message: string): void {
  process.stderr.write(`[kafka-peer] ${message}\n`);
}

export async function startKafkaPeer(): Promise<KafkaPeer> {
  const version = process.env.KAFKA_PEER_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  const cacheDir = join(repoRoot, ".cache/kafka", version);
  const libDir = await ensureJars(version, cacheDir);

  const [port, controllerPort] = await freePortPair();
  const workDir = await mkdtemp(join(tmpdir(), "kafka-peer-"));
  const logFile = join(cacheDir, "broker.log");
  const classpath = `${libDir}/*`;
  const propsFile = join(workDir, "server.properties");
  await writeFile(propsFile, serverProperties(port, controllerPort, join(workDir, "data")));

  let child: ChildProcess | undefined;
  const killNow = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);

  try {
    const formatOut = await run(
      "java",
      [
        "-cp",
        classpath,
        ...quietJavaFlags,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId(),
        "-c",
        propsFile,
      ],
      { timeoutMs: 60_000 },
    );
    if (formatOut.code !== 0) {
      throw new Error(
        `kafka-peer: formatting storage failed (exit ${formatOut.code}):\n${tail(formatOut.output)}`,
      );
    }

    const logFd = openSync(logFile, "w");
    try {
      child = spawn(
        "java",
        [
          "-Xmx512m",
          "-XX:+UseSerialGC",
          "-Djava.awt.headless=true",
          "-Dorg.slf4j.simpleLogger.showDateTime=true",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
          "-cp",
          classpath,
          "kafka.Kafka",
          propsFile,
        ],
        { cwd: workDir, stdio: ["ignore", logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    const started = child;
    started.unref();
    const exited = new Promise<string>((resolveExit) => {
      started.once("exit", (code, signal) => resolveExit(`exited (${signal ?? `code ${code}`})`));
      started.once("error", (err) => resolveExit(`could not start java: ${err.message}`));
    });

    const brokers = `127.0.0.1:${port}`;
    await waitUntilReady(brokers, exited, logFile);
    progress(`Apache Kafka ${version} ready at ${brokers} (log: ${logFile})`);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await terminate(started);
        guard.remove();
        await rm(workDir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return { brokers, version, stop };
  } catch (err) {
    killNow();
    guard.remove();
    throw err;
  }
}

/** The jars of this Kafka version in the cache, fetched by Maven when they are not there yet. */
async function ensureJars(version: string, cacheDir: string): Promise<string> {
  const libDir = join(cacheDir, "lib");
  const marker = join(cacheDir, "lib.complete");
  if (existsSync(marker) && existsSync(libDir)) return libDir;

  await mkdir(cacheDir, { recursive: true });
  const partial = join(cacheDir, `lib.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  progress(`fetching Apache Kafka ${version} jars from Maven Central into ${libDir} (first run only)...`);
  const startedAt = Date.now();
  const ticker = setInterval(() => {
    progress(`  still fetching Kafka ${version} jars... ${Math.round((Date.now() - startedAt) / 1000)}s`);
  }, 15_000);
  try {
    const mvn = await run(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        pomPath,
        `-Dkafka.version=${version}`,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${partial}`,
      ],
      { timeoutMs: DOWNLOAD_TIMEOUT_MS },
    );
    if (mvn.code !== 0) {
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(libDir)) await rm(cacheDir, { recursive: true, force: true });
      throw new Error(
        `kafka-peer: mvn could not fetch Kafka ${version} (exit ${mvn.code}):\n${tail(mvn.output)}`,
      );
    }
  } finally {
    clearInterval(ticker);
  }
  // Another run may have finished the same download meanwhile; either copy is good.
  if (!(existsSync(marker) && existsSync(libDir))) {
    await rm(libDir, { recursive: true, force: true });
    await rename(partial, libDir);
    await writeFile(marker, `${new Date().toISOString()}\n`);
  } else {
    await rm(partial, { recursive: true, force: true });
  }
  progress(`fetched Kafka ${version} jars in ${Math.round((Date.now() - startedAt) / 1000)}s`);
  return libDir;
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return `${[
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dataDir}`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
  ].join("\n")}\n`;
}

/** Flags for the short-lived JVM tools: log only warnings, to stderr (captured). */
const quietJavaFlags = ["-Xmx256m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"];

/** Kafka's cluster id: 16 random bytes, base64url without padding, not starting with "-". */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Two distinct free ports on 127.0.0.1 (both held open while picked, so they differ). */
async function freePortPair(): Promise<[number, number]> {
  const servers = await Promise.all(
    Array.from(
      { length: 2 },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("kafka-peer: no port");
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
  return [ports[0]!, ports[1]!];
}

/** Polls until the broker answers an admin call (describeCluster lists it), or fails with the log tail. */
async function waitUntilReady(brokers: string, exited: Promise<string>, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: "kafka-peer",
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let lastError = "no answer yet";
  while (Date.now() < deadline) {
    if (exitReason !== undefined) {
      throw new Error(
        `kafka-peer: the broker ${exitReason} before it was ready. Log tail:\n${logTail(logFile)}`,
      );
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      lastError = "the cluster lists no broker yet";
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `kafka-peer: broker at ${brokers} not ready after ${START_TIMEOUT_MS / 1000}s (${lastError}). Log tail:\n${logTail(logFile)}`,
  );
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(true), STOP_GRACE_MS);
  });
  const timedOut = await Promise.race([exited.then(() => false), graceOver]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Makes sure the broker does not outlive this process: kills it when the process exits, and on
 * SIGINT/SIGTERM/SIGHUP when nobody else handles the signal (then re-raises it).
 */
function installExitGuard(killNow: () => void): { remove(): void } {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return; // someone else handles it; "exit" still covers us
    killNow();
    remove();
    process.kill(process.pid, signal);
  };
  const remove = (): void => {
    process.removeListener("exit", killNow);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  process.on("exit", killNow);
  for (const signal of signals) process.on(signal, onSignal);
  return { remove };
}

function run(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number },
): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          err.code === "ENOENT"
            ? `kafka-peer: \`${command}\` is not on PATH (the Kafka peer needs a JDK 17+ and Maven)`
            : `kafka-peer: could not run ${command}: ${err.message}`,
        ),
      );
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? (signal ? 128 : 1), output: stripAnsi(output) });
    });
  });
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function logTail(logFile: string): string {
  try {
    if (statSync(logFile).size === 0) return "(empty log)";
    return tail(readFileSync(logFile, "utf8"));
  } catch {
    return "(no log)";
  }
}

async function main(): Promise<void> {
  const peer = await startKafkaPeer();
  process.stdout.write(`${peer.brokers}\n`);
  progress(`Kafka ${peer.version} at ${peer.brokers}; Ctrl-C stops it`);
  const shutdown = (): void => {
    progress("stopping...");
    peer.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        progress(String(err));
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  // Keep the process alive while the broker runs.
  setInterval(() => {}, 1 << 30);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    progress(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
