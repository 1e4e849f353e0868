/**
 * The KafkaPort contract against both implementations: the kafkajs adapter on the real Apache
 * Kafka broker of the global setup (single node, replication factor 1), and the sandbox's
 * simulated Kafka telling the consumer-lag story (orders.raw, order-processor).
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { inject } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../src/sandbox/simulated/simulated-kafka.ts";
import { kafkaContract } from "./kafka.contract.ts";

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
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: sampleTopic, numPartitions: 3, replicationFactor: 1 },
        { topic: testTopic, numPartitions: 1, replicationFactor: 1 },
      ],
    });
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
  return {
    port,
    sampleTopic,
    group,
    testTopic,
    missingTopic: `contract-missing-${id}`,
    close: () => port.close(),
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
    close: () => port.close(),
  };
});
