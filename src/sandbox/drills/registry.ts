/** Every drill scenario, by id. */
import { consumerLagDrills } from "./consumer-lag.ts";
import type { DrillScenario } from "./drill.ts";

export const DRILLS: readonly DrillScenario[] = [...consumerLagDrills];

export function findDrill(id: string): DrillScenario | undefined {
  return DRILLS.find((d) => d.id === id);
}
