/**
 * reset-consumer-offsets against the real Apache Kafka broker of the global setup, through the
 * kafkajs adapter: records with known timestamps, a real consumer that read them all and committed,
 * then prepare (the preview's offsets) -> execute -> the committed offsets read back with a plain
 * admin client, exactly as previewed. And the refusals while a consumer is an active member of the
 * group: at prepare, at execution (recheck), and kafkajs' own setOffsets refusal underneath.
 */
import { randomUUID } from "node:crypto";
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../src/actions/action.ts";
import { resetConsumerOffsets } from "../../src/actions/reset-consumer-offsets.ts";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import { formatUtc } from "../../src/core/format-units.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { KafkaGroupActiveError, type KafkaPort } from "../../src/ports/kafka.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";
import { testConfig } from "../unit/actions/config.ts";

const brokers = inject("kafkaBrokers");
const kafka = new Kafka({ brokers: [brokers], clientId: "reset-offsets-test", logLevel: logLevel.NOTHING });
const MINUTE = 60_000;
/** A minute boundary an hour ago: the records are in the past, the times in previews are round. */
const BASE = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
let admin: Admin;
let producer: Producer;
let port: KafkaPort;
const consumers = new Set<Consumer>();

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
  port = createKafkajsKafka({ brokers: [brokers], clientId: "runbook-bot-reset-test" });
});

afterAll(async () => {
  await Promise.allSettled([...consumers].map((c) => c.disconnect()));
  await port?.close();
  await producer?.disconnect();
  await admin?.disconnect();
});

/** A topic of 3 partitions: p0 12 records a minute apart, p1 8, p2 5 two minutes apart (from BASE). */
async function ordersTopic(): Promise<string> {
  const topic = `reprocess-orders-${randomUUID().slice(0, 8)}`;
  // Not createTopics({ waitForLeaders: true }): it can fail on a KRaft broker under load (see the helper).
  await createServedTopics(brokers, [{ topic, numPartitions: 3 }]);
  const send = (partition: number, n: number, stepMinutes: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({
        partition,
        timestamp: String(BASE + i * stepMinutes * MINUTE),
        value: JSON.stringify({ order_id: `ord-${partition}-${i}` }),
      })),
    });
  await send(0, 12, 1);
  await send(1, 8, 1);
  await send(2, 5, 2);
  return topic;
}

/**
 * A real consumer of the group reads the topic until it has `count` records (committing as it goes)
 * and stays a member; disconnect() makes it leave (and commit what it read).
 */
async function consumeAll(group: string, topic: string, count: number): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: group });
  consumers.add(consumer);
  let seen = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      seen += 1;
      if (seen >= count) done();
    },
  });
  await all;
  return consumer;
}

async function leave(consumer: Consumer): Promise<void> {
  await consumer.disconnect();
  consumers.delete(consumer);
}

async function committed(group: string, topic: string): Promise<number[]> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? [])
    .slice()
    .sort((a, b) => a.partition - b.partition)
    .map((p) => Number(p.offset));
}

function contextFor(group: string, topic: string): ActionContext {
  return {
    config: testConfig({ pipeline: { consumerGroup: group, sourceTopic: topic } }),
    ports: { kafka: port, clock: systemClock },
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ActionRefusal) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("reset-consumer-offsets on a real broker", () => {
  it("previews the broker's offsets, and execute commits exactly the previewed ones", async () => {
    const topic = await ordersTopic();
    const group = `reprocess-${randomUUID().slice(0, 8)}`;
    await leave(await consumeAll(group, topic, 25));
    expect(await committed(group, topic)).toEqual([12, 8, 5]);

    const ctx = contextFor(group, topic);
    const fromTime = new Date(BASE + 6 * MINUTE).toISOString();
    const parsed = resetConsumerOffsets.parse({ fromTime }, ctx.config);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const prepared = await resetConsumerOffsets.prepare(parsed.params, ctx);
    // p0 and p1 have a record at +6 min (offset 6); p2's records are 2 minutes apart: +6 min is offset 3.
    expect(prepared.params).toEqual({
      group,
      topic,
      fromTime,
      partitions: [
        { partition: 0, from: 12, to: 6 },
        { partition: 1, from: 8, to: 6 },
        { partition: 2, from: 5, to: 3 },
      ],
    });
    expect(prepared.preview).toBe(
      `reset consumer group ${group} to ${formatUtc(new Date(BASE + 6 * MINUTE))} on ${topic} p0: 12 -> 6 (6 records), p1: 8 -> 6 (2 records), p2: 5 -> 3 (2 records); 10 records to re-read (Flink is not configured: check by hand that the job is stopped)`,
    );
    expect(await committed(group, topic)).toEqual([12, 8, 5]);

    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await resetConsumerOffsets.execute(prepared.params, ctx);
    expect(await committed(group, topic)).toEqual([6, 6, 3]);
    expect(result.details).toMatchObject({
      recordsToReread: 10,
      committed: [
        { partition: 0, offset: 6 },
        { partition: 1, offset: 6 },
        { partition: 2, offset: 3 },
      ],
    });
    // A consumer of the group now reads those 10 records again.
    const again = await consumeAll(group, topic, 10);
    await leave(again);
    expect(await committed(group, topic)).toEqual([12, 8, 5]);
  });

  it("is refused while a consumer is an active member: at prepare, in the adapter, by kafkajs itself, and at execution", async () => {
    const topic = await ordersTopic();
    const group = `reprocess-${randomUUID().slice(0, 8)}`;
    const ctx = contextFor(group, topic);
    const params = { group, topic, fromTime: new Date(BASE + 6 * MINUTE).toISOString() };
    const member = await consumeAll(group, topic, 25);
    // Its commits happen after each batch: wait for them.
    await expect.poll(() => committed(group, topic), { timeout: 10_000 }).toEqual([12, 8, 5]);

    expect(await refusal(resetConsumerOffsets.prepare(params, ctx))).toBe(
      `consumer group ${group} has 1 active member (state Stable): stop its consumers first, offsets can only be reset while the group is empty`,
    );
    // The adapter checks before writing ...
    await expect(port.resetOffsets(group, topic, [{ partition: 0, offset: 6 }])).rejects.toBeInstanceOf(
      KafkaGroupActiveError,
    );
    // ... and kafkajs' setOffsets (what the adapter writes with) refuses a Stable group by itself.
    await expect(
      admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: "6" }] }),
    ).rejects.toThrow("The consumer group must have no running instances, current state: Stable");
    expect(await committed(group, topic)).toEqual([12, 8, 5]);
    await leave(member);

    // Previewed while the group is empty; a consumer joins before the approval.
    const prepared = await resetConsumerOffsets.prepare(params, ctx);
    expect(prepared.params.partitions).toEqual([
      { partition: 0, from: 12, to: 6 },
      { partition: 1, from: 8, to: 6 },
      { partition: 2, from: 5, to: 3 },
    ]);
    await producer.send({
      topic,
      messages: [
        { partition: 0, timestamp: String(BASE + 30 * MINUTE), value: "late-1" },
        { partition: 0, timestamp: String(BASE + 31 * MINUTE), value: "late-2" },
      ],
    });
    const rejoined = await consumeAll(group, topic, 2);
    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBe(
      `consumer group ${group} has 1 active member (state Stable): stop its consumers first, offsets can only be reset while the group is empty`,
    );
    await leave(rejoined);
    // It read on before it left: the offsets the preview showed are stale.
    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBe(
      `the offsets of ${group} on ${topic} moved since this request: p0 committed 14 now (was 12)`,
    );
    expect(await committed(group, topic)).toEqual([14, 8, 5]);
  });
});
