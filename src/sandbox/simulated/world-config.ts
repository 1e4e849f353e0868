/**
 * The config names of the simulated platform's own systems, added where the user's config has none:
 * the simulated MSK cluster's ARN. (A real deployment sets them in its config file.)
 */
import type { AppConfig } from "../../config/schema.ts";
import { ORDER_PROCESSING_CLUSTER_ARN } from "./simulated-msk.ts";

export function withSimulatedWorldNames(config: AppConfig): AppConfig {
  return config.msk ? config : { ...config, msk: { clusterArn: ORDER_PROCESSING_CLUSTER_ARN } };
}
