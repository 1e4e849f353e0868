/**
 * Drill scenarios of the kafka-broker-down runbook: one per branch of the seed. A broker is marked
 * down in both the simulated Kafka (it stops answering, its replicas leave the ISR) and the
 * simulated MSK (the control plane still lists it; rebooting it brings it back).
 *
 * These worlds expect the config to name the sandbox's cluster (`msk.clusterArn` =
 * ORDER_PROCESSING_CLUSTER_ARN): without it the bot cannot read MSK, cannot see a reboot in progress
 * and cannot offer the reboot button.
 */
import type { Clock } from "../../ports/clock.ts";
import { ORDER_PROCESSING_CLUSTER_ARN } from "../simulated/simulated-msk.ts";
import { SimulatedKafka, type SimulatedPlatform } from "../simulated/simulated-ports.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";

/** Marks the brokers down on the Kafka side and the MSK side alike. */
function withBrokersDown(clock: Clock, ids: readonly number[]): SimulatedPlatform {
  const platform = healthyPlatform(clock);
  const kafka = platform.ports.kafka;
  if (!(kafka instanceof SimulatedKafka)) throw new Error("the healthy world's Kafka is not simulated");
  for (const id of ids) {
    platform.msk.markBrokerDown(id);
    // Back on the Kafka side once MSK has rebooted it (the reboot-broker action's story).
    kafka.markBrokerDown(id, () => platform.msk.isBrokerUp(id));
  }
  return platform;
}

export const kafkaBrokerDownDrills: readonly DrillScenario[] = [
  {
    id: "kafka-broker-down/one-broker-down",
    runbook: "kafka-broker-down",
    title: "Broker 2 stopped answering",
    story:
      "Broker 2's Kafka process hung: MSK still shows the cluster ACTIVE, Kafka reports 2 of 3 brokers and the partitions broker 2 held are under-replicated. Writes still succeed.",
    build: (clock) => withBrokersDown(clock, [2]).ports,
    expect: { cause: "one-broker-down", severity: "warning", proposes: ["reboot-broker"] },
  },
  {
    id: "kafka-broker-down/cluster-unusable",
    runbook: "kafka-broker-down",
    title: "Brokers 2 and 3 down",
    story:
      "Two of three brokers are down: every partition is left with one in-sync replica, below min.insync.replicas=2, so writes fail. An outage.",
    build: (clock) => withBrokersDown(clock, [2, 3]).ports,
    expect: { cause: "cluster-unusable", severity: "critical", proposes: ["reboot-broker"] },
  },
  {
    id: "kafka-broker-down/broker-rebooting",
    runbook: "kafka-broker-down",
    title: "Broker 2 already rebooting",
    story:
      "Broker 2 is down and someone already started `aws kafka reboot-broker` for it: MSK is REBOOTING_BROKER. The bot must not offer a second reboot.",
    build: (clock) => {
      const platform = withBrokersDown(clock, [2]);
      // The reboot registers its operation before the promise settles (no await precedes it).
      platform.msk.rebootBroker(ORDER_PROCESSING_CLUSTER_ARN, 2).catch(() => undefined);
      return platform.ports;
    },
    expect: { cause: "broker-rebooting", severity: "warning", proposes: [] },
  },
  {
    id: "kafka-broker-down/all-brokers-up",
    runbook: "kafka-broker-down",
    title: "All brokers back",
    story: "The broker came back before the bot looked: 3 of 3 answer, replicas in sync, lag normal.",
    build: (clock) => healthyPlatform(clock).ports,
    expect: { cause: "all-brokers-up", severity: "ok", proposes: [] },
  },
];
