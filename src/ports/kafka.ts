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

export interface KafkaPort {
  /** Where the port points (shown in findings, e.g. "b1:9092,b2:9092"). Never includes credentials. */
  readonly describeTarget: string;
  /**
   * Lag of a consumer group on the given topics (all topics the group committed on when omitted).
   * Rejects when the cluster cannot be reached.
   */
  groupLag(group: string, topics?: readonly string[]): Promise<GroupLag>;
  /** Releases connections. */
  close(): Promise<void>;
}
