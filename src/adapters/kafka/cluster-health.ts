/** Brokers alive vs assigned, and leader/replicas/ISR per partition, from Metadata answers. */
import type { Admin, PartitionMetadata } from "kafkajs";
import {
  type ClusterDescription,
  type ClusterPartitionHealth,
  KafkaError,
  type PartitionHealth,
} from "../../ports/kafka.ts";
import { withLeaderlessPartitions } from "./leaderless-metadata.ts";

export async function readClusterDescription(
  admin: Admin,
  expectedBrokers: number | null,
): Promise<ClusterDescription> {
  // Both are Metadata requests; a partition without a leader must not fail them (see leaderless-metadata).
  const [cluster, metadata] = await withLeaderlessPartitions(() =>
    Promise.all([admin.describeCluster(), admin.fetchTopicMetadata()]),
  );
  const brokers = cluster.brokers
    .map((b) => ({ id: b.nodeId, host: b.host, port: b.port }))
    .sort((a, b) => a.id - b.id);
  const alive = new Set(brokers.map((b) => b.id));
  const assigned = new Set<number>();
  for (const topic of metadata.topics) {
    for (const partition of topic.partitions) for (const id of partition.replicas) assigned.add(id);
  }
  const missingBrokerIds = [...assigned].filter((id) => !alive.has(id)).sort((a, b) => a - b);
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controller,
    brokers,
    expectedBrokers,
    missingBrokerIds,
  };
}

export async function readPartitionHealth(
  admin: Admin,
  topics?: readonly string[],
): Promise<ClusterPartitionHealth> {
  const wanted = topics === undefined ? undefined : [...new Set(topics)].sort();
  if (wanted !== undefined && wanted.length > 0) {
    // Metadata for an unknown topic fails without naming it; name the missing ones instead.
    const existing = new Set(await withLeaderlessPartitions(() => admin.listTopics()));
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new KafkaError(
        "not-found",
        `${missing.length === 1 ? "topic" : "topics"} ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist`,
      );
    }
  }
  if (wanted !== undefined && wanted.length === 0) {
    return { partitions: [], totals: { topics: 0, partitions: 0, underReplicated: 0, offline: 0 } };
  }
  const metadata = await withLeaderlessPartitions(() =>
    admin.fetchTopicMetadata(wanted === undefined ? undefined : { topics: wanted }),
  );
  const partitions: PartitionHealth[] = [];
  for (const topic of metadata.topics) {
    for (const p of topic.partitions) partitions.push(partitionHealth(topic.name, p));
  }
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return {
    partitions,
    totals: {
      topics: metadata.topics.length,
      partitions: partitions.length,
      underReplicated: partitions.filter((p) => p.underReplicated).length,
      offline: partitions.filter((p) => p.offline).length,
    },
  };
}

function partitionHealth(topic: string, p: PartitionMetadata): PartitionHealth {
  const leader = p.leader >= 0 ? p.leader : null;
  return {
    topic,
    partition: p.partitionId,
    leader,
    replicas: [...p.replicas],
    isr: [...p.isr],
    offlineReplicas: [...(p.offlineReplicas ?? [])],
    // As Kafka's own UnderReplicatedPartitions / OfflinePartitionsCount: a partition is one or the other.
    underReplicated: leader !== null && p.isr.length < p.replicas.length,
    offline: leader === null,
  };
}
