/**
 * The simulated platform: adapters with the same ports as the real ones, telling the consumer-lag
 * story. The sandbox (npm start without credentials) and the benchmark run the real bot against it.
 */
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import { ConsumerLagScenario } from "./consumer-lag-scenario.ts";
import { SimulatedFirehose } from "./simulated-firehose.ts";
import { SimulatedFlink } from "./simulated-flink.ts";
import { SimulatedKafka } from "./simulated-kafka.ts";
import { SimulatedKubernetes } from "./simulated-kubernetes.ts";
import { SimulatedLogs } from "./simulated-logs.ts";
import { SimulatedMetrics } from "./simulated-metrics.ts";
import { SimulatedMsk } from "./simulated-msk.ts";

export {
  SimulatedFirehose,
  SimulatedFlink,
  SimulatedKafka,
  SimulatedKubernetes,
  SimulatedLogs,
  SimulatedMetrics,
  SimulatedMsk,
};

export interface SimulatedPlatform {
  readonly scenario: ConsumerLagScenario;
  readonly ports: Ports;
  readonly kubernetes: SimulatedKubernetes;
  readonly msk: SimulatedMsk;
  readonly flink: SimulatedFlink;
}

export function createSimulatedPlatform(
  clock: Clock,
  scenario = new ConsumerLagScenario(),
): SimulatedPlatform {
  const kubernetes = new SimulatedKubernetes(scenario, undefined, undefined, () => clock.now());
  const msk = new SimulatedMsk({ clock });
  const flink = new SimulatedFlink(scenario, { now: () => clock.now().getTime() });
  return {
    scenario,
    kubernetes,
    msk,
    flink,
    ports: {
      kafka: new SimulatedKafka(scenario, { now: () => clock.now().getTime() }),
      metrics: new SimulatedMetrics(scenario),
      logs: new SimulatedLogs(scenario),
      firehose: new SimulatedFirehose({ clock }),
      msk,
      kubernetes,
      flink,
      clock,
    },
  };
}
