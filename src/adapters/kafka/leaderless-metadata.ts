/**
 * kafkajs 2.2.4 rejects a whole Metadata answer when any partition in it carries an error: a
 * partition without a leader (LEADER_NOT_AVAILABLE) makes fetchTopicMetadata() and
 * describeCluster() fail, so an offline partition could never be reported, and one offline
 * partition anywhere would hide the whole cluster's state exactly when a broker is down.
 *
 * This wraps the parse step of kafkajs's Metadata response modules (v0-v6) so that, only inside
 * `withLeaderlessPartitions(...)`, partition-level "no leader / replica unavailable" errors are
 * kept as data (leader -1) instead of thrown. Scoped with AsyncLocalStorage: kafkajs's own
 * producers, consumers and other admin calls keep their retry-until-a-leader behaviour.
 * Topic-level errors (unknown topic, authorization) still throw. Relies on kafkajs internals
 * (pinned 2.2.4, unmaintained upstream); if they moved, calls fall back to kafkajs's own parsing.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";

type Parse = (data: unknown) => Promise<unknown>;
interface ResponseModule {
  parse: Parse;
}
interface MetadataData {
  topicMetadata: { topicErrorCode: number; partitionMetadata: { partitionErrorCode: number }[] }[];
}

/** Partition error codes that describe unavailability rather than a failed call. */
const KEPT_PARTITION_ERRORS = new Set([
  5, // LEADER_NOT_AVAILABLE
  9, // REPLICA_NOT_AVAILABLE
  72, // LISTENER_NOT_FOUND (the leader has no endpoint for this listener: treated as no leader)
]);

const scope = new AsyncLocalStorage<boolean>();
let installed: boolean | undefined;

function install(): boolean {
  if (installed !== undefined) return installed;
  try {
    const require = createRequire(import.meta.url);
    const { createErrorFromCode } = require("kafkajs/src/protocol/error") as {
      createErrorFromCode: (code: number) => Error;
    };
    for (let version = 0; version <= 6; version++) {
      const mod = require(`kafkajs/src/protocol/requests/metadata/v${version}/response`) as ResponseModule;
      const original = mod.parse;
      if (typeof original !== "function") throw new Error("unexpected kafkajs layout");
      mod.parse = async (data: unknown) => {
        if (scope.getStore() !== true) return original(data);
        const metadata = data as MetadataData;
        const topicError = metadata.topicMetadata.find((t) => t.topicErrorCode !== 0);
        if (topicError) throw createErrorFromCode(topicError.topicErrorCode);
        for (const topic of metadata.topicMetadata) {
          for (const partition of topic.partitionMetadata) {
            const code = partition.partitionErrorCode;
            if (code !== 0 && !KEPT_PARTITION_ERRORS.has(code)) throw createErrorFromCode(code);
          }
        }
        return data;
      };
    }
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}

/** Runs `fn` with leaderless partitions reported as data (leader -1) by kafkajs metadata calls. */
export function withLeaderlessPartitions<T>(fn: () => Promise<T>): Promise<T> {
  install();
  return scope.run(true, fn);
}

/** Runs `fn` with kafkajs's own parsing (for consumers and producers started from a tolerant call). */
export function withKafkajsParsing<T>(fn: () => T): T {
  return scope.exit(fn);
}
