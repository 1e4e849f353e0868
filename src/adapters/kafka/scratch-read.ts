/**
 * Reading given offset ranges of a topic without touching anyone's consumer group.
 *
 * kafkajs has no assign(): every consumer joins a group. So each read uses a scratch group with a
 * unique id ("<prefix>-<uuid>"), never commits (autoCommit off; seek() then only moves the
 * consumer's own position), and deletes that group afterwards with DeleteGroups, so nothing is
 * left behind. Other groups' offsets are never read or written. On a cluster with ACLs the bot
 * needs READ and DELETE on groups with the prefix (a prefixed ACL) and READ on the topic.
 * Joining costs the broker's group.initial.rebalance.delay.ms (3 s by default) once per read.
 */
import { randomUUID } from "node:crypto";
import type { Admin, Kafka, KafkaMessage } from "kafkajs";
import { KafkaError } from "../../ports/kafka.ts";
import { errorType } from "./kafka-errors.ts";
import { withKafkajsParsing, withLeaderlessPartitions } from "./leaderless-metadata.ts";
import { withTimeout } from "./with-timeout.ts";

export interface OffsetRange {
  /** First offset to read. */
  readonly from: number;
  /** One past the last offset to read (the high watermark when it was looked up). */
  readonly until: number;
}

export interface ScratchRead {
  readonly topic: string;
  /** Partition -> offsets to read; partitions not listed are not read. */
  readonly ranges: ReadonlyMap<number, OffsetRange>;
  /** Epoch ms: the read stops here, complete or not. */
  readonly deadline: number;
  readonly groupPrefix: string;
  /** Called for each record in a range; returning true ends the read early (complete). */
  readonly onRecord: (partition: number, message: KafkaMessage) => boolean;
}

export interface ScratchReadResult {
  /** Every range was read to its end (or onRecord ended the read). */
  readonly complete: boolean;
  readonly groupId: string;
  /** The scratch group was deleted (or never came to exist). */
  readonly groupDeleted: boolean;
}

const CLEANUP_MS = 10_000;

export async function readWithScratchGroup(
  kafka: Kafka,
  admin: Admin,
  read: ScratchRead,
): Promise<ScratchReadResult> {
  const groupId = `${read.groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 250,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
  });
  const remaining = new Set([...read.ranges].filter(([, r]) => r.until > r.from).map(([p]) => p));
  /** Partitions whose first batch after the seek arrived (a fetch sent before it is ignored). */
  const positioned = new Set<number>();
  let finish: (value: boolean) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const finished = new Promise<boolean>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  void finished.catch(() => {}); // raced below; a late crash must not become an unhandled rejection
  consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, read.deadline - Date.now()));
  });

  let complete = false;
  try {
    if (remaining.size === 0) return { complete: true, groupId, groupDeleted: true };
    // The consumer keeps kafkajs's own metadata handling (retry until a leader exists), even
    // when this read was started from inside withLeaderlessPartitions.
    const started = withKafkajsParsing(async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [read.topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = read.ranges.get(batch.partition);
          if (range === undefined || !remaining.has(batch.partition)) return;
          if (!positioned.has(batch.partition)) {
            // A fetch sent before the seek took effect starts at the high watermark: nothing in range.
            const first = batch.firstOffset();
            if (first === null || Number(first) >= range.until) return;
            positioned.add(batch.partition);
          }
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < range.from || offset >= range.until) continue;
            if (read.onRecord(batch.partition, message)) {
              remaining.clear();
              finish(true);
              return;
            }
          }
          // lastOffset() counts records kafkajs filtered out (transaction markers) too.
          if (Number(batch.lastOffset()) >= range.until - 1) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) finish(true);
          }
        },
      });
      // Applied when the partitions are assigned, before their first fetch; with autoCommit off
      // a seek only sets this consumer's position.
      for (const partition of remaining) {
        const range = read.ranges.get(partition);
        if (range !== undefined) consumer.seek({ topic: read.topic, partition, offset: String(range.from) });
      }
    });
    started.catch(fail);
    complete = await Promise.race([finished, timedOut]);
    return { complete, groupId, groupDeleted: await cleanUp(consumer, admin, groupId) };
  } catch (err) {
    await cleanUp(consumer, admin, groupId);
    if (errorType(err) === "UNKNOWN_TOPIC_OR_PARTITION") {
      throw new KafkaError("not-found", `topic ${read.topic} does not exist`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Leaves the group, then deletes it; true when it is gone. Bounded: never hangs the caller. */
async function cleanUp(
  consumer: ReturnType<Kafka["consumer"]>,
  admin: Admin,
  groupId: string,
): Promise<boolean> {
  const deadline = Date.now() + CLEANUP_MS;
  await withTimeout(
    consumer.disconnect().catch(() => {}),
    CLEANUP_MS / 2,
  );
  // The coordinator may still be completing the member's LeaveGroup (NON_EMPTY_GROUP), or be
  // moving (a broker just went down: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE): retry until the
  // cleanup deadline. Only a denial is final.
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      await withTimeout(
        withLeaderlessPartitions(() => admin.deleteGroups([groupId])),
        Math.max(1, deadline - Date.now()),
      );
      return true;
    } catch (err) {
      const codes = deleteErrorTypes(err);
      if (codes.length > 0 && codes.every((c) => c === "GROUP_ID_NOT_FOUND")) return true;
      if (codes.includes("GROUP_AUTHORIZATION_FAILED")) return false;
    }
    await new Promise((done) => setTimeout(done, Math.min(1000, 100 * 2 ** attempt)));
  }
  return false;
}

function deleteErrorTypes(err: unknown): string[] {
  const groups = (err as { groups?: unknown }).groups;
  if (Array.isArray(groups)) {
    return groups.map((g: { error?: { type?: unknown } }) =>
      typeof g.error?.type === "string" ? g.error.type : "UNKNOWN",
    );
  }
  const type = errorType(err);
  return type === undefined ? [] : [type];
}
