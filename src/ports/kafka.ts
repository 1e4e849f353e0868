/** Kafka, in our words: what the runbooks ask of the cluster. */

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Committed offset of the group, or null when the group never committed on this partition. */
  readonly committedOffset: number | null;
  /** Log-end (high watermark) offset of the partition. */
  readonly logEndOffset: number;
  /** logEnd - committed (logEnd - logStart when nothing is committed), never negative. */
  readonly lag: number;
}

export interface GroupLag {
  readonly group: string;
  /** Group state as the coordinator reports it (Stable, Empty, Dead, PreparingRebalance, ...). */
  readonly state: string;
  readonly members: number;
  /** Sorted by topic, then partition. */
  readonly partitions: readonly PartitionLag[];
  readonly totalLag: number;
}

export interface BrokerNode {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface ClusterDescription {
  readonly clusterId: string;
  /**
   * The controller id the cluster reports. With KRaft, clients never see the controller quorum:
   * brokers report one of the live brokers here. Null when unknown.
   */
  readonly controllerId: number | null;
  /** Brokers the cluster reports alive (registered and not fenced), sorted by id. */
  readonly brokers: readonly BrokerNode[];
  /** How many brokers there should be (from the call or the configuration), null when not known. */
  readonly expectedBrokers: number | null;
  /**
   * Broker ids that partitions are assigned to but that are not alive, sorted: which broker is down.
   * (Read from the metadata of all topics.)
   */
  readonly missingBrokerIds: readonly number[];
}

export interface PartitionHealth {
  readonly topic: string;
  readonly partition: number;
  /** Leader broker id, null when the partition has no leader (offline). */
  readonly leader: number | null;
  /** Assigned replicas (broker ids), in assignment order. */
  readonly replicas: readonly number[];
  /** In-sync replicas (broker ids). */
  readonly isr: readonly number[];
  /** Replicas the cluster reports offline (broker down or log dir failed). */
  readonly offlineReplicas: readonly number[];
  /**
   * Has a leader but fewer in-sync replicas than assigned ones (Kafka's UnderReplicatedPartitions).
   * An offline partition counts as offline, not as under-replicated.
   */
  readonly underReplicated: boolean;
  /** No leader: nobody can produce to or consume from this partition. */
  readonly offline: boolean;
}

export interface ClusterPartitionHealth {
  /** Every partition of the topics asked for (all topics, internal ones included, when none were), sorted by topic, then partition. */
  readonly partitions: readonly PartitionHealth[];
  readonly totals: {
    readonly topics: number;
    readonly partitions: number;
    readonly underReplicated: number;
    readonly offline: number;
  };
}

export interface SampledRecord {
  readonly partition: number;
  readonly offset: number;
  /** Record timestamp, ISO 8601. */
  readonly timestamp: string;
  /** UTF-8 decoded, truncated to the bound; null for a null key. */
  readonly key: string | null;
  /** UTF-8 decoded, truncated to the bound; null for a tombstone. */
  readonly value: string | null;
  /** Size of the value in bytes before truncation (0 for null). */
  readonly valueBytes: number;
  /** The value (or key) was cut to the bound. */
  readonly truncated: boolean;
  /** Header values UTF-8 decoded and truncated (several values for one name joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface SampleOptions {
  /** Longest key, value or header value kept, in characters. Default 1000. */
  readonly maxValueChars?: number;
  /** Upper bound for the whole read. Default: the adapter's. */
  readonly timeoutMs?: number;
}

export interface RecordSample {
  readonly topic: string;
  /** Newest first (by timestamp, then offset); at most the number asked for. */
  readonly records: readonly SampledRecord[];
  /** False when the read stopped at the timeout before reaching the end of every partition. */
  readonly complete: boolean;
}

export type RoundTripResult =
  | {
      readonly ok: true;
      readonly topic: string;
      readonly partition: number;
      readonly offset: number;
      /** From sending until the cluster acknowledged the write (connecting included). */
      readonly produceMs: number;
      /** From the acknowledgement until the record was read back. */
      readonly consumeMs: number;
    }
  | {
      readonly ok: false;
      readonly topic: string;
      /** Where it stopped: the write was never acknowledged, or it was but never read back. */
      readonly failedAt: "produce" | "consume";
      /** Fit for a thread: "no acknowledgement within 5000 ms", "topic x does not exist". */
      readonly reason: string;
      readonly timedOut: boolean;
      /**
       * The bot's own access was refused (SASL credentials, TLS trust or name, ACLs): the brokers
       * answered, so this says nothing about whether they are up.
       */
      readonly accessRefused?: boolean;
      /** Set when the write was acknowledged (failedAt "consume"). */
      readonly produceMs?: number;
      readonly elapsedMs: number;
    };

/** One partition of an offset reset to a time: where the group is and where it would go. */
export interface OffsetResetPartition {
  readonly partition: number;
  /** The group's committed offset now, or null when it never committed on this partition. */
  readonly committedOffset: number | null;
  /**
   * The first offset whose record timestamp is at or after the time (Kafka's ListOffsets by
   * timestamp); the log end when no record is that new.
   */
  readonly targetOffset: number;
  /** The oldest offset the partition still holds (older records aged out). */
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /**
   * Records the group would read again: committed - target when the committed offset is after the
   * target, else 0 (nothing committed, or the group is not that far yet).
   */
  readonly recordsToReread: number;
}

/** What resetting a group's offsets on a topic to a time would do, read from the cluster. */
export interface OffsetResetPlan {
  readonly group: string;
  readonly topic: string;
  readonly fromTimestampMs: number;
  /** Group state as the coordinator reports it (Empty, Stable, Dead, PreparingRebalance, ...). */
  readonly state: string;
  /** Active members of the group: offsets can only be reset while there are none. */
  readonly members: number;
  /** Every partition of the topic, sorted by partition. */
  readonly partitions: readonly OffsetResetPartition[];
}

export interface PartitionOffset {
  readonly partition: number;
  readonly offset: number;
}

export type KafkaErrorKind = "unreachable" | "timeout" | "auth" | "not-found" | "group-active" | "failed";

/** A Kafka call failed; the message names the target, is safe to show (no stack, no secrets). */
export class KafkaError extends Error {
  override readonly name = "KafkaError";
  constructor(
    readonly kind: KafkaErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The group has active members (or is rebalancing): Kafka only lets offsets be set for a group
 * nobody consumes in, and the bot would not move them under a running consumer anyway.
 */
export class KafkaGroupActiveError extends KafkaError {
  constructor(
    readonly group: string,
    readonly state: string,
    readonly members: number,
  ) {
    super(
      "group-active",
      `consumer group ${group} has ${members} active member${members === 1 ? "" : "s"} (state ${state}): offsets can only be reset while no consumer is in the group`,
    );
  }
}

/** Only a group in one of these states may have its offsets set (no member, no rebalance). */
export const RESETTABLE_GROUP_STATES: readonly string[] = ["Empty", "Dead"];

export interface KafkaPort {
  /** Where the port points (shown in findings, e.g. "b1:9092,b2:9092"). Never includes credentials. */
  readonly describeTarget: string;
  /**
   * Lag of a consumer group on the given topics (all topics the group committed on when omitted).
   * Rejects when the cluster cannot be reached.
   */
  groupLag(group: string, topics?: readonly string[]): Promise<GroupLag>;
  /** Live brokers vs expected, controller, cluster id, and which assigned brokers are missing. */
  describeCluster(options?: { readonly expectedBrokers?: number }): Promise<ClusterDescription>;
  /** Leader, replicas and ISR of every partition of the topics (all topics when omitted). */
  partitionHealth(topics?: readonly string[]): Promise<ClusterPartitionHealth>;
  /**
   * The newest `count` records of a topic across its partitions, read without touching any
   * existing consumer group's offsets. Rejects with kind "not-found" for a missing topic.
   */
  sampleNewest(topic: string, count: number, options?: SampleOptions): Promise<RecordSample>;
  /**
   * Writes one unique record to `topic` and reads it back: the "can we produce and consume?"
   * check. Never rejects: a failure is a result saying where it stopped.
   */
  roundTrip(topic: string, timeoutMs: number): Promise<RoundTripResult>;
  /**
   * What resetting `group`'s offsets on `topic` to `fromTimestampMs` would do, per partition, with
   * the group's state and member count. Reads only. Rejects with kind "not-found" for a missing topic.
   */
  planOffsetReset(group: string, topic: string, fromTimestampMs: number): Promise<OffsetResetPlan>;
  /**
   * Commits `offsets` as `group`'s positions on `topic` (other partitions keep theirs). Rejects with
   * KafkaGroupActiveError when the group has members or is rebalancing (checked before writing),
   * and with kind "failed" for an offset outside a partition's log.
   */
  resetOffsets(group: string, topic: string, offsets: readonly PartitionOffset[]): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
