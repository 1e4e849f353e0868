/**
 * The Kafka side of the startup suite: the real broker of the tests (test/peers/kafka-peer.ts,
 * startKafkaPeer, run as `npm run peers:kafka` does), a topic with a consumer group behind on it,
 * and Apache Kafka's own command line tools (kafka-tools from Maven Central, the class behind
 * kafka-consumer-groups.sh), cached beside the broker's jars as <cache>/<version>/tools-lib.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";

export const KAFKA_VERSION = process.env.KAFKA_PEER_VERSION?.trim() || "4.4.0";
export const BENCH_TOPIC = "bench.orders";
export const BENCH_GROUP = "bench-order-processor";

export interface BenchBroker {
  readonly brokers: string;
  stop(): Promise<void>;
}

/** Starts the test broker in a process of its own (tsx: a checkout with its devDependencies). */
export async function startBenchBroker(root: string): Promise<BenchBroker> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/peers/kafka-peer.ts"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(line.trim()));
  });
  const brokers = await Promise.race([
    firstLine,
    exited.then((code) => {
      throw new Error(`the Kafka peer exited (${code}) before it was ready:\n${stderr.slice(-2000)}`);
    }),
  ]);
  return {
    brokers,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A topic of 3 partitions with 3,000 messages, and a consumer group that committed 1,000 of them. */
export async function seedLaggingGroup(brokers: string): Promise<void> {
  const kafka = new Kafka({ clientId: "runbook-bot-bench", brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [{ topic: BENCH_TOPIC, numPartitions: 3 }], waitForLeaders: true });
    for (let batch = 0; batch < 3; batch++) {
      await producer.send({
        topic: BENCH_TOPIC,
        messages: Array.from({ length: 1000 }, (_, i) => ({
          partition: batch,
          value: `order ${batch}-${i}`,
        })),
      });
    }
    await admin.setOffsets({
      groupId: BENCH_GROUP,
      topic: BENCH_TOPIC,
      partitions: [0, 1, 2].map((partition) => ({ partition, offset: String(300 + partition * 20) })),
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** The folder of kafka-tools and its dependencies, fetched by Maven once. */
export async function ensureKafkaToolsJars(root: string): Promise<string> {
  const cacheRoot = process.env.KAFKA_PEER_CACHE?.trim() || join(homedir(), ".cache/runbook-bot/kafka");
  const cacheDir = join(cacheRoot, KAFKA_VERSION);
  const libDir = join(cacheDir, "tools-lib");
  const marker = join(cacheDir, "tools-lib.complete");
  if (existsSync(marker) && existsSync(libDir)) return libDir;
  await mkdir(cacheDir, { recursive: true });
  const partial = join(cacheDir, `tools-lib.partial-${process.pid}`);
  process.stderr.write(`fetching kafka-tools ${KAFKA_VERSION} from Maven Central into ${libDir} (once)...\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const mvn = spawn(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        join(root, "scripts/kafka/tools-pom.xml"),
        `-Dkafka.version=${KAFKA_VERSION}`,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${partial}`,
      ],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
    );
    mvn.once("error", reject);
    mvn.once("exit", resolve);
  });
  if (code !== 0) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`mvn could not fetch kafka-tools ${KAFKA_VERSION} (exit ${code})`);
  }
  await rm(libDir, { recursive: true, force: true });
  await rename(partial, libDir);
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return libDir;
}

/**
 * `kafka-consumer-groups.sh --bootstrap-server B --describe --group G`, as the script runs it
 * (kafka-run-class.sh's default heap and JVM options).
 */
export function consumerGroupsDescribe(toolsLib: string, brokers: string): [string, string[]] {
  return [
    "java",
    [
      "-Xmx256M",
      "-server",
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-XX:InitiatingHeapOccupancyPercent=35",
      "-XX:+ExplicitGCInvokesConcurrent",
      "-Djava.awt.headless=true",
      "-cp",
      join(toolsLib, "*"),
      "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
      "--bootstrap-server",
      brokers,
      "--describe",
      "--group",
      BENCH_GROUP,
    ],
  ];
}
