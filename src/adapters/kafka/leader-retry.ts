/**
 * A bounded retry for kafkajs admin reads that go to partition leaders (ListOffsets through
 * fetchTopicOffsets / fetchTopicOffsetsByTimestamp) or to a group's coordinator (OffsetFetch through
 * fetchOffsets).
 *
 * kafkajs 2.2.4 gives up on the first failure of these calls other than UNKNOWN_TOPIC_OR_PARTITION:
 * a leader that just went away (connection refused or reset) or just handed its partitions over
 * (NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE) fails the whole call. Its metadata is not stuck,
 * though: an admin client is built without metadataMaxAge, so it re-reads metadata before every
 * such call, and a failed connection to a broker refreshes it too. What fails is the short window
 * while the brokers' metadata still names the old leader (measured on the real 3-node cluster: a
 * few hundred ms after a controlled shutdown; over 2 s on a loaded 2-core CI machine, where two
 * reads in a row failed with three attempts in 1 s). Trying again covers that window; a leader
 * that stays unreachable (a crashed broker not yet fenced by the controller) still fails, within
 * RETRY_WINDOW_MS plus the attempts' own connection/request timeouts.
 */
import { errorType, isNamed } from "./kafka-errors.ts";

/**
 * Kafka error types that say "ask again with fresh metadata": a partition leader that moved, and
 * the group coordinator that moved with the __consumer_offsets partition it leads (the new one
 * answers COORDINATOR_LOAD_IN_PROGRESS while it loads the group; seen on the real 3-broker cluster).
 */
const LEADER_MOVED = new Set([
  "NOT_LEADER_FOR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "REPLICA_NOT_AVAILABLE",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR",
]);

/** Pauses before the 2nd to 5th attempts. */
const BACKOFF_MS = [300, 700, 1200, 1800] as const;
/** No new attempt starts later than this after the first one. */
export const RETRY_WINDOW_MS = 4500;

/** A failure that a leader moving to another broker explains. */
export function isLeaderMove(err: unknown): boolean {
  const type = errorType(err);
  if (type !== undefined && LEADER_MOVED.has(type)) return true;
  return isNamed(err, "KafkaJSConnectionError") || isNamed(err, "KafkaJSBrokerNotFound");
}

/** Runs `read`; on a leader-move failure runs it again (kafkajs re-reads metadata first), bounded. */
export async function retryOnLeaderMove<T>(read: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const pause = BACKOFF_MS[attempt];
      if (pause === undefined || !isLeaderMove(err) || Date.now() + pause - startedAt > RETRY_WINDOW_MS) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
