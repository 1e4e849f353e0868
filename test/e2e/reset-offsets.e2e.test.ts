/**
 * reset-consumer-offsets end to end: the real bot on the Slack emulator with the kafkajs adapter on
 * the real Kafka broker of the global setup. A group that read its topic to the end (a real
 * consumer, then stopped) is reset to a time: U_ALICE requests it in an incident's thread, the
 * approval message shows the per-partition offsets before -> after, U_BOB approves (high risk: a
 * second person), the offsets are really committed on the broker, and the thread says so. With a
 * consumer back in the group before the approval, the execution is refused and nothing moves.
 */

import { randomUUID } from "node:crypto";
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import { formatUtc } from "../../src/core/format-units.ts";
import type { KafkaPort } from "../../src/ports/kafka.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";
import { buttonOf, CHANNEL, type Harness, startHarness, textOf, WAIT_MS } from "./harness.ts";

const brokers = inject("kafkaBrokers");
const kafka = new Kafka({ brokers: [brokers], clientId: "reset-offsets-e2e", logLevel: logLevel.NOTHING });
const MINUTE = 60_000;
const BASE = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
const FROM_TIME = new Date(BASE + 6 * MINUTE).toISOString();
let admin: Admin;
let producer: Producer;
let h: Harness | undefined;
let port: KafkaPort | undefined;
const consumers = new Set<Consumer>();

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterEach(async () => {
  await Promise.allSettled([...consumers].map((c) => c.disconnect()));
  consumers.clear();
  if (h) {
    const failed = h.failedCalls();
    await h.stop();
    h = undefined;
    expect(failed).toEqual([]);
  }
  await port?.close();
  port = undefined;
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
});

/** The pipeline's topic (3 partitions: 12, 8 and 5 records from BASE) and group, read to the end. */
async function pipeline(): Promise<{ topic: string; group: string }> {
  const id = randomUUID().slice(0, 8);
  const topic = `orders-e2e-${id}`;
  const group = `order-processor-e2e-${id}`;
  await createServedTopics(brokers, [{ topic, numPartitions: 3 }]);
  for (const [partition, n, step] of [
    [0, 12, 1],
    [1, 8, 1],
    [2, 5, 2],
  ] as const) {
    await producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({
        partition,
        timestamp: String(BASE + i * step * MINUTE),
        value: JSON.stringify({ order_id: `ord-${partition}-${i}` }),
      })),
    });
  }
  const consumer = await consume(group, topic, 25);
  await consumer.disconnect();
  consumers.delete(consumer);
  return { topic, group };
}

/** A real consumer of the group that stays a member once it has read `count` records. */
async function consume(group: string, topic: string, count: number): Promise<Consumer> {
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

async function committed(group: string, topic: string): Promise<number[]> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? [])
    .slice()
    .sort((a, b) => a.partition - b.partition)
    .map((p) => Number(p.offset));
}

async function start(group: string, topic: string): Promise<Harness> {
  port = createKafkajsKafka({ brokers: [brokers], clientId: "runbook-bot-e2e" });
  h = await startHarness({
    config: { pipeline: { consumerGroup: group, sourceTopic: topic } },
    ports: { kafka: port },
  });
  return h;
}

async function requestReset(
  harness: Harness,
): Promise<{ root: StoredMessage; approval: StoredMessage; requestId: string; outcome: string }> {
  const root = await harness.runAlert("consumer-lag");
  const incident = (await harness.store.listOpenIncidents())[0]!;
  const outcome = await harness.bot.service.requestAction({
    incidentId: incident.id,
    // As the runbooks propose it (group and topic from the config).
    proposal: { action: "reset-consumer-offsets", params: { fromTime: FROM_TIME } },
    userId: "U_ALICE",
  });
  expect(outcome.ok).toBe(true);
  const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
  const requestId = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof requestId !== "string") throw new Error("no Approve button");
  return { root, approval, requestId, outcome: outcome.message };
}

async function approve(harness: Harness, approval: StoredMessage, user: string): Promise<StoredMessage> {
  await harness.emulator.clickButton(user, CHANNEL, approval.ts, APPROVE_ACTION_ID);
  const done = await harness.emulator.waitFor(
    (m) =>
      m.channel === CHANNEL &&
      m.ts === approval.ts &&
      buttonOf(m, APPROVE_ACTION_ID) === undefined &&
      /executed:|Failed:/.test(textOf(m)),
    WAIT_MS,
  );
  await harness.idle();
  return done;
}

async function auditOf(harness: Harness, requestId: string) {
  return (await harness.store.listAudit({ requestId })).map((e) => [e.kind, e.actor]);
}

describe("reset-consumer-offsets through Slack on a real broker", () => {
  it("shows the offsets before -> after; on a second person's approval the broker has exactly them", async () => {
    const { topic, group } = await pipeline();
    expect(await committed(group, topic)).toEqual([12, 8, 5]);
    const harness = await start(group, topic);
    const { root, approval, requestId, outcome } = await requestReset(harness);
    const preview = `reset consumer group ${group} to ${formatUtc(new Date(FROM_TIME))} on ${topic} p0: 12 -> 6 (6 records), p1: 8 -> 6 (2 records), p2: 5 -> 3 (2 records); 10 records to re-read (Flink is not configured: check by hand that the job is stopped)`;
    expect(outcome).toBe(`Approval requested: ${preview}`);
    expect(textOf(approval)).toContain(":lock: Approval needed: *Reset consumer offsets (reprocess)*");
    expect(textOf(approval)).toContain(preview.replaceAll(">", "&gt;"));
    expect(textOf(approval)).toContain("Risk: :large_orange_circle: high");
    expect(await committed(group, topic)).toEqual([12, 8, 5]);

    const done = await approve(harness, approval, "U_BOB");
    expect(await committed(group, topic)).toEqual([6, 6, 3]);
    const result = `offsets of ${group} on ${topic} reset to ${formatUtc(new Date(FROM_TIME))}: p0 12 -&gt; 6, p1 8 -&gt; 6, p2 5 -&gt; 3 (10 records to re-read)`;
    expect(textOf(done)).toContain(`executed: ${result}`);
    // The thread's lines: who approved what, and the outcome.
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(`:ballot_box_with_check: <@U_BOB> approved *${preview}* (requested by <@U_ALICE>).`),
    );
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(`:white_check_mark: Done: ${result.replaceAll("&gt;", ">")}.`),
    );
    expect(await auditOf(harness, requestId)).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    expect(await harness.store.getRequest(requestId)).toMatchObject({
      state: "succeeded",
      params: {
        group,
        topic,
        fromTime: FROM_TIME,
        partitions: [
          { partition: 0, from: 12, to: 6 },
          { partition: 1, from: 8, to: 6 },
          { partition: 2, from: 5, to: 3 },
        ],
      },
      result: {
        ok: true,
        details: {
          recordsToReread: 10,
          committed: [
            { partition: 0, offset: 6 },
            { partition: 1, offset: 6 },
            { partition: 2, offset: 3 },
          ],
        },
      },
    });
  }, 90_000);

  it("a consumer back in the group before the approval: the execution is refused with the reason, nothing moves", async () => {
    const { topic, group } = await pipeline();
    const harness = await start(group, topic);
    const { approval, requestId } = await requestReset(harness);
    // The job starts again before anyone approves (it has nothing new to read: the offsets stay).
    const member = await kafka.consumer({ groupId: group });
    consumers.add(member);
    const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
    await member.connect();
    await member.subscribe({ topic });
    await member.run({ eachMessage: async () => {} });
    await joined;

    const done = await approve(harness, approval, "U_BOB");
    expect(textOf(done)).toContain(
      `Failed: not executed, the world changed: consumer group ${group} has 1 active member (state Stable): stop its consumers first, offsets can only be reset while the group is empty`,
    );
    expect(await committed(group, topic)).toEqual([12, 8, 5]);
    expect(await auditOf(harness, requestId)).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.failed", "bot"],
    ]);
  }, 90_000);
});
