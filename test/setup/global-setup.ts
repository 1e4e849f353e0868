/**
 * Starts the real peers the integration tests talk to, once per run, on 127.0.0.1:
 * an Apache Kafka broker (KRaft, jars from Maven Central; also TLS and SASL listeners), a moto
 * server (AWS emulator, PyPI) and a Kubernetes control plane (etcd, kube-apiserver,
 * kube-controller-manager built from the Go module proxy) and a PostgreSQL server (Debian package). Each peer installs or builds what it
 * needs on first use (Kafka and Kubernetes under ~/.cache/runbook-bot, moto into .cache/).
 */
import type { TestProject } from "vitest/node";
import { startKafkaPeer } from "../peers/kafka-peer.ts";
import { provideKubePeer, startKubePeer } from "../peers/kube-peer.ts";
import { startMotoPeer } from "../peers/moto-peer.ts";
import { startPostgresPeer } from "../peers/postgres-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kafka, moto, kube, postgres] = await Promise.all([
    startKafkaPeer({ secure: true }),
    startMotoPeer(),
    startKubePeer(),
    startPostgresPeer(),
  ]);
  project.provide("kafkaBrokers", kafka.brokers);
  project.provide("kafkaVersion", kafka.version);
  if (kafka.secure) project.provide("kafkaSecure", kafka.secure);
  project.provide("motoEndpoint", moto.endpoint);
  provideKubePeer(project, kube);
  project.provide("postgresUrl", postgres.url);
  return async () => {
    await Promise.allSettled([kafka.stop(), moto.stop(), kube.stop(), postgres.stop()]);
  };
}
