/**
 * Resetting a consumer group's offsets to a time (the seed's "reset consumer offset to reprocess"):
 * the plan reads the group's committed offsets, the offsets at the time (ListOffsets by timestamp)
 * and the log bounds; the reset commits the chosen offsets through kafkajs' admin.setOffsets.
 *
 * kafkajs' setOffsets joins the group with a throwaway consumer, refuses unless the group is Empty
 * or Dead ("The consumer group must have no running instances, current state: Stable"), then
 * seeks and commits. The bot checks the group itself first (state and members) and turns either
 * refusal into KafkaGroupActiveError. Checked on Apache Kafka 4.4.0 in test/contract/kafka.contract.ts.
 */
import type { Admin } from "kafkajs";
import {
  KafkaError,
  KafkaGroupActiveError,
  type OffsetResetPartition,
  type OffsetResetPlan,
  type PartitionOffset,
  RESETTABLE_GROUP_STATES,
} from "../../ports/kafka.ts";
import { topicOffsets } from "./group-lag.ts";
import { firstLine } from "./kafka-errors.ts";
import { retryOnLeaderMove } from "./leader-retry.ts";
import { TimeoutError, withTimeout } from "./with-timeout.ts";

async function groupActivity(admin: Admin, group: string): Promise<{ state: string; members: number }> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups.find((g) => g.groupId === group);
  return { state: description?.state ?? "Dead", members: description?.members.length ?? 0 };
}

function isResettable(activity: { state: string; members: number }): boolean {
  return activity.members === 0 && RESETTABLE_GROUP_STATES.includes(activity.state);
}

export async function readOffsetResetPlan(
  admin: Admin,
  group: string,
  topic: string,
  fromTimestampMs: number,
): Promise<OffsetResetPlan> {
  // The log bounds first: a missing topic fails here with its name.
  const bounds = await topicOffsets(admin, topic);
  const [atTime, committed, activity] = await Promise.all([
    retryOnLeaderMove(() => admin.fetchTopicOffsetsByTimestamp(topic, fromTimestampMs)),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
    groupActivity(admin, group),
  ]);
  const committedBy = new Map<number, number>();
  for (const t of committed) {
    if (t.topic !== topic) continue;
    for (const p of t.partitions) committedBy.set(p.partition, Number(p.offset));
  }
  // kafkajs answers the log end for a partition with no record at or after the time.
  const targetBy = new Map(atTime.map((p) => [p.partition, Number(p.offset)]));
  const partitions: OffsetResetPartition[] = bounds
    .map((b) => {
      const raw = committedBy.get(b.partition);
      const committedOffset = raw === undefined || raw < 0 ? null : raw;
      const target = targetBy.get(b.partition);
      const targetOffset = target === undefined || target < 0 ? b.logEnd : target;
      return {
        partition: b.partition,
        committedOffset,
        targetOffset,
        logStartOffset: b.logStart,
        logEndOffset: b.logEnd,
        recordsToReread: committedOffset === null ? 0 : Math.max(0, committedOffset - targetOffset),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { group, topic, fromTimestampMs, state: activity.state, members: activity.members, partitions };
}

/** Offsets a partition can be set to: from its log start to its log end, both included. */
export function offsetProblems(
  topic: string,
  offsets: readonly PartitionOffset[],
  bounds: readonly { partition: number; logStart: number; logEnd: number }[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const o of offsets) {
    if (seen.has(o.partition)) problems.push(`${topic} p${o.partition} is given twice`);
    seen.add(o.partition);
    const b = bounds.find((x) => x.partition === o.partition);
    if (b === undefined) {
      problems.push(`${topic} has no partition ${o.partition}`);
    } else if (!Number.isInteger(o.offset) || o.offset < b.logStart || o.offset > b.logEnd) {
      problems.push(
        `${topic} p${o.partition}: offset ${o.offset} is outside its log (${b.logStart} to ${b.logEnd})`,
      );
    }
  }
  return problems;
}

const SET_OFFSETS_REFUSAL = /must have no running instances, current state: (\w+)/;

export async function writeOffsets(
  admin: Admin,
  group: string,
  topic: string,
  offsets: readonly PartitionOffset[],
  timeoutMs: number,
): Promise<void> {
  if (offsets.length === 0) throw new KafkaError("failed", `no partition of ${topic} to reset`);
  const bounds = await topicOffsets(admin, topic);
  const problems = offsetProblems(topic, offsets, bounds);
  if (problems.length > 0) throw new KafkaError("failed", problems.join("; "));
  const before = await groupActivity(admin, group);
  if (!isResettable(before)) throw new KafkaGroupActiveError(group, before.state, before.members);
  try {
    await withTimeout(
      admin.setOffsets({
        groupId: group,
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })),
      }),
      timeoutMs,
      `setting the offsets of ${group}`,
    );
  } catch (err) {
    const refused = SET_OFFSETS_REFUSAL.exec(err instanceof Error ? err.message : String(err));
    if (refused) {
      // A consumer joined between the check and the write: kafkajs refused, nothing was written.
      const now = await groupActivity(admin, group).catch(() => ({ state: refused[1] ?? "?", members: 1 }));
      throw new KafkaGroupActiveError(group, refused[1] ?? now.state, Math.max(1, now.members));
    }
    if (err instanceof TimeoutError) {
      throw new KafkaError(
        "timeout",
        `${firstLine(err.message)}: the offsets of ${group} on ${topic} may or may not have been written; read them back before trying again`,
      );
    }
    throw err;
  }
}
