/**
 * describeCluster, partitionHealth, sampleNewest and roundTrip of the kafkajs adapter against the
 * real single Apache Kafka broker of the global setup, plus its faults: a stopped broker (closed
 * port), a broker that accepts connections and never answers (a local TCP server standing in for
 * a hung broker), a missing topic. Replication and a broker going down: kafka-cluster.test.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import { KafkaError, type KafkaPort } from "../../src/ports/kafka.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";

const brokers = inject("kafkaBrokers");
const kafka = new Kafka({ brokers: [brokers], clientId: "kafka-admin-test", logLevel: logLevel.NOTHING });
let admin: Admin;
let producer: Producer;
let port: KafkaPort;
const scratchPrefix = `scratch-${randomUUID().slice(0, 8)}`;

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function createTopic(partitions: number): Promise<string> {
  const topic = unique("admin");
  // Not createTopics({ waitForLeaders: true }): it can fail on a KRaft broker under load (see the helper).
  await createServedTopics(brokers, [{ topic, numPartitions: partitions }]);
  return topic;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Accepts TCP connections and never writes a byte: a hung broker. */
async function silentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    address: `127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

async function scratchGroupsLeft(): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((g) => g.groupId).filter((id) => id.startsWith(scratchPrefix));
}

async function rejection(promise: Promise<unknown>): Promise<KafkaError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof KafkaError)) throw new Error(`expected a KafkaError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  port = createKafkajsKafka({
    brokers: [brokers],
    clientId: "runbook-bot-test",
    scratchGroupPrefix: scratchPrefix,
  });
});

afterAll(async () => {
  await port?.close();
  await producer?.disconnect();
  await admin?.disconnect();
});

describe("describeCluster", () => {
  it("lists the live broker, the controller and the cluster id; expected comes from the call or the options", async () => {
    const [host, portText] = brokers.split(":") as [string, string];
    const cluster = await port.describeCluster({ expectedBrokers: 3 });
    expect(cluster.brokers).toEqual([{ id: 1, host, port: Number(portText) }]);
    expect(cluster.controllerId).toBe(1);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cluster.expectedBrokers).toBe(3);
    expect(cluster.missingBrokerIds).toEqual([]);

    expect((await port.describeCluster()).expectedBrokers).toBeNull();
    const configured = createKafkajsKafka({ brokers: [brokers], clientId: "t", expectedBrokers: 1 });
    try {
      expect((await configured.describeCluster()).expectedBrokers).toBe(1);
      expect((await configured.describeCluster({ expectedBrokers: 2 })).expectedBrokers).toBe(2);
    } finally {
      await configured.close();
    }
  });
});

describe("partitionHealth", () => {
  it("gives leader, replicas and ISR per partition of the topics asked for, sorted, with totals", async () => {
    const a = await createTopic(3);
    const b = await createTopic(1);
    const health = await port.partitionHealth([b, a, a]);
    const [first, second] = [a, b].sort() as [string, string];
    const healthy = {
      leader: 1,
      replicas: [1],
      isr: [1],
      offlineReplicas: [],
      underReplicated: false,
      offline: false,
    };
    const expected = [
      ...(first === a ? [0, 1, 2] : [0]).map((partition) => ({ topic: first, partition, ...healthy })),
      ...(second === a ? [0, 1, 2] : [0]).map((partition) => ({ topic: second, partition, ...healthy })),
    ];
    expect(health.partitions).toEqual(expected);
    expect(health.totals).toEqual({ topics: 2, partitions: 4, underReplicated: 0, offline: 0 });
  });

  it("covers every topic, internal ones included, when none are named", async () => {
    const topic = await createTopic(2);
    const listed = await admin.listTopics(); // before: other test files create topics concurrently
    const health = await port.partitionHealth();
    const topics = new Set(health.partitions.map((p) => p.topic));
    expect(topics.has(topic)).toBe(true);
    // Every topic the cluster lists (internal ones, such as __consumer_offsets once a group exists, included).
    expect(listed.filter((name) => !topics.has(name))).toEqual([]);
    expect(health.totals.topics).toBe(topics.size);
    expect(health.totals.partitions).toBe(health.partitions.length);
  });

  it("rejects topics that do not exist, naming them", async () => {
    const missing = unique("missing");
    const error = await rejection(port.partitionHealth([missing]));
    expect(error.kind).toBe("not-found");
    expect(error.message).toBe(`Kafka at ${brokers}: topic ${missing} does not exist`);
    // And does not create it (no auto-creation through metadata requests).
    expect(await admin.listTopics()).not.toContain(missing);
  });
});

describe("sampleNewest", () => {
  it("returns the newest N across partitions, newest first, with keys, headers and bounded values", async () => {
    const topic = await createTopic(3);
    const base = Date.now() - 60_000;
    // Timestamps set explicitly so "newest" is known: record i has base + i seconds.
    const plan = Array.from({ length: 12 }, (_, i) => ({ i, partition: i % 3 }));
    for (const partition of [0, 1, 2]) {
      await producer.send({
        topic,
        messages: plan
          .filter((r) => r.partition === partition)
          .map((r) => ({
            partition,
            key: r.i === 11 ? null : `k${r.i}`,
            value: r.i === 10 ? "é".repeat(50) : JSON.stringify({ order_id: r.i }),
            timestamp: String(base + r.i * 1000),
            headers: { source: "test", trace: [`t${r.i}`, "x"] },
          })),
      });
    }

    const sample = await port.sampleNewest(topic, 4, { maxValueChars: 20 });
    expect(sample.topic).toBe(topic);
    expect(sample.complete).toBe(true);
    expect(sample.records.map((r) => r.timestamp)).toEqual(
      [11, 10, 9, 8].map((i) => new Date(base + i * 1000).toISOString()),
    );
    const [r11, r10, r9] = sample.records as [
      (typeof sample.records)[number],
      (typeof sample.records)[number],
      (typeof sample.records)[number],
    ];
    expect(r11).toEqual({
      partition: 2,
      offset: 3,
      timestamp: new Date(base + 11_000).toISOString(),
      key: null,
      value: '{"order_id":11}',
      valueBytes: 15,
      truncated: false,
      headers: { source: "test", trace: "t11, x" },
    });
    expect(r10).toMatchObject({
      partition: 1,
      offset: 3,
      key: "k10",
      value: `${"é".repeat(20)}…`,
      valueBytes: 100,
    });
    expect(r10.truncated).toBe(true);
    expect(r9).toMatchObject({ partition: 0, offset: 3, key: "k9", value: '{"order_id":9}' });
    expect(await scratchGroupsLeft()).toEqual([]);
  });

  it("leaves an existing group's committed offsets untouched and no group behind", async () => {
    const topic = await createTopic(2);
    for (const partition of [0, 1]) {
      await producer.send({
        topic,
        messages: Array.from({ length: 5 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
      });
    }
    const group = unique("order-processor");
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: "1" },
        { partition: 1, offset: "4" },
      ],
    });
    const lagBefore = await port.groupLag(group, [topic]);

    const sample = await port.sampleNewest(topic, 10);
    expect(sample.records).toHaveLength(10);
    expect(sample.complete).toBe(true);

    expect(await admin.fetchOffsets({ groupId: group, topics: [topic] })).toEqual([
      {
        topic,
        partitions: expect.arrayContaining([
          expect.objectContaining({ partition: 0, offset: "1" }),
          expect.objectContaining({ partition: 1, offset: "4" }),
        ]),
      },
    ]);
    expect(await port.groupLag(group, [topic])).toEqual(lagBefore);
    expect(await scratchGroupsLeft()).toEqual([]);
    // The real group is still there, with its state (Empty: it has offsets and no members).
    const { groups } = await admin.describeGroups([group]);
    expect(groups[0]).toMatchObject({ groupId: group, state: "Empty", members: [] });
  });

  it("returns fewer records than asked when the topic holds fewer, and none for an empty topic", async () => {
    const topic = await createTopic(2);
    expect(await port.sampleNewest(topic, 5)).toEqual({ topic, records: [], complete: true });
    await producer.send({ topic, messages: [{ partition: 1, value: "only" }] });
    const sample = await port.sampleNewest(topic, 5);
    expect(sample.records.map((r) => [r.partition, r.offset, r.value])).toEqual([[1, 0, "only"]]);
  });

  it("rejects a missing topic with kind not-found, naming it", async () => {
    const missing = unique("missing");
    const error = await rejection(port.sampleNewest(missing, 3));
    expect(error.kind).toBe("not-found");
    expect(error.message).toBe(`Kafka at ${brokers}: topic ${missing} does not exist`);
    expect(await scratchGroupsLeft()).toEqual([]);
  });

  it("rejects a sample size out of bounds", async () => {
    const topic = await createTopic(1);
    await expect(port.sampleNewest(topic, 0)).rejects.toThrow(
      /sample size must be a whole number from 1 to 500/,
    );
  });
});

describe("roundTrip", () => {
  it("writes a unique record and reads it back, reporting both latencies", async () => {
    const topic = await createTopic(1);
    const before = Number((await admin.fetchTopicOffsets(topic))[0]?.high);
    const result = await port.roundTrip(topic, 20_000);
    expect(result).toMatchObject({ ok: true, topic, partition: 0, offset: before });
    if (!result.ok) throw new Error("unreachable");
    expect(result.produceMs).toBeGreaterThanOrEqual(0);
    expect(result.consumeMs).toBeGreaterThanOrEqual(0);
    expect(result.produceMs + result.consumeMs).toBeLessThan(20_000);

    const sample = await port.sampleNewest(topic, 1);
    expect(sample.records[0]?.key).toMatch(/^runbook-bot-round-trip-[0-9a-f-]{36}$/);
    expect(sample.records[0]?.headers).toEqual({ "runbook-bot": "round-trip" });
    expect(await scratchGroupsLeft()).toEqual([]);
  });

  it("fails at produce for a missing topic, without creating it", async () => {
    const missing = unique("missing");
    const result = await port.roundTrip(missing, 10_000);
    expect(result).toMatchObject({
      ok: false,
      topic: missing,
      failedAt: "produce",
      reason: `topic ${missing} does not exist`,
      timedOut: false,
    });
    expect(await admin.listTopics()).not.toContain(missing);
  });
});

describe("faults", () => {
  it("a stopped broker (closed port): every call rejects as unreachable within the connection timeout", async () => {
    const target = `127.0.0.1:${await closedPort()}`;
    const down = createKafkajsKafka({ brokers: [target], clientId: "t", connectionTimeoutMs: 1000 });
    try {
      for (const call of [
        () => down.describeCluster(),
        () => down.partitionHealth(),
        () => down.sampleNewest("orders.raw", 5),
      ]) {
        const startedAt = Date.now();
        const error = await rejection(call());
        expect(error).toMatchObject({
          kind: "unreachable",
          message: `could not reach Kafka at ${target}: connection refused`,
        });
        expect(Date.now() - startedAt).toBeLessThan(5000);
      }
      const startedAt = Date.now();
      const result = await down.roundTrip("orders.raw", 5000);
      expect(result).toMatchObject({
        ok: false,
        failedAt: "produce",
        timedOut: false,
        reason: `could not reach Kafka at ${target}: connection refused`,
      });
      expect(Date.now() - startedAt).toBeLessThan(5000);
    } finally {
      await down.close();
    }
  });

  it("a hung broker (accepts, never answers): a timeout error, and roundTrip says it failed at produce", async () => {
    const hung = await silentServer();
    const port = createKafkajsKafka({
      brokers: [hung.address],
      clientId: "t",
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 1500,
    });
    try {
      const startedAt = Date.now();
      const error = await rejection(port.describeCluster());
      expect(error).toMatchObject({
        kind: "timeout",
        message: `Kafka at ${hung.address} did not answer in time: ApiVersions got no answer within 1500 ms`,
      });
      expect(Date.now() - startedAt).toBeLessThan(10_000);

      const roundStartedAt = Date.now();
      const result = await port.roundTrip("orders.raw", 2000);
      expect(result).toMatchObject({
        ok: false,
        failedAt: "produce",
        timedOut: true,
        reason: "no acknowledgement within 2000 ms",
      });
      expect(Date.now() - roundStartedAt).toBeLessThan(8000);
    } finally {
      await port.close();
      await hung.close();
    }
  });
});
