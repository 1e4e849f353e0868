/**
 * The KafkaPort contract against both implementations: the kafkajs adapter on the real Apache
 * Kafka broker of the global setup (single node, replication factor 1), and the sandbox's
 * simulated Kafka telling the consumer-lag story (orders.raw, order-processor).
 */

import { randomUUID } from "node:crypto";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { inject } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../src/sandbox/simulated/simulated-kafka.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";
import { kafkaContract, type OffsetResetSetup } from "./kafka.contract.ts";

kafkaContract("kafkajs adapter on a real Kafka broker", async () => {
  const brokers = inject("kafkaBrokers");
  const id = randomUUID().slice(0, 8);
  const sampleTopic = `contract-orders-${id}`;
  const testTopic = `contract-healthcheck-${id}`;
  const group = `contract-group-${id}`;
  const kafka = new Kafka({ brokers: [brokers], clientId: "kafka-contract", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  try {
    await createServedTopics(brokers, [
      { topic: sampleTopic, numPartitions: 3 },
      { topic: testTopic, numPartitions: 1 },
    ]);
    const base = Date.now() - 120_000;
    for (const partition of [0, 1, 2]) {
      await producer.send({
        topic: sampleTopic,
        messages: Array.from({ length: 4 }, (_, i) => ({
          partition,
          key: `cust-00${partition}${i}`,
          timestamp: String(base + (i * 3 + partition) * 1000),
          headers: { source: "checkout-service" },
          value: JSON.stringify({
            order_id: `ord-${partition}-${i}`,
            customer_id: `cust-00${partition}${i}`,
            total_amount: 42.5,
          }),
        })),
      });
    }
    await admin.setOffsets({
      groupId: group,
      topic: sampleTopic,
      partitions: [0, 1, 2].map((partition) => ({ partition, offset: "2" })),
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  const port = createKafkajsKafka({ brokers: [brokers], clientId: "runbook-bot-contract" });
  const setupAdmin = kafka.admin();
  await setupAdmin.connect();
  const setupProducer = kafka.producer();
  await setupProducer.connect();
  const idleTopic = `contract-idle-${id}`;
  await createServedTopics(brokers, [{ topic: idleTopic, numPartitions: 1 }]);
  const consumers: Consumer[] = [];
  const resets: OffsetResetSetup = {
    async createTopic(topic, partitions) {
      await createServedTopics(brokers, [{ topic, numPartitions: partitions }]);
    },
    async produce(topic, partition, timestampsMs) {
      await setupProducer.send({
        topic,
        messages: timestampsMs.map((t, i) => ({ partition, timestamp: String(t), value: `record ${i}` })),
      });
    },
    async commit(group, topic, offsets) {
      await setupAdmin.setOffsets({
        groupId: group,
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })),
      });
    },
    async joinGroup(group) {
      const consumer = kafka.consumer({ groupId: group });
      consumers.push(consumer);
      const joined = new Promise<void>((resolve) => {
        consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      });
      await consumer.connect();
      await consumer.subscribe({ topic: idleTopic });
      await consumer.run({ eachMessage: async () => {} });
      await joined;
      return () => consumer.disconnect();
    },
  };
  return {
    port,
    sampleTopic,
    group,
    testTopic,
    missingTopic: `contract-missing-${id}`,
    resets,
    async close() {
      await Promise.allSettled(consumers.map((c) => c.disconnect()));
      await setupProducer.disconnect();
      await setupAdmin.disconnect();
      await port.close();
    },
  };
});

kafkaContract("simulated Kafka (sandbox)", async () => {
  const scenario = new ConsumerLagScenario();
  const port = new SimulatedKafka(scenario);
  return {
    port,
    sampleTopic: scenario.topic,
    group: scenario.group,
    testTopic: "runbook-bot.healthcheck",
    missingTopic: "orders.missing",
    resets: {
      createTopic: async (topic, partitions) => port.createTopic(topic, partitions),
      produce: async (topic, partition, timestampsMs) => {
        port.produce(topic, partition, timestampsMs);
      },
      commit: async (group, topic, offsets) => port.commitOffsets(group, topic, offsets),
      joinGroup: async (group) => {
        const leave = port.joinGroup(group);
        return async () => leave();
      },
    },
    close: () => port.close(),
  };
});
