/**
 * The drills' baseline: the simulated platform with a healthy pipeline (eight taskmanagers keep
 * up with the orders, lag drains, checkpoints succeed, Firehose delivers, all brokers answer).
 * A drill scenario replaces only what its story breaks.
 */
import type { Clock } from "../../ports/clock.ts";
import { ConsumerLagScenario } from "../simulated/consumer-lag-scenario.ts";
import { createSimulatedPlatform, type SimulatedPlatform } from "../simulated/simulated-ports.ts";
import type { VirtualClock } from "./virtual-clock.ts";

export function healthyPlatform(clock: Clock & Partial<Pick<VirtualClock, "nowMs">>): SimulatedPlatform {
  const now = clock.nowMs ?? (() => clock.now().getTime());
  const scenario = new ConsumerLagScenario({ initialReplicas: 8, initialLag: [1_200, 2_100, 900], now });
  return createSimulatedPlatform(clock, scenario);
}

/** The consumer-lag story of the sandbox (four CPU-bound taskmanagers), on the given clock. */
export function laggingPlatform(clock: Clock & Partial<Pick<VirtualClock, "nowMs">>): SimulatedPlatform {
  const now = clock.nowMs ?? (() => clock.now().getTime());
  return createSimulatedPlatform(clock, new ConsumerLagScenario({ now }));
}
