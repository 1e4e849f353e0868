/**
 * KafkaPort over kafkajs (this folder is the only place that imports it). Checked against a real
 * Apache Kafka 4.x broker in test/integration/kafka-lag.test.ts and kafka-admin.test.ts, and a
 * real 3-node KRaft cluster in kafka-cluster.test.ts.
 */
import { type Admin, Kafka } from "kafkajs";
import {
  type ClusterDescription,
  type ClusterPartitionHealth,
  type GroupLag,
  KafkaError,
  type KafkaPort,
  type OffsetResetPlan,
  type PartitionOffset,
  type RecordSample,
  type RoundTripResult,
  type SampleOptions,
} from "../../ports/kafka.ts";
import { readClusterDescription, readPartitionHealth } from "./cluster-health.ts";
import { readGroupLag } from "./group-lag.ts";
import { buildKafkaConfig, type KafkaConnectionOptions } from "./kafka-config.ts";
import { toKafkaError } from "./kafka-errors.ts";
import { withLeaderlessPartitions } from "./leaderless-metadata.ts";
import { readOffsetResetPlan, writeOffsets } from "./offset-reset.ts";
import { DEFAULT_MAX_VALUE_CHARS, readNewest } from "./record-sample.ts";
import { runRoundTrip } from "./round-trip.ts";

export type { KafkaConnectionOptions, KafkaSasl, KafkaTls, MskIamToken } from "./kafka-config.ts";

export interface KafkajsKafkaOptions extends KafkaConnectionOptions {
  /** Brokers the cluster should have (describeCluster's expectedBrokers unless the call says). */
  readonly expectedBrokers?: number;
  /**
   * Prefix of the scratch consumer groups sampleNewest/roundTrip read through (each read uses
   * "<prefix>-<uuid>" and deletes it afterwards). Default "runbook-bot-scratch". Grant the bot
   * READ and DELETE on this group prefix.
   */
  readonly scratchGroupPrefix?: string;
  /** Bound for one sampleNewest read when the call gives none. Default 15000. */
  readonly sampleTimeoutMs?: number;
  /** Bound for one resetOffsets (kafkajs joins the group with a throwaway consumer). Default 30000. */
  readonly resetTimeoutMs?: number;
}

/** Kept for callers of the first version of this adapter; the port's KafkaError. */
export { KafkaError as KafkaAdapterError } from "../../ports/kafka.ts";

export function createKafkajsKafka(options: KafkajsKafkaOptions): KafkaPort {
  const describeTarget = options.brokers.join(",");
  const { config, secrets } = buildKafkaConfig(options);
  const kafka = new Kafka(config);
  const groupPrefix = options.scratchGroupPrefix ?? "runbook-bot-scratch";
  const sampleTimeoutMs = options.sampleTimeoutMs ?? 15_000;
  const resetTimeoutMs = options.resetTimeoutMs ?? 30_000;

  let admin: Promise<Admin> | undefined;
  /** The last request kafkajs gave up waiting for: a hung broker otherwise surfaces as "Broker not connected". */
  let lastRequestTimeout: { apiName: string; at: number } | undefined;
  const connectedAdmin = (): Promise<Admin> => {
    admin ??= (async () => {
      const client = kafka.admin();
      client.on(client.events.REQUEST_TIMEOUT, (event) => {
        lastRequestTimeout = { apiName: event.payload.apiName, at: Date.now() };
      });
      try {
        await withLeaderlessPartitions(() => client.connect());
        return client;
      } catch (err) {
        admin = undefined; // try afresh on the next call
        await client.disconnect().catch(() => {});
        throw err;
      }
    })();
    return admin;
  };

  const safe = (err: unknown, since = Number.POSITIVE_INFINITY): KafkaError => {
    const error = toKafkaError(err, describeTarget, secrets());
    const timedOut = lastRequestTimeout;
    if (error.kind !== "failed" || timedOut === undefined || timedOut.at < since) return error;
    return new KafkaError(
      "timeout",
      `Kafka at ${describeTarget} did not answer in time: ${timedOut.apiName} got no answer within ${config.requestTimeout} ms`,
    );
  };
  /** Runs one call on the shared admin client; every failure becomes a KafkaError. */
  const withAdmin = async <T>(call: (client: Admin) => Promise<T>): Promise<T> => {
    const startedAt = Date.now();
    let client: Admin;
    try {
      client = await connectedAdmin();
    } catch (err) {
      throw safe(err, startedAt);
    }
    try {
      // kafkajs refreshes metadata for every topic this client has touched before most calls: one
      // partition without a leader anywhere among them must not fail unrelated calls.
      return await withLeaderlessPartitions(() => call(client));
    } catch (err) {
      throw safe(err, startedAt);
    }
  };

  return {
    describeTarget,

    groupLag(group: string, topics?: readonly string[]): Promise<GroupLag> {
      return withAdmin((client) => readGroupLag(client, group, topics));
    },

    describeCluster(call?: { readonly expectedBrokers?: number }): Promise<ClusterDescription> {
      const expected = call?.expectedBrokers ?? options.expectedBrokers ?? null;
      return withAdmin((client) => readClusterDescription(client, expected));
    },

    partitionHealth(topics?: readonly string[]): Promise<ClusterPartitionHealth> {
      return withAdmin((client) => readPartitionHealth(client, topics));
    },

    sampleNewest(topic: string, count: number, sample?: SampleOptions): Promise<RecordSample> {
      const deadline = Date.now() + (sample?.timeoutMs ?? sampleTimeoutMs);
      return withAdmin((client) =>
        readNewest(kafka, client, {
          topic,
          count,
          maxValueChars: sample?.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS,
          deadline,
          groupPrefix,
        }),
      );
    },

    roundTrip(topic: string, timeoutMs: number): Promise<RoundTripResult> {
      return runRoundTrip(kafka, connectedAdmin, {
        topic,
        timeoutMs,
        groupPrefix,
        describe: (err) => safe(err),
      });
    },

    planOffsetReset(group: string, topic: string, fromTimestampMs: number): Promise<OffsetResetPlan> {
      return withAdmin((client) => readOffsetResetPlan(client, group, topic, fromTimestampMs));
    },

    resetOffsets(group: string, topic: string, offsets: readonly PartitionOffset[]): Promise<void> {
      return withAdmin((client) => writeOffsets(client, group, topic, offsets, resetTimeoutMs));
    },

    async close(): Promise<void> {
      const current = admin;
      admin = undefined;
      if (!current) return;
      const client = await current.catch(() => undefined);
      await client?.disconnect().catch(() => {});
    },
  };
}
