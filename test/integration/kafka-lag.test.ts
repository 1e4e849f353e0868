/**
 * The kafkajs adapter against a real Apache Kafka broker (KRaft, started by the global setup).
 * Also the check that kafkajs 2.2.4 still speaks this broker's protocol (Kafka 4 dropped old
 * request versions, KIP-896): admin calls, a producer, and a consumer that joins a group and commits.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import type { KafkaPort } from "../../src/ports/kafka.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";

const brokers = inject("kafkaBrokers");
const version = inject("kafkaVersion");

const kafka = new Kafka({
  brokers: [brokers],
  clientId: "kafka-lag-test",
  logLevel: logLevel.NOTHING,
  retry: { retries: 5 },
});
let admin: Admin;
let producer: Producer;
let port: KafkaPort;

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A topic with 3 partitions holding `counts[p]` records in partition p. */
async function topicWithRecords(counts: readonly [number, number, number]): Promise<string> {
  const topic = unique("lag");
  // Not admin.createTopics({ waitForLeaders: true }): on a KRaft broker under load that can fail
  // with UNKNOWN_TOPIC_OR_PARTITION before the broker has applied the new topic (see the helper).
  await createServedTopics(brokers, [{ topic, numPartitions: 3 }]);
  // One send per partition: kafkajs retries a whole multi-partition request when one partition
  // errors (a fresh topic's leader can still be settling), which would duplicate the others.
  for (const [partition, count] of counts.entries()) {
    if (count === 0) continue;
    const messages = Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-m${i}` }));
    await producer.send({ topic, messages });
  }
  const ends = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
  if (ends.map((o) => Number(o.high)).join() !== counts.join()) {
    throw new Error(
      `setup: ${topic} holds ${ends.map((o) => o.high).join("/")} records, not ${counts.join("/")}`,
    );
  }
  return topic;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  port = createKafkajsKafka({ brokers: [brokers], clientId: "runbook-bot-test" });
});

afterAll(async () => {
  await port?.close();
  await producer?.disconnect();
  await admin?.disconnect();
});

describe("the Kafka peer", () => {
  it("runs a Kafka 4.x broker and says which", () => {
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(version).toMatch(/^4\.\d+\.\d+$/);
  });
});

describe("kafkajs against this broker version", () => {
  it("joins a consumer group, consumes and commits (JoinGroup/SyncGroup/Heartbeat/Fetch/OffsetCommit)", async () => {
    const topic = await topicWithRecords([2, 3, 1]);
    const group = unique("consumers");
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      // Delivery is at-least-once: a rebalance right after joining can hand a record over twice.
      const seen = new Set<string>();
      await new Promise<void>((done, reject) => {
        consumer
          .run({
            autoCommitThreshold: 1,
            eachMessage: async ({ message }) => {
              seen.add(String(message.value));
              if (seen.size === 6) done();
            },
          })
          .catch(reject);
      });
      expect([...seen].sort()).toEqual(["p0-m0", "p0-m1", "p1-m0", "p1-m1", "p1-m2", "p2-m0"]);

      // Offsets are committed asynchronously after eachMessage; wait for all three.
      await expect
        .poll(async () => (await port.groupLag(group, [topic])).partitions.map((p) => p.committedOffset), {
          timeout: 15_000,
          interval: 200,
        })
        .toEqual([2, 3, 1]);
      const lag = await port.groupLag(group, [topic]);
      expect(lag.state).toBe("Stable");
      expect(lag.members).toBe(1);
      expect(lag.totalLag).toBe(0);
    } finally {
      await consumer.disconnect();
    }

    const afterLeaving = await port.groupLag(group);
    expect(afterLeaving).toMatchObject({ group, state: "Empty", members: 0, totalLag: 0 });
    expect(afterLeaving.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset])).toEqual([
      [0, 2, 2],
      [1, 3, 3],
      [2, 1, 1],
    ]);
  }, 60_000);
});

// Independent (own topics and groups), so they run concurrently: setOffsets alone takes kafkajs ~5 s.
describe.concurrent("createKafkajsKafka().groupLag", () => {
  it("computes committed vs log-end per partition, with a partition the group never committed on", async ({
    expect,
  }) => {
    const topic = await topicWithRecords([5, 3, 4]);
    const group = unique("lagging");
    // setOffsets needs an empty (or new) group: this commits without any member.
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: "2" },
        { partition: 1, offset: "3" },
      ],
    });

    const lag = await port.groupLag(group, [topic]);
    expect(lag).toEqual({
      group,
      state: "Empty",
      members: 0,
      partitions: [
        { topic, partition: 0, committedOffset: 2, logEndOffset: 5, lag: 3 },
        { topic, partition: 1, committedOffset: 3, logEndOffset: 3, lag: 0 },
        { topic, partition: 2, committedOffset: null, logEndOffset: 4, lag: 4 },
      ],
      totalLag: 7,
    });

    // Without topics: the topics the group committed on, with all their partitions.
    expect(await port.groupLag(group)).toEqual(lag);
  });

  it("counts an uncommitted partition from its log start, not from offset 0", async ({ expect }) => {
    const topic = await topicWithRecords([0, 0, 6]);
    const group = unique("log-start");
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: "0" }] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 2, offset: "4" }] });

    const lag = await port.groupLag(group, [topic]);
    expect(lag.partitions).toEqual([
      { topic, partition: 0, committedOffset: 0, logEndOffset: 0, lag: 0 },
      { topic, partition: 1, committedOffset: null, logEndOffset: 0, lag: 0 },
      { topic, partition: 2, committedOffset: null, logEndOffset: 6, lag: 2 },
    ]);
    expect(lag.totalLag).toBe(2);
  });

  it("sorts by topic, then partition, across several topics", async ({ expect }) => {
    const first = await topicWithRecords([1, 1, 1]);
    const second = await topicWithRecords([2, 2, 2]);
    const group = unique("two-topics");
    for (const topic of [first, second]) {
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 1, offset: "1" }] });
    }
    const [a, b] = [first, second].sort() as [string, string];

    const lag = await port.groupLag(group, [second, first]);
    expect(lag.partitions.map((p) => `${p.topic}/${p.partition}`)).toEqual([
      `${a}/0`,
      `${a}/1`,
      `${a}/2`,
      `${b}/0`,
      `${b}/1`,
      `${b}/2`,
    ]);
    // first topic: 1 + 0 + 1, second: 2 + 1 + 2
    expect(lag.totalLag).toBe(7);
    expect(await port.groupLag(group)).toEqual(lag);
  });

  it("reports a group that does not exist as Dead, with nothing committed", async ({ expect }) => {
    // The coordinator answers DescribeGroups for an unknown group with state "Dead" and no members;
    // we pass that through rather than inventing a state of our own.
    const topic = await topicWithRecords([1, 0, 2]);
    const group = unique("no-such-group");

    expect(await port.groupLag(group, [topic])).toEqual({
      group,
      state: "Dead",
      members: 0,
      partitions: [
        { topic, partition: 0, committedOffset: null, logEndOffset: 1, lag: 1 },
        { topic, partition: 1, committedOffset: null, logEndOffset: 0, lag: 0 },
        { topic, partition: 2, committedOffset: null, logEndOffset: 2, lag: 2 },
      ],
      totalLag: 3,
    });
    // Without topics there is nothing it committed on.
    expect(await port.groupLag(group)).toEqual({
      group,
      state: "Dead",
      members: 0,
      partitions: [],
      totalLag: 0,
    });
  });

  it("rejects a topic that does not exist, naming it and the brokers", async ({ expect }) => {
    const topic = unique("missing");
    await expect(port.groupLag(unique("g"), [topic])).rejects.toThrow(
      `Kafka at ${brokers}: topic ${topic} does not exist`,
    );
  });

  it("rejects within a few seconds when nothing listens, naming the address", async ({ expect }) => {
    const target = `127.0.0.1:${await closedPort()}`;
    const unreachable = createKafkajsKafka({ brokers: [target], clientId: "t", connectionTimeoutMs: 1000 });
    const startedAt = Date.now();
    try {
      const error = await unreachable.groupLag("any").then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(`could not reach Kafka at ${target}: connection refused`);
      expect(Date.now() - startedAt).toBeLessThan(5000);
    } finally {
      await unreachable.close();
    }
  });

  it("never puts the SASL password in an error", async ({ expect }) => {
    // This broker's listener is PLAINTEXT, so a SASL handshake cannot succeed.
    const password = "hunter2-very-secret";
    const sasl = createKafkajsKafka({
      brokers: [brokers],
      clientId: "t",
      sasl: { mechanism: "scram-sha-512", username: "bot", password },
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
    try {
      const error = (await sasl.groupLag("any").then(
        () => undefined,
        (err: unknown) => err,
      )) as Error | undefined;
      expect(error).toBeInstanceOf(Error);
      expect(error?.message).toContain(brokers);
      expect(error?.message).not.toContain(password);
      expect(error?.message).not.toMatch(/\n\s+at /);
      expect(sasl.describeTarget).toBe(brokers);
    } finally {
      await sasl.close();
    }
  });
});
