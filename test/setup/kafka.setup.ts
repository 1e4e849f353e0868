/** The real Kafka broker (KRaft, jars from Maven Central; also TLS and SASL listeners), once per run. */
import type { TestProject } from "vitest/node";
import { startKafkaPeer } from "../peers/kafka-peer.ts";
import { acquirePeer } from "./shared-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { peer: kafka, release } = await acquirePeer("kafka", () => startKafkaPeer({ secure: true }));
  project.provide("kafkaBrokers", kafka.brokers);
  project.provide("kafkaVersion", kafka.version);
  if (kafka.secure) project.provide("kafkaSecure", kafka.secure);
  return release;
}
