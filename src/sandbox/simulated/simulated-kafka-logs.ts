/**
 * Topics, consumer groups and committed offsets of the simulated Kafka beyond the consumer-lag
 * story's orders.raw: records are timestamps at offsets, groups have members and committed
 * offsets. Answers as a real broker does (checked by test/contract/kafka.contract.ts): the offset
 * for a time is the first record at or after it (the log end when none is), a group is Empty when
 * it has committed offsets and no member, Dead when it has neither, Stable while members are in it.
 */
import type { PartitionOffset } from "../../ports/kafka.ts";

export interface GroupActivity {
  readonly state: string;
  readonly members: number;
}

export class SimulatedKafkaLogs {
  /** topic -> partition -> record timestamps (the offset is the index). */
  private readonly topics = new Map<string, number[][]>();
  /** group -> "topic/partition" -> committed offset. */
  private readonly commits = new Map<string, Map<string, number>>();
  /** group -> active members. */
  private readonly members = new Map<string, number>();

  createTopic(name: string, partitions: number): void {
    if (this.topics.has(name)) throw new Error(`topic ${name} already exists`);
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error("a topic needs 1 or more partitions");
    this.topics.set(
      name,
      Array.from({ length: partitions }, () => []),
    );
  }

  names(): string[] {
    return [...this.topics.keys()];
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.length;
  }

  /** Appends records with these timestamps; returns their offsets. */
  append(topic: string, partition: number, timestampsMs: readonly number[]): number[] {
    const log = this.log(topic, partition);
    return timestampsMs.map((t) => log.push(t) - 1);
  }

  logEnd(topic: string, partition: number): number {
    return this.log(topic, partition).length;
  }

  /** The first offset whose record is at or after the time; the log end when none is. */
  offsetAtTime(topic: string, partition: number, timestampMs: number): number {
    const log = this.log(topic, partition);
    const index = log.findIndex((t) => t >= timestampMs);
    return index === -1 ? log.length : index;
  }

  committed(group: string, topic: string, partition: number): number | null {
    return this.commits.get(group)?.get(`${topic}/${partition}`) ?? null;
  }

  /** Topics the group committed on, sorted. */
  committedTopics(group: string): string[] {
    const keys = [...(this.commits.get(group)?.keys() ?? [])];
    return [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf("/"))))].sort();
  }

  /**
   * A consumer (or the admin client) commits: no membership check, as the coordinator allows a
   * member's commit. The caller checked the topic and partitions (the story's topic is not here).
   */
  commit(group: string, topic: string, offsets: readonly PartitionOffset[]): void {
    const byKey = this.commits.get(group) ?? new Map<string, number>();
    for (const o of offsets) {
      byKey.set(`${topic}/${o.partition}`, o.offset);
    }
    this.commits.set(group, byKey);
  }

  knowsGroup(group: string): boolean {
    return this.commits.has(group) || (this.members.get(group) ?? 0) > 0;
  }

  activity(group: string): GroupActivity {
    const members = this.members.get(group) ?? 0;
    if (members > 0) return { state: "Stable", members };
    return { state: this.commits.has(group) ? "Empty" : "Dead", members: 0 };
  }

  /** A consumer joins the group; the returned function makes it leave. */
  join(group: string): () => void {
    this.members.set(group, (this.members.get(group) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.members.set(group, Math.max(0, (this.members.get(group) ?? 1) - 1));
    };
  }

  private log(topic: string, partition: number): number[] {
    const log = this.topics.get(topic)?.[partition];
    if (log === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
    return log;
  }
}
