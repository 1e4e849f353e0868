/**
 * Kafka in the sandbox: a 3-broker cluster (like the seed's MSK cluster) carrying the
 * consumer-lag scenario's topic and group. All brokers are alive by default; markBrokerDown()
 * tells the kafka-broker-down story. It behaves as the real cluster test showed a real one does
 * (test/integration/kafka-cluster.test.ts): with one of three brokers down, the partitions it held
 * lose it from their ISR (under-replicated), leadership moves to a surviving replica, and a
 * produce with acks=all still succeeds (min.insync.replicas=2); with two down, writes to the
 * replication-factor-3 topics fail (not enough in-sync replicas).
 */
import {
  type BrokerNode,
  type ClusterDescription,
  type ClusterPartitionHealth,
  type GroupLag,
  KafkaError,
  KafkaGroupActiveError,
  type KafkaPort,
  type OffsetResetPartition,
  type OffsetResetPlan,
  type PartitionHealth,
  type PartitionLag,
  type PartitionOffset,
  RESETTABLE_GROUP_STATES,
  type RecordSample,
  type RoundTripResult,
  type SampledRecord,
  type SampleOptions,
} from "../../ports/kafka.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";
import { type GroupActivity, SimulatedKafkaLogs } from "./simulated-kafka-logs.ts";

const BROKER_IDS = [1, 2, 3] as const;
const MIN_INSYNC_REPLICAS = 2;
const DEFAULT_MAX_VALUE_CHARS = 1000;

export interface SimulatedKafkaOptions {
  /** Clock for record timestamps; default Date.now. */
  readonly now?: () => number;
  /** The round-trip check's topic; default "runbook-bot.healthcheck". */
  readonly testTopic?: string;
}

interface SimulatedTopic {
  readonly name: string;
  readonly partitions: number;
}

export class SimulatedKafka implements KafkaPort {
  readonly describeTarget = "simulated Kafka (sandbox)";
  readonly clusterId = "sandbox-OrderProcessing-7fYq2w";
  /** Brokers marked down, each with what brings it back (undefined: only markBrokerUp). */
  private readonly downUntil = new Map<number, (() => boolean) | undefined>();
  private readonly now: () => number;
  private readonly testTopic: string;
  /** Topics and groups beyond the story's (tests and drills create them). */
  private readonly logs = new SimulatedKafkaLogs();

  constructor(
    private readonly scenario: ConsumerLagScenario,
    options: SimulatedKafkaOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.testTopic = options.testTopic ?? "runbook-bot.healthcheck";
  }

  /**
   * The broker-down story: the broker stops answering (its replicas drop out of every ISR), until
   * markBrokerUp, or until `backWhen` says it is back (e.g. the simulated MSK finished rebooting it).
   */
  markBrokerDown(id: number, backWhen?: () => boolean): void {
    if (!BROKER_IDS.includes(id as 1 | 2 | 3)) throw new Error(`no broker ${id} (brokers are 1, 2, 3)`);
    this.downUntil.set(id, backWhen);
  }

  /** The broker is back and caught up. */
  markBrokerUp(id: number): void {
    this.downUntil.delete(id);
  }

  /** The brokers down now: a set, read once per call. */
  private get down(): ReadonlySet<number> {
    for (const [id, backWhen] of this.downUntil) if (backWhen?.() === true) this.downUntil.delete(id);
    return new Set(this.downUntil.keys());
  }

  /** A topic with records to be added by produce() (the story's topics exist already). */
  createTopic(name: string, partitions: number): void {
    if (this.topics().some((t) => t.name === name)) throw new Error(`topic ${name} already exists`);
    this.logs.createTopic(name, partitions);
  }

  /** Appends records with these timestamps to a partition of a created topic; returns their offsets. */
  produce(topic: string, partition: number, timestampsMs: readonly number[]): number[] {
    return this.logs.append(topic, partition, timestampsMs);
  }

  /** What a consumer of the group committing these offsets leaves behind. */
  commitOffsets(group: string, topic: string, offsets: readonly PartitionOffset[]): void {
    if (group === this.scenario.group && topic === this.scenario.topic) {
      throw new Error(`the story's job commits ${group}'s offsets on ${topic} itself`);
    }
    const known = this.requireTopic(topic);
    for (const o of offsets) {
      if (o.partition < 0 || o.partition >= known.partitions) {
        throw new Error(`topic ${topic} has no partition ${o.partition}`);
      }
    }
    this.logs.commit(group, topic, offsets);
  }

  /** A consumer joins the group (an active member until the returned function is called). */
  joinGroup(group: string): () => void {
    return this.logs.join(group);
  }

  async groupLag(group: string, topics?: readonly string[]): Promise<GroupLag> {
    if (group !== this.scenario.group && this.logs.knowsGroup(group))
      return this.createdGroupLag(group, topics);
    const known = group === this.scenario.group;
    const wanted = topics === undefined || topics.includes(this.scenario.topic);
    for (const topic of topics ?? []) this.requireTopic(topic);
    const partitions =
      known && wanted
        ? this.scenario.partitionState().map((p) => ({
            topic: this.scenario.topic,
            partition: p.partition,
            committedOffset: p.committed,
            logEndOffset: p.logEnd,
            lag: p.lag,
          }))
        : [];
    return {
      group,
      state: known ? "Stable" : "Dead",
      members: known ? this.scenario.taskmanagers : 0,
      partitions,
      totalLag: partitions.reduce((a, p) => a + p.lag, 0),
    };
  }

  async describeCluster(options?: { readonly expectedBrokers?: number }): Promise<ClusterDescription> {
    const brokers: BrokerNode[] = BROKER_IDS.filter((id) => !this.down.has(id)).map((id) => ({
      id,
      host: `b-${id}.orderprocessing.sandbox.kafka.us-east-1.amazonaws.com`,
      port: 9092,
    }));
    return {
      clusterId: this.clusterId,
      controllerId: brokers[0]?.id ?? null,
      brokers,
      expectedBrokers: options?.expectedBrokers ?? BROKER_IDS.length,
      missingBrokerIds: [...this.down].sort((a, b) => a - b),
    };
  }

  async partitionHealth(topics?: readonly string[]): Promise<ClusterPartitionHealth> {
    const selected =
      topics === undefined ? this.topics() : [...new Set(topics)].sort().map((t) => this.requireTopic(t));
    const partitions = selected.flatMap((topic) =>
      Array.from({ length: topic.partitions }, (_, p) => this.partition(topic.name, p)),
    );
    return {
      partitions,
      totals: {
        topics: selected.length,
        partitions: partitions.length,
        underReplicated: partitions.filter((p) => p.underReplicated).length,
        offline: partitions.filter((p) => p.offline).length,
      },
    };
  }

  async sampleNewest(topic: string, count: number, options?: SampleOptions): Promise<RecordSample> {
    const known = this.requireTopic(topic);
    if (!Number.isInteger(count) || count < 1 || count > 500) {
      throw new KafkaError("failed", `sample size must be a whole number from 1 to 500, not ${count}`);
    }
    const maxChars = options?.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
    if (known.name !== this.scenario.topic) return { topic, records: [], complete: true };
    const at = this.now();
    const state = this.scenario.partitionState(at);
    const total = state.reduce((a, s) => a + s.logEnd, 0);
    const records: SampledRecord[] = [];
    for (const s of state) {
      // Arrival rate of this partition, from its share of the log.
      const perSecond = Math.max(1, (this.scenario.arrivalPerSecond * s.logEnd) / total);
      for (let offset = s.logEnd - 1; offset >= Math.max(0, s.logEnd - count); offset--) {
        const timestamp = at - Math.round(((s.logEnd - 1 - offset) * 1000) / perSecond);
        records.push(orderRecord(s.partition, offset, timestamp, maxChars));
      }
    }
    records.sort((a, b) =>
      a.timestamp === b.timestamp ? b.offset - a.offset : a.timestamp < b.timestamp ? 1 : -1,
    );
    return { topic, records: records.slice(0, count), complete: true };
  }

  async roundTrip(topic: string, timeoutMs: number): Promise<RoundTripResult> {
    if (!this.topics().some((t) => t.name === topic)) {
      return {
        ok: false,
        topic,
        failedAt: "produce",
        reason: `topic ${topic} does not exist`,
        timedOut: false,
        elapsedMs: 4,
      };
    }
    const partition = this.partition(topic, 0);
    if (partition.offline || partition.isr.length < MIN_INSYNC_REPLICAS) {
      // The producer retries NOT_ENOUGH_REPLICAS until its deadline.
      return {
        ok: false,
        topic,
        failedAt: "produce",
        reason: `no acknowledgement within ${timeoutMs} ms`,
        timedOut: true,
        elapsedMs: timeoutMs,
      };
    }
    // A leader that just moved answers a little slower.
    const degraded = this.down.size > 0;
    return {
      ok: true,
      topic,
      partition: 0,
      offset: 1_000 + (Math.floor(this.now() / 60_000) % 100_000),
      produceMs: degraded ? 41 : 12,
      consumeMs: degraded ? 3_180 : 3_090,
    };
  }

  async planOffsetReset(group: string, topic: string, fromTimestampMs: number): Promise<OffsetResetPlan> {
    const known = this.requireTopic(topic);
    const activity = this.activity(group);
    const partitions: OffsetResetPartition[] = Array.from({ length: known.partitions }, (_, p) => {
      const { logStart, logEnd } = this.bounds(topic, p);
      const committedOffset = this.committed(group, topic, p);
      const targetOffset = this.offsetAtTime(topic, p, fromTimestampMs);
      return {
        partition: p,
        committedOffset,
        targetOffset,
        logStartOffset: logStart,
        logEndOffset: logEnd,
        recordsToReread: committedOffset === null ? 0 : Math.max(0, committedOffset - targetOffset),
      };
    });
    return { group, topic, fromTimestampMs, ...activity, partitions };
  }

  async resetOffsets(group: string, topic: string, offsets: readonly PartitionOffset[]): Promise<void> {
    const known = this.requireTopic(topic);
    if (offsets.length === 0) throw new KafkaError("failed", `no partition of ${topic} to reset`);
    const problems: string[] = [];
    const seen = new Set<number>();
    for (const o of offsets) {
      if (seen.has(o.partition)) problems.push(`${topic} p${o.partition} is given twice`);
      seen.add(o.partition);
      if (o.partition < 0 || o.partition >= known.partitions) {
        problems.push(`${topic} has no partition ${o.partition}`);
        continue;
      }
      const { logStart, logEnd } = this.bounds(topic, o.partition);
      if (!Number.isInteger(o.offset) || o.offset < logStart || o.offset > logEnd) {
        problems.push(
          `${topic} p${o.partition}: offset ${o.offset} is outside its log (${logStart} to ${logEnd})`,
        );
      }
    }
    if (problems.length > 0)
      throw new KafkaError("failed", `Kafka at ${this.describeTarget}: ${problems.join("; ")}`);
    const activity = this.activity(group);
    if (activity.members > 0 || !RESETTABLE_GROUP_STATES.includes(activity.state)) {
      throw new KafkaGroupActiveError(group, activity.state, activity.members);
    }
    this.logs.commit(group, topic, offsets);
  }

  async close(): Promise<void> {}

  private activity(group: string): GroupActivity {
    return group === this.scenario.group
      ? { state: "Stable", members: this.scenario.taskmanagers }
      : this.logs.activity(group);
  }

  private isStoryLog(group: string, topic: string): boolean {
    return group === this.scenario.group && topic === this.scenario.topic;
  }

  private committed(group: string, topic: string, partition: number): number | null {
    if (this.isStoryLog(group, topic)) return this.storyPartition(partition).committed;
    return this.logs.committed(group, topic, partition);
  }

  private storyPartition(partition: number) {
    const state = this.scenario.partitionState(this.now()).find((s) => s.partition === partition);
    if (state === undefined) throw new Error(`${this.scenario.topic} has no partition ${partition}`);
    return state;
  }

  /** Offsets a partition holds: the story's topic from 0, created topics as produced, the others empty. */
  private bounds(topic: string, partition: number): { logStart: number; logEnd: number } {
    if (topic === this.scenario.topic) return { logStart: 0, logEnd: this.storyPartition(partition).logEnd };
    if (this.logs.partitionCount(topic) !== undefined)
      return { logStart: 0, logEnd: this.logs.logEnd(topic, partition) };
    return { logStart: 0, logEnd: 0 };
  }

  /**
   * The first offset at or after the time. The story's records arrive evenly at the partition's
   * share of the arrival rate, the newest one now (as sampleNewest shows them).
   */
  private offsetAtTime(topic: string, partition: number, timestampMs: number): number {
    if (this.logs.partitionCount(topic) !== undefined)
      return this.logs.offsetAtTime(topic, partition, timestampMs);
    const { logEnd } = this.bounds(topic, partition);
    if (topic !== this.scenario.topic || logEnd === 0) return logEnd;
    const at = this.now();
    if (timestampMs > at) return logEnd;
    const state = this.scenario.partitionState(at);
    const total = state.reduce((a, s) => a + s.logEnd, 0);
    const perSecond = Math.max(1, (this.scenario.arrivalPerSecond * logEnd) / total);
    const back = Math.floor(((at - timestampMs) * perSecond) / 1000);
    return Math.max(0, logEnd - 1 - back);
  }

  private createdGroupLag(group: string, topics?: readonly string[]): GroupLag {
    const names = topics === undefined ? this.logs.committedTopics(group) : [...new Set(topics)].sort();
    const partitions: PartitionLag[] = names.flatMap((topic) => {
      const known = this.requireTopic(topic);
      return Array.from({ length: known.partitions }, (_, p) => {
        const { logStart, logEnd } = this.bounds(topic, p);
        const committedOffset = this.committed(group, topic, p);
        const lag = committedOffset === null ? logEnd - logStart : logEnd - committedOffset;
        return { topic, partition: p, committedOffset, logEndOffset: logEnd, lag: Math.max(0, lag) };
      });
    });
    return {
      group,
      ...this.logs.activity(group),
      partitions,
      totalLag: partitions.reduce((a, p) => a + p.lag, 0),
    };
  }

  private topics(): SimulatedTopic[] {
    return [
      { name: "__consumer_offsets", partitions: 3 },
      { name: "orders.dlq", partitions: 3 },
      { name: this.scenario.topic, partitions: this.scenario.partitions },
      { name: this.testTopic, partitions: 1 },
      ...this.logs.names().map((name) => ({ name, partitions: this.logs.partitionCount(name) ?? 0 })),
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private requireTopic(name: string): SimulatedTopic {
    const topic = this.topics().find((t) => t.name === name);
    if (!topic)
      throw new KafkaError("not-found", `Kafka at ${this.describeTarget}: topic ${name} does not exist`);
    return topic;
  }

  /** Replication factor 3, replicas rotated per partition; down brokers leave the ISR. */
  private partition(topic: string, partition: number): PartitionHealth {
    const seed = [...topic].reduce((a, c) => a + c.charCodeAt(0), 0);
    const replicas = BROKER_IDS.map((_, i) => BROKER_IDS[(seed + partition + i) % BROKER_IDS.length]!);
    const isr = replicas.filter((id) => !this.down.has(id));
    const leader = isr[0] ?? null;
    return {
      topic,
      partition,
      leader,
      replicas,
      isr,
      offlineReplicas: replicas.filter((id) => this.down.has(id)),
      underReplicated: leader !== null && isr.length < replicas.length,
      offline: leader === null,
    };
  }
}

const CUSTOMERS = 48_211;
const SKUS = ["SKU-1042", "SKU-2210", "SKU-3307", "SKU-4485", "SKU-5119", "SKU-6630", "SKU-7781"];

/** A plausible orders.raw record, deterministic for its partition and offset. */
function orderRecord(partition: number, offset: number, timestamp: number, maxChars: number): SampledRecord {
  const n = hash(partition * 1_000_003 + offset);
  const customer = `cust-${String(n % CUSTOMERS).padStart(6, "0")}`;
  const items = 1 + (n % 3);
  const lines = Array.from({ length: items }, (_, i) => {
    const sku = SKUS[(n >>> (i * 3)) % SKUS.length]!;
    const quantity = 1 + ((n >>> (i * 5)) % 4);
    const unitPrice = (499 + ((n >>> (i * 7)) % 9500)) / 100;
    return { sku, quantity, unit_price: unitPrice };
  });
  const total = lines.reduce((a, l) => a + l.quantity * l.unit_price, 0);
  const value = JSON.stringify({
    order_id: `ord-${partition}-${offset}`,
    customer_id: customer,
    created_at: new Date(timestamp).toISOString(),
    currency: "USD",
    total_amount: Math.round(total * 100) / 100,
    items: lines,
    channel: n % 5 === 0 ? "mobile" : "web",
  });
  const cut = value.length > maxChars;
  return {
    partition,
    offset,
    timestamp: new Date(timestamp).toISOString(),
    key: customer.length > maxChars ? `${customer.slice(0, maxChars)}…` : customer,
    value: cut ? `${value.slice(0, maxChars)}…` : value,
    valueBytes: Buffer.byteLength(value, "utf8"),
    truncated: cut || customer.length > maxChars,
    headers: { source: "checkout-service", "content-type": "application/json" },
  };
}

function hash(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
