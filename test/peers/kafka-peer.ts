/**
 * A real Apache Kafka broker for the integration tests: single node, KRaft, combined
 * broker+controller roles, on 127.0.0.1 with ports chosen at run time and a fresh log dir per run.
 *
 * The jars come from Maven Central through Maven (scripts/kafka/pom.xml) into a cache outside the
 * clone, <KAFKA_PEER_CACHE, default ~/.cache/runbook-bot/kafka>/<version>/lib, once; later runs (of
 * any clone) reuse them. Needs `java` (17+) and `mvn` on PATH.
 *
 * Manual use: `npx tsx test/peers/kafka-peer.ts [--secure]` starts a broker, prints its bootstrap
 * address (and with --secure the TLS/SASL listeners, the CA and the credentials) and stops it on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import {
  type KafkaSecureListeners,
  prepareSecureListeners,
  type SecureListenerSetup,
} from "./kafka-secure-listeners.ts";
import {
  freePorts,
  installExitGuard,
  logTail,
  runTool,
  serveUntilSignal,
  tail,
  terminate,
} from "./peer-process.ts";

export type { KafkaSecureListeners } from "./kafka-secure-listeners.ts";

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
  /** The SSL, SASL_SSL and SASL_PLAINTEXT listeners, when started with `secure: true`. */
  readonly secure?: KafkaSecureListeners;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and removes its log dir. */
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pomPath = join(repoRoot, "scripts/kafka/pom.xml");
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

/** Where the jars (and the brokers' logs) of a Kafka version live: outside the clone, shared. */
function cacheDirFor(version: string): string {
  const root = process.env.KAFKA_PEER_CACHE?.trim() || join(homedir(), ".cache/runbook-bot/kafka");
  return join(root, version);
}

const KAFKA_NEEDS = "the Kafka peer needs a JDK 17+ and Maven";

function progress(message: string): void {
  process.stderr.write(`[kafka-peer] ${message}\n`);
}

export interface KafkaPeerOptions {
  /**
   * Also open listeners as MSK runs them (kafka-secure-listeners.ts): TLS with a test CA made now,
   * SASL_SSL with SCRAM-SHA-512/256, SASL_PLAINTEXT with PLAIN. Needs `openssl`.
   */
  readonly secure?: boolean;
}

export async function startKafkaPeer(options: KafkaPeerOptions = {}): Promise<KafkaPeer> {
  const version = process.env.KAFKA_PEER_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  const cacheDir = cacheDirFor(version);
  const libDir = await ensureJars(version, cacheDir);

  const [port, controllerPort, sslPort, saslSslPort, saslPlainPort] = (await freePorts(
    options.secure ? 5 : 2,
  )) as [number, number, number?, number?, number?];
  const workDir = await mkdtemp(join(tmpdir(), "kafka-peer-"));
  // Per run: brokers of parallel runs (other clones share the cache) must not write into one file.
  const logFile = join(cacheDir, `broker-${basename(workDir)}.log`);
  const classpath = `${libDir}/*`;
  const propsFile = join(workDir, "server.properties");
  let secure: SecureListenerSetup | undefined;
  try {
    if (options.secure) {
      secure = await prepareSecureListeners(workDir, {
        ssl: sslPort!,
        saslSsl: saslSslPort!,
        saslPlaintext: saslPlainPort!,
      });
    }
    await writeFile(propsFile, serverProperties(port, controllerPort, join(workDir, "data"), secure));
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }

  let child: ChildProcess | undefined;
  const killNow = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);

  try {
    await formatStorage(classpath, propsFile, clusterId(), secure?.formatArgs);
    const node = spawnKafka(classpath, propsFile, workDir, logFile, "-Xmx512m");
    child = node.child;
    const started = node.child;

    const brokers = `127.0.0.1:${port}`;
    await waitUntilReady(brokers, node.exited, logFile);
    progress(`Apache Kafka ${version} ready at ${brokers} (log: ${logFile})`);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await terminate(started, STOP_GRACE_MS);
        guard.remove();
        await rm(workDir, { recursive: true, force: true });
        // A clean stop leaves no log behind; a failed start keeps it (and its error carries the tail).
        await rm(logFile, { force: true });
      })();
      return stopping;
    };
    return { brokers, version, ...(secure ? { secure: secure.listeners } : {}), stop };
  } catch (err) {
    killNow();
    guard.remove();
    throw err;
  }
}

export interface KafkaClusterNode {
  readonly id: number;
  /** "127.0.0.1:PORT" of its broker listener. */
  readonly address: string;
}

export interface KafkaClusterPeer {
  /** Bootstrap list of every node, "127.0.0.1:P1,127.0.0.1:P2,...". */
  readonly brokers: string;
  readonly nodes: readonly KafkaClusterNode[];
  readonly version: string;
  /** Stops one node (SIGTERM: a controlled shutdown; SIGKILL after the grace period). Keeps its log dir. */
  stopNode(id: number): Promise<void>;
  /** Starts a stopped node again on the same ports and log dir; resolves once the cluster lists it alive. */
  startNode(id: number): Promise<void>;
  /** Stops every node and removes the log dirs. */
  stop(): Promise<void>;
}

/**
 * A real multi-node KRaft cluster: `nodes` JVMs, each broker+controller (combined roles), one
 * static controller quorum of all of them, distinct node ids 1..n, ports and log dirs, the same
 * cached jars as the single broker, -Xmx256m each. Internal topics get replication factor
 * min(3, nodes) and min.insync.replicas 2, as on MSK. Logs: <cache>/<version>/cluster-<work dir>-node-<id>.log,
 * removed by a clean stop.
 */
export async function startKafkaCluster(options: { readonly nodes: number }): Promise<KafkaClusterPeer> {
  const count = options.nodes;
  if (!Number.isInteger(count) || count < 1 || count > 5) throw new Error("kafka-peer: 1 to 5 nodes");
  const version = process.env.KAFKA_PEER_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  const cacheDir = cacheDirFor(version);
  const libDir = await ensureJars(version, cacheDir);
  const classpath = `${libDir}/*`;
  const ports = await freePorts(count * 2);
  const workDir = await mkdtemp(join(tmpdir(), "kafka-cluster-"));
  const specs = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    port: ports[i * 2]!,
    controllerPort: ports[i * 2 + 1]!,
    dir: join(workDir, `node-${i + 1}`),
    // Per cluster: two clusters of parallel test files must not write into one file.
    logFile: join(cacheDir, `cluster-${basename(workDir)}-node-${i + 1}.log`),
  }));
  const voters = specs.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",");
  const nodes = specs.map((n) => ({ id: n.id, address: `127.0.0.1:${n.port}` }));
  const brokers = nodes.map((n) => n.address).join(",");
  const running = new Map<number, { child: ChildProcess; exited: Promise<string> }>();

  const killNow = (): void => {
    for (const { child } of running.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);

  const spec = (id: number) => {
    const found = specs.find((n) => n.id === id);
    if (!found) throw new Error(`kafka-peer: no node ${id} in this cluster`);
    return found;
  };
  const launch = (id: number, append: boolean) => {
    const n = spec(id);
    const node = spawnKafka(
      classpath,
      join(n.dir, "server.properties"),
      n.dir,
      n.logFile,
      "-Xmx256m",
      append,
    );
    running.set(id, node);
    return node;
  };

  try {
    const uuid = clusterId();
    for (const n of specs) {
      await mkdir(n.dir, { recursive: true });
      const props = join(n.dir, "server.properties");
      await writeFile(props, clusterNodeProperties(n, voters, join(n.dir, "data"), count));
    }
    // The format runs are short JVMs; one at a time keeps a 2-core machine responsive.
    for (const n of specs) await formatStorage(classpath, join(n.dir, "server.properties"), uuid);
    for (const n of specs) launch(n.id, false);
    const anyExit = Promise.race(
      [...running.entries()].map(([id, node]) => node.exited.then((reason) => `node ${id} ${reason}`)),
    );
    await waitUntilReady(brokers, anyExit, specs[0]!.logFile, count);
    progress(
      `Apache Kafka ${version} cluster of ${count} ready at ${brokers} (logs: ${cacheDir}/cluster-${basename(workDir)}-node-*.log)`,
    );
  } catch (err) {
    killNow();
    guard.remove();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    nodes,
    version,
    async stopNode(id: number): Promise<void> {
      spec(id);
      const node = running.get(id);
      if (!node) return;
      await terminate(node.child, STOP_GRACE_MS);
      running.delete(id);
    },
    async startNode(id: number): Promise<void> {
      if (running.has(id)) return;
      const node = launch(id, true);
      const alive = nodes
        .filter((n) => running.has(n.id))
        .map((n) => n.address)
        .join(",");
      try {
        await waitUntilReady(alive, node.exited, spec(id).logFile, undefined, id);
      } catch (err) {
        // Say which of the other nodes are still up: a peer that died makes a restart hang.
        const others = [...running.entries()]
          .filter(([other]) => other !== id)
          .map(([other, { child }]) =>
            child.exitCode === null && child.signalCode === null
              ? `node ${other} running (pid ${child.pid})`
              : `node ${other} ended (${child.signalCode ?? `exit ${child.exitCode}`})`,
          );
        throw new Error(`${(err as Error).message}\nOther nodes: ${others.join("; ")}`);
      }
      progress(`node ${id} of the cluster is back`);
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        await Promise.all([...running.values()].map(({ child }) => terminate(child, STOP_GRACE_MS)));
        running.clear();
        guard.remove();
        await rm(workDir, { recursive: true, force: true });
        // A clean stop leaves no logs behind; a failed run keeps them (and its errors carry tails).
        await Promise.all(specs.map((n) => rm(n.logFile, { force: true })));
      })();
      return stopping;
    },
  };
}

async function formatStorage(
  classpath: string,
  propsFile: string,
  id: string,
  extraArgs: readonly string[] = [],
): Promise<void> {
  const formatOut = await runTool(
    "kafka-peer",
    "java",
    [
      "-cp",
      classpath,
      ...quietJavaFlags,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      id,
      "-c",
      propsFile,
      ...extraArgs,
    ],
    { timeoutMs: 60_000, cwd: repoRoot, needs: KAFKA_NEEDS },
  );
  if (formatOut.code !== 0) {
    throw new Error(
      `kafka-peer: formatting storage failed (exit ${formatOut.code}):\n${tail(formatOut.output)}`,
    );
  }
}

/** Starts `kafka.Kafka props` with its output in logFile; `exited` resolves with the reason it ended. */
function spawnKafka(
  classpath: string,
  propsFile: string,
  cwd: string,
  logFile: string,
  heap: string,
  append = false,
): { child: ChildProcess; exited: Promise<string> } {
  const logFd = openSync(logFile, append ? "a" : "w");
  let child: ChildProcess;
  try {
    child = spawn(
      "java",
      [
        heap,
        "-XX:+UseSerialGC",
        "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-cp",
        classpath,
        "kafka.Kafka",
        propsFile,
      ],
      { cwd, stdio: ["ignore", logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  child.unref();
  const started = child;
  const exited = new Promise<string>((resolveExit) => {
    started.once("exit", (code, signal) => resolveExit(`exited (${signal ?? `code ${code}`})`));
    started.once("error", (err) => resolveExit(`could not start java: ${err.message}`));
  });
  return { child, exited };
}

/** The jars of the Kafka version the peers run, fetched when missing (npm test's peer preparation). */
export async function ensureKafkaJars(): Promise<string> {
  const version = process.env.KAFKA_PEER_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  return ensureJars(version, cacheDirFor(version));
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
    const mvn = await runTool(
      "kafka-peer",
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
      { timeoutMs: DOWNLOAD_TIMEOUT_MS, cwd: repoRoot, needs: KAFKA_NEEDS },
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

function serverProperties(
  port: number,
  controllerPort: number,
  dataDir: string,
  secure?: SecureListenerSetup,
): string {
  const advertised = [`PLAINTEXT://127.0.0.1:${port}`, ...(secure?.listenerEntries ?? [])];
  return `${[
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${[...advertised, `CONTROLLER://127.0.0.1:${controllerPort}`].join(",")}`,
    `advertised.listeners=${advertised.join(",")}`,
    `listener.security.protocol.map=${["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT", ...(secure?.protocolMapEntries ?? [])].join(",")}`,
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
    ...(secure?.properties ?? []),
  ].join("\n")}\n`;
}

function clusterNodeProperties(
  node: { id: number; port: number; controllerPort: number },
  voters: string,
  dataDir: string,
  count: number,
): string {
  const rf = Math.min(3, count);
  const minIsr = Math.min(2, rf);
  return `${[
    "process.roles=broker,controller",
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dataDir}`,
    "num.partitions=1",
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${rf}`,
    "offsets.topic.num.partitions=1",
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    "group.initial.rebalance.delay.ms=0",
    // A crashed (not cleanly stopped) node is fenced and dropped from ISRs within seconds.
    "broker.session.timeout.ms=6000",
    "broker.heartbeat.interval.ms=1000",
    "replica.lag.time.max.ms=10000",
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

/**
 * Polls until the broker answers an admin call (describeCluster lists a broker; at least
 * `brokerCount` of them, and node `nodeId` among them, when given), or fails with the log tail.
 */
async function waitUntilReady(
  brokers: string,
  exited: Promise<string>,
  logFile: string,
  brokerCount = 1,
  nodeId?: number,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  const kafka = new Kafka({
    brokers: brokers.split(","),
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
      const listed = cluster.brokers.map((b) => b.nodeId);
      if (
        listed.length >= brokerCount &&
        cluster.controller !== null &&
        (nodeId === undefined || listed.includes(nodeId))
      ) {
        return;
      }
      lastError = `the cluster lists ${listed.length === 0 ? "no broker" : `brokers ${listed.join(", ")}`} yet`;
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

async function main(): Promise<void> {
  await serveUntilSignal(
    () => startKafkaPeer({ secure: process.argv.includes("--secure") }),
    (peer) => {
      process.stdout.write(`${peer.brokers}\n`);
      if (peer.secure) process.stdout.write(`${JSON.stringify(peer.secure, null, 2)}\n`);
      progress(`Kafka ${peer.version} at ${peer.brokers}; Ctrl-C stops it`);
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
