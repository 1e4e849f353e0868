/** Every drill scenario, by id. */
import { checkpointDurationDrills } from "./checkpoint-duration.ts";
import { checkpointFailureDrills } from "./checkpoint-failure.ts";
import { consumerLagDrills } from "./consumer-lag.ts";
import { dlqSpikeDrills } from "./dlq-spike.ts";
import type { DrillScenario } from "./drill.ts";
import { firehoseDeliveryFailureDrills } from "./firehose-delivery-failure.ts";
import { kafkaBrokerDownDrills } from "./kafka-broker-down.ts";
import { latencySloBreachDrills } from "./latency-slo-breach.ts";
import { memoryUsageDrills } from "./memory-usage.ts";
import { windowCompletenessDrills } from "./window-completeness.ts";

/** In the order of the seed's runbooks. */
export const DRILLS: readonly DrillScenario[] = [
  ...dlqSpikeDrills,
  ...checkpointFailureDrills,
  ...kafkaBrokerDownDrills,
  ...firehoseDeliveryFailureDrills,
  ...consumerLagDrills,
  ...latencySloBreachDrills,
  ...windowCompletenessDrills,
  ...memoryUsageDrills,
  ...checkpointDurationDrills,
];

export function findDrill(id: string): DrillScenario | undefined {
  return DRILLS.find((d) => d.id === id);
}
