/** Consumer-group lag: committed offsets of a group against the partitions' log ends. */
import type { Admin } from "kafkajs";
import { type GroupLag, KafkaError, type PartitionLag } from "../../ports/kafka.ts";
import { errorType } from "./kafka-errors.ts";
import { retryOnLeaderMove } from "./leader-retry.ts";

export async function readGroupLag(
  admin: Admin,
  group: string,
  topics?: readonly string[],
): Promise<GroupLag> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups.find((g) => g.groupId === group);
  const state = description?.state ?? "Dead";
  const members = description?.members.length ?? 0;

  let topicNames: string[];
  if (topics === undefined) {
    const committed = await retryOnLeaderMove(() => admin.fetchOffsets({ groupId: group }));
    topicNames = committed.filter((t) => t.partitions.some((p) => Number(p.offset) >= 0)).map((t) => t.topic);
  } else {
    topicNames = [...new Set(topics)];
  }
  topicNames.sort();

  const partitions: PartitionLag[] = [];
  if (topicNames.length > 0) {
    // Log ends first: an unknown topic fails here with its name.
    const ends = await Promise.all(topicNames.map((topic) => topicOffsets(admin, topic)));
    const committed = await retryOnLeaderMove(() =>
      admin.fetchOffsets({ groupId: group, topics: topicNames }),
    );
    const committedBy = new Map<string, number>();
    for (const t of committed) {
      for (const p of t.partitions) committedBy.set(`${t.topic}/${p.partition}`, Number(p.offset));
    }
    topicNames.forEach((topic, i) => {
      for (const end of ends[i] ?? []) {
        const offset = committedBy.get(`${topic}/${end.partition}`);
        const committedOffset = offset === undefined || offset < 0 ? null : offset;
        const lag = committedOffset === null ? end.logEnd - end.logStart : end.logEnd - committedOffset;
        partitions.push({
          topic,
          partition: end.partition,
          committedOffset,
          logEndOffset: end.logEnd,
          lag: Math.max(0, lag),
        });
      }
    });
  }
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const totalLag = partitions.reduce((sum, p) => sum + p.lag, 0);
  return { group, state, members, partitions, totalLag };
}

export async function topicOffsets(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; logStart: number; logEnd: number }[]> {
  try {
    const offsets = await retryOnLeaderMove(() => admin.fetchTopicOffsets(topic));
    return offsets.map((o) => ({ partition: o.partition, logStart: Number(o.low), logEnd: Number(o.high) }));
  } catch (err) {
    if (errorType(err) === "UNKNOWN_TOPIC_OR_PARTITION")
      throw new KafkaError("not-found", `topic ${topic} does not exist`);
    throw err;
  }
}
