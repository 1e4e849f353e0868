/**
 * The simulated platform: adapters with the same ports as the real ones, telling the consumer-lag
 * story. The sandbox (npm start without credentials) and the benchmark run the real bot against it.
 */
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import { ConsumerLagScenario } from "./consumer-lag-scenario.ts";
import { SimulatedKafka } from "./simulated-kafka.ts";
import { SimulatedKubernetes } from "./simulated-kubernetes.ts";
import { SimulatedMetrics } from "./simulated-metrics.ts";

export { SimulatedKafka, SimulatedKubernetes, SimulatedMetrics };

export interface SimulatedPlatform {
  readonly scenario: ConsumerLagScenario;
  readonly ports: Ports;
  readonly kubernetes: SimulatedKubernetes;
}

export function createSimulatedPlatform(
  clock: Clock,
  scenario = new ConsumerLagScenario(),
): SimulatedPlatform {
  const kubernetes = new SimulatedKubernetes(scenario);
  return {
    scenario,
    kubernetes,
    ports: {
      kafka: new SimulatedKafka(scenario),
      metrics: new SimulatedMetrics(scenario),
      kubernetes,
      clock,
    },
  };
}
