/**
 * Creating topics for a test on the single-node KRaft peer, and returning only once the broker
 * serves them.
 *
 * kafkajs's createTopics({ waitForLeaders: true }) is not enough on a KRaft broker. The controller
 * answers CreateTopics once the new topic's records are committed to the metadata log; the broker
 * applies them to its metadata cache, and then creates the partitions in its replica manager,
 * asynchronously after that. Until then a Metadata request names the topic UNKNOWN_TOPIC_OR_PARTITION
 * and a ListOffsets request answers NOT_LEADER_OR_FOLLOWER (kafkajs: NOT_LEADER_FOR_PARTITION).
 * kafkajs's wait (100 ms, then a Metadata request every 100 ms) only tolerates LEADER_NOT_AVAILABLE,
 * the ZooKeeper-era answer, so the first UNKNOWN_TOPIC_OR_PARTITION ends createTopics with that
 * error: on a loaded machine the gap is often longer than 100 ms (seen up to about 0.5 s on 2 shared
 * CPUs), and even after it a ListOffsets right away can still hit the second gap.
 *
 * This waits instead until every partition of every topic answers ListOffsets (what a producer, the
 * admin calls of the tests and the adapter's groupLag need), treating only those "not yet" answers
 * as not yet, within a deadline. It uses its own short-lived admin client: a kafkajs admin keeps
 * the topics it was asked about and refreshes their metadata in its other calls, so polling a topic
 * that does not exist yet through a test's shared admin would fail that test's concurrent calls.
 */
import { Kafka, logLevel } from "kafkajs";

export interface NewTopic {
  readonly topic: string;
  readonly numPartitions: number;
}

/** Answers of a broker that has not applied a just-created topic yet. */
const NOT_YET = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION"]);

/** Creates the topics (replication factor 1) and resolves once the broker serves all their partitions. */
export async function createServedTopics(
  brokers: string,
  topics: readonly NewTopic[],
  timeoutMs = 30_000,
): Promise<void> {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: "test-topic-setup",
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: topics.map(({ topic, numPartitions }) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: false,
    });
    if (!created) throw new Error(`setup: ${topics.map((t) => t.topic).join(", ")} already existed`);
    const deadline = Date.now() + timeoutMs;
    for (const { topic, numPartitions } of topics) {
      let last = "no answer";
      for (;;) {
        try {
          const served = await admin.fetchTopicOffsets(topic);
          if (served.length === numPartitions) break;
          last = `${served.length} of ${numPartitions} partitions`;
        } catch (err) {
          const type = protocolErrorType(err);
          if (type === undefined || !NOT_YET.has(type)) throw err;
          last = type;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `setup: broker did not serve topic ${topic} within ${timeoutMs} ms (last: ${last})`,
          );
        }
        await new Promise((done) => setTimeout(done, 50));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** The Kafka protocol error type kafkajs attaches, through its retry and non-retriable wrappers. */
function protocolErrorType(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string") return type;
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return undefined;
}
