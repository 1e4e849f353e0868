/**
 * Global setup that starts only the Kafka broker (no moto server), for running the Kafka adapter
 * integration tests on their own: `npx vitest run -c test/peers/kafka-only.vitest.config.ts`.
 */
import type { TestProject } from "vitest/node";
import { startKafkaPeer } from "../peers/kafka-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kafka = await startKafkaPeer({ secure: true });
  project.provide("kafkaBrokers", kafka.brokers);
  project.provide("kafkaVersion", kafka.version);
  if (kafka.secure) project.provide("kafkaSecure", kafka.secure);
  return () => kafka.stop();
}
