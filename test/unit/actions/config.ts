/** The config the action unit tests parse against: defaults plus an MSK cluster and Kafka brokers. */
import { type AppConfig, configSchema } from "../../../src/config/schema.ts";
import { ORDER_PROCESSING_CLUSTER_ARN } from "../../../src/sandbox/simulated/simulated-msk.ts";

/** The simulated MSK's cluster. */
export const CLUSTER_ARN = ORDER_PROCESSING_CLUSTER_ARN;

export function testConfig(patch: Record<string, unknown> = {}): AppConfig {
  return {
    ...configSchema.parse({
      msk: { clusterArn: CLUSTER_ARN },
      kafka: { brokers: ["b-2.orderprocessing.abc123.c2.kafka.us-east-1.amazonaws.com:9096"] },
      ...patch,
    }),
    secrets: {},
  };
}
