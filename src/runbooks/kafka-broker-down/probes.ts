/** Read-only probes of the kafka-broker-down runbook (I/O through ports only). */

import type { AppConfig } from "../../config/schema.ts";
import { kafkaSchema } from "../../config/schema.ts";
import { probe } from "../../core/runbook.ts";
import type {
  ClusterDescription,
  ClusterPartitionHealth,
  GroupLag,
  RoundTripResult,
} from "../../ports/kafka.ts";
import type { MskBrokerNode, MskCluster, MskClusterOperation } from "../../ports/msk.ts";

/** The seed's producer check: `--timeout 5000`. */
export const ROUND_TRIP_TIMEOUT_MS = 5000;

/** The round-trip topic: kafka.testTopic, or its default when the kafka section is absent. */
export function testTopicOf(config: AppConfig): string {
  return config.kafka?.testTopic ?? kafkaSchema.shape.testTopic.parse(undefined);
}

export interface MskView {
  readonly cluster: MskCluster;
  readonly brokers: readonly MskBrokerNode[];
  /** The running operation, when the cluster reports one and it could be read. */
  readonly operation?: MskClusterOperation;
  readonly operationError?: string;
}

/**
 * `aws msk describe-cluster` + `aws msk list-brokers`. Null when no cluster ARN is configured:
 * the MSK port may exist (the sandbox) without the config saying which cluster is ours.
 */
export const mskClusterProbe = probe<MskView | null>({
  id: "msk-cluster",
  title: "read the MSK cluster and its broker nodes",
  needs: ["msk"],
  async run({ ports, config }) {
    if (config.msk === undefined) return null;
    const msk = ports.msk!;
    const arn = config.msk.clusterArn;
    const [cluster, brokers] = await Promise.all([msk.describeCluster(arn), msk.listBrokers(arn)]);
    if (cluster.activeOperationArn === undefined) return { cluster, brokers };
    try {
      const operation = await msk.describeOperation(cluster.activeOperationArn);
      return { cluster, brokers, operation };
    } catch (error) {
      return {
        cluster,
        brokers,
        operationError: error instanceof Error ? error.message : String(error),
      };
    }
  },
});

export const kafkaClusterProbe = probe<ClusterDescription>({
  id: "kafka-cluster",
  title: "ask Kafka which brokers answer",
  needs: ["kafka"],
  run: ({ ports, config }) =>
    ports.kafka!.describeCluster({ expectedBrokers: config.thresholds.minBrokersAlive }),
});

export const partitionHealthProbe = probe<ClusterPartitionHealth>({
  id: "partition-health",
  title: "read under-replicated and offline partitions",
  needs: ["kafka"],
  run: ({ ports }) => ports.kafka!.partitionHealth(),
});

export const roundTripProbe = probe<RoundTripResult>({
  id: "round-trip",
  title: "produce and consume a test record",
  needs: ["kafka"],
  timeoutMs: (config) => ROUND_TRIP_TIMEOUT_MS + config.runbooks.probeTimeoutSeconds * 1000,
  run: ({ ports, config }) => ports.kafka!.roundTrip(testTopicOf(config), ROUND_TRIP_TIMEOUT_MS),
});

export const groupLagProbe = probe<GroupLag>({
  id: "consumer-lag",
  title: "read the job's consumer group lag",
  needs: ["kafka"],
  run: ({ ports, config }) =>
    ports.kafka!.groupLag(config.pipeline.consumerGroup, [config.pipeline.sourceTopic]),
});
