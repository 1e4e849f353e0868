/**
 * Starts the real peers the integration tests talk to, once per run, on 127.0.0.1:
 * an Apache Kafka broker (KRaft, jars from Maven Central; also TLS and SASL listeners) and a moto server (AWS emulator, PyPI).
 * Each peer installs what it needs on first use (Kafka into ~/.cache/runbook-bot/kafka, moto into .cache/).
 */
import type { TestProject } from "vitest/node";
import { startKafkaPeer } from "../peers/kafka-peer.ts";
import { startMotoPeer } from "../peers/moto-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kafka, moto] = await Promise.all([startKafkaPeer({ secure: true }), startMotoPeer()]);
  project.provide("kafkaBrokers", kafka.brokers);
  project.provide("kafkaVersion", kafka.version);
  if (kafka.secure) project.provide("kafkaSecure", kafka.secure);
  project.provide("motoEndpoint", moto.endpoint);
  return async () => {
    await Promise.allSettled([kafka.stop(), moto.stop()]);
  };
}
