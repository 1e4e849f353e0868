/**
 * What every KafkaPort must do, whoever answers: run by kafka.contract.test.ts against the kafkajs
 * adapter on the real broker and against the sandbox's simulated Kafka, so the sandbox cannot
 * drift from what a real cluster returns. Healthy-cluster behaviour only; broker-down behaviour of
 * the real adapter is shown on a real 3-node cluster in test/integration/kafka-cluster.test.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  KafkaError,
  KafkaGroupActiveError,
  type KafkaPort,
  type PartitionOffset,
} from "../../src/ports/kafka.ts";

/** What the offset-reset cases need to set up, done the way each side can (a real client, or the simulation's hooks). */
export interface OffsetResetSetup {
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Appends records with these timestamps to one partition, in order. */
  produce(topic: string, partition: number, timestampsMs: readonly number[]): Promise<void>;
  /** Commits offsets for a group that has no member (what a stopped consumer leaves behind). */
  commit(group: string, topic: string, offsets: readonly PartitionOffset[]): Promise<void>;
  /**
   * A consumer joins `group` (subscribed to another topic, so it commits nothing on the tested one)
   * and is an active member when this resolves; the returned function makes it leave.
   */
  joinGroup(group: string): Promise<() => Promise<void>>;
}

export interface KafkaContractSubject {
  readonly port: KafkaPort;
  /** A topic with several partitions holding at least 5 records with JSON values longer than 40 characters. */
  readonly sampleTopic: string;
  /** A consumer group with committed offsets on sampleTopic. */
  readonly group: string;
  /** A topic the round trip may write to. */
  readonly testTopic: string;
  /** A topic that does not exist. */
  readonly missingTopic: string;
  readonly resets: OffsetResetSetup;
  close(): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

export function kafkaContract(name: string, makeSubject: () => Promise<KafkaContractSubject>): void {
  describe(`KafkaPort contract: ${name}`, () => {
    let s: KafkaContractSubject;
    beforeAll(async () => {
      s = await makeSubject();
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it("describeCluster: live brokers sorted by id, controller among them, the expected count passed through", async () => {
      const cluster = await s.port.describeCluster({ expectedBrokers: 3 });
      expect(cluster.clusterId).toMatch(/\S/);
      expect(cluster.brokers.length).toBeGreaterThan(0);
      const ids = cluster.brokers.map((b) => b.id);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
      for (const broker of cluster.brokers) {
        expect(Number.isInteger(broker.id)).toBe(true);
        expect(broker.host).toMatch(/\S/);
        expect(broker.port).toBeGreaterThan(0);
        expect(broker.port).toBeLessThan(65_536);
      }
      expect(cluster.controllerId === null || ids.includes(cluster.controllerId)).toBe(true);
      expect(cluster.expectedBrokers).toBe(3);
      expect(cluster.missingBrokerIds).toEqual([]);
    });

    it("partitionHealth: every partition of the topic, sorted, consistent flags and totals", async () => {
      const health = await s.port.partitionHealth([s.sampleTopic]);
      expect(health.partitions.length).toBeGreaterThan(1);
      expect(health.partitions.map((p) => p.partition)).toEqual(health.partitions.map((_, i) => i));
      for (const p of health.partitions) {
        expect(p.topic).toBe(s.sampleTopic);
        expect(p.replicas.length).toBeGreaterThan(0);
        for (const id of p.isr) expect(p.replicas).toContain(id);
        expect(p.offline).toBe(p.leader === null);
        expect(p.underReplicated).toBe(p.leader !== null && p.isr.length < p.replicas.length);
        // A healthy cluster.
        expect(p.leader === null ? null : p.isr).toContain(p.leader);
        expect(p.underReplicated || p.offline).toBe(false);
        expect(p.offlineReplicas).toEqual([]);
      }
      expect(health.totals).toEqual({
        topics: 1,
        partitions: health.partitions.length,
        underReplicated: 0,
        offline: 0,
      });

      const all = await s.port.partitionHealth();
      expect(all.partitions.filter((p) => p.topic === s.sampleTopic)).toEqual(health.partitions);
      expect(all.totals.partitions).toBe(all.partitions.length);
      expect(all.totals.topics).toBe(new Set(all.partitions.map((p) => p.topic)).size);
      const keys = all.partitions.map((p) => `${p.topic}\u0000${String(p.partition).padStart(6, "0")}`);
      expect(keys).toEqual([...keys].sort());
    });

    it("partitionHealth and sampleNewest reject a missing topic with kind not-found, naming it", async () => {
      for (const call of [
        () => s.port.partitionHealth([s.missingTopic]),
        () => s.port.sampleNewest(s.missingTopic, 3),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(KafkaError);
        expect((error as KafkaError).kind).toBe("not-found");
        expect((error as KafkaError).message).toContain(`topic ${s.missingTopic} does not exist`);
      }
    });

    it("groupLag: committed vs log end per partition of the group", async () => {
      const lag = await s.port.groupLag(s.group, [s.sampleTopic]);
      expect(lag.group).toBe(s.group);
      expect(lag.partitions.length).toBeGreaterThan(0);
      for (const p of lag.partitions) {
        expect(p.topic).toBe(s.sampleTopic);
        expect(p.committedOffset).not.toBeNull();
        expect(p.lag).toBe(Math.max(0, p.logEndOffset - (p.committedOffset ?? 0)));
      }
      expect(lag.totalLag).toBe(lag.partitions.reduce((a, p) => a + p.lag, 0));
    });

    it("sampleNewest: at most N records, newest first, values bounded and marked when cut", async () => {
      const [health, lag] = await Promise.all([
        s.port.partitionHealth([s.sampleTopic]),
        s.port.groupLag(s.group, [s.sampleTopic]),
      ]);
      const sample = await s.port.sampleNewest(s.sampleTopic, 5, { maxValueChars: 40 });
      const lagAfter = await s.port.groupLag(s.group, [s.sampleTopic]);
      expect(sample.topic).toBe(s.sampleTopic);
      expect(sample.complete).toBe(true);
      expect(sample.records).toHaveLength(5);
      const times = sample.records.map((r) => r.timestamp);
      expect([...times].sort().reverse()).toEqual(times);
      for (const r of sample.records) {
        expect(new Date(r.timestamp).toISOString()).toBe(r.timestamp);
        expect(r.partition).toBeLessThan(health.partitions.length);
        // The newest 5 overall are among the last 5 of their partition.
        const endBefore = lag.partitions.find((p) => p.partition === r.partition)?.logEndOffset ?? 0;
        const endAfter = lagAfter.partitions.find((p) => p.partition === r.partition)?.logEndOffset ?? 0;
        expect(r.offset).toBeGreaterThanOrEqual(endBefore - 5);
        expect(r.offset).toBeLessThan(endAfter);
        expect(r.value).not.toBeNull();
        expect(r.valueBytes).toBeGreaterThan(40);
        expect(r.truncated).toBe(true);
        expect(r.value).toHaveLength(41);
        expect(r.value?.endsWith("…")).toBe(true);
        expect(r.value?.startsWith("{")).toBe(true);
        for (const value of Object.values(r.headers)) expect(typeof value).toBe("string");
      }
      const whole = await s.port.sampleNewest(s.sampleTopic, 1);
      const record = whole.records[0];
      expect(record?.truncated).toBe(false);
      expect(() => JSON.parse(record?.value ?? "")).not.toThrow();
      expect(Buffer.byteLength(record?.value ?? "", "utf8")).toBe(record?.valueBytes);
    });

    it("sampleNewest rejects a sample size out of bounds", async () => {
      await expect(s.port.sampleNewest(s.sampleTopic, 0)).rejects.toThrow(/sample size/);
      await expect(s.port.sampleNewest(s.sampleTopic, 501)).rejects.toThrow(/sample size/);
    });

    it("roundTrip: ok with both latencies on the test topic; fails at produce on a missing topic", async () => {
      const ok = await s.port.roundTrip(s.testTopic, 30_000);
      expect(ok).toMatchObject({ ok: true, topic: s.testTopic });
      if (!ok.ok) throw new Error(ok.reason);
      expect(ok.partition).toBeGreaterThanOrEqual(0);
      expect(ok.offset).toBeGreaterThanOrEqual(0);
      expect(ok.produceMs).toBeGreaterThanOrEqual(0);
      expect(ok.consumeMs).toBeGreaterThanOrEqual(0);

      const missing = await s.port.roundTrip(s.missingTopic, 10_000);
      expect(missing).toMatchObject({
        ok: false,
        topic: s.missingTopic,
        failedAt: "produce",
        reason: `topic ${s.missingTopic} does not exist`,
        timedOut: false,
      });
      if (missing.ok) throw new Error("unreachable");
      expect(missing.elapsedMs).toBeLessThanOrEqual(10_000);
    });

    describe("offset resets", () => {
      const id = randomUUID().slice(0, 8);
      const topic = `contract-reprocess-${id}`;
      const group = `contract-reprocess-group-${id}`;
      const base = Date.parse("2025-01-13T10:00:00.000Z");
      const at = (seconds: number) => base + seconds * 1000;
      beforeAll(async () => {
        await s.resets.createTopic(topic, 3);
        // p0: one record a second (0..9 s); p1: one every two seconds (0, 2, ..., 10 s); p2: empty.
        await s.resets.produce(
          topic,
          0,
          Array.from({ length: 10 }, (_, i) => at(i)),
        );
        await s.resets.produce(
          topic,
          1,
          Array.from({ length: 6 }, (_, i) => at(i * 2)),
        );
        await s.resets.commit(group, topic, [
          { partition: 0, offset: 8 },
          { partition: 1, offset: 2 },
        ]);
      }, 60_000);

      it("planOffsetReset: per partition the committed offset, the first offset at or after the time, the log bounds and the records to re-read", async () => {
        const plan = await s.port.planOffsetReset(group, topic, at(5));
        expect(plan).toEqual({
          group,
          topic,
          fromTimestampMs: at(5),
          state: "Empty",
          members: 0,
          partitions: [
            {
              partition: 0,
              committedOffset: 8,
              targetOffset: 5,
              logStartOffset: 0,
              logEndOffset: 10,
              recordsToReread: 3,
            },
            // The group is not that far yet: nothing to read again.
            {
              partition: 1,
              committedOffset: 2,
              targetOffset: 3,
              logStartOffset: 0,
              logEndOffset: 6,
              recordsToReread: 0,
            },
            // Nothing committed, no record: the log end.
            {
              partition: 2,
              committedOffset: null,
              targetOffset: 0,
              logStartOffset: 0,
              logEndOffset: 0,
              recordsToReread: 0,
            },
          ],
        });
        // A time between two records: the later one. After every record: the log end. Before all: the first.
        const between = await s.port.planOffsetReset(group, topic, at(4.5));
        expect(between.partitions.map((p) => p.targetOffset)).toEqual([5, 3, 0]);
        const after = await s.port.planOffsetReset(group, topic, at(3600));
        expect(after.partitions.map((p) => p.targetOffset)).toEqual([10, 6, 0]);
        const before = await s.port.planOffsetReset(group, topic, at(-3600));
        expect(before.partitions.map((p) => [p.targetOffset, p.recordsToReread])).toEqual([
          [0, 8],
          [0, 2],
          [0, 0],
        ]);
        const unknown = await s.port.planOffsetReset(`${group}-never`, topic, at(5));
        expect([unknown.state, unknown.members]).toEqual(["Dead", 0]);
        expect(unknown.partitions.map((p) => p.committedOffset)).toEqual([null, null, null]);
      });

      it("planOffsetReset rejects a missing topic with kind not-found", async () => {
        const error = await rejection(s.port.planOffsetReset(group, s.missingTopic, at(5)));
        expect(error).toBeInstanceOf(KafkaError);
        expect((error as KafkaError).kind).toBe("not-found");
        expect((error as KafkaError).message).toContain(`topic ${s.missingTopic} does not exist`);
      });

      it("resetOffsets refuses with KafkaGroupActiveError while a consumer is a member, and writes nothing", async () => {
        const leave = await s.resets.joinGroup(group);
        try {
          const plan = await s.port.planOffsetReset(group, topic, at(5));
          expect(plan.members).toBe(1);
          expect(plan.state).toBe("Stable");
          const error = await rejection(s.port.resetOffsets(group, topic, [{ partition: 0, offset: 5 }]));
          expect(error).toBeInstanceOf(KafkaGroupActiveError);
          expect(error).toMatchObject({ kind: "group-active", group, state: "Stable", members: 1 });
          expect((error as Error).message).toBe(
            `consumer group ${group} has 1 active member (state Stable): offsets can only be reset while no consumer is in the group`,
          );
        } finally {
          await leave();
        }
        const lag = await s.port.groupLag(group, [topic]);
        expect(lag.partitions.map((p) => p.committedOffset)).toEqual([8, 2, null]);
      });

      it("resetOffsets rejects an offset outside a partition's log, naming it, and writes nothing", async () => {
        const error = await rejection(
          s.port.resetOffsets(group, topic, [
            { partition: 0, offset: 5 },
            { partition: 1, offset: 7 },
          ]),
        );
        expect(error).toBeInstanceOf(KafkaError);
        expect((error as KafkaError).kind).toBe("failed");
        expect((error as KafkaError).message).toContain(`${topic} p1: offset 7 is outside its log (0 to 6)`);
        const lag = await s.port.groupLag(group, [topic]);
        expect(lag.partitions.map((p) => p.committedOffset)).toEqual([8, 2, null]);
      });

      it("resetOffsets commits exactly the given offsets once the group is empty; the other partitions keep theirs", async () => {
        await s.port.resetOffsets(group, topic, [
          { partition: 0, offset: 5 },
          { partition: 2, offset: 0 },
        ]);
        const lag = await s.port.groupLag(group, [topic]);
        expect(lag.state).toBe("Empty");
        expect(lag.members).toBe(0);
        expect(lag.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag])).toEqual([
          [0, 5, 10, 5],
          [1, 2, 6, 4],
          [2, 0, 0, 0],
        ]);
        const plan = await s.port.planOffsetReset(group, topic, at(5));
        expect(plan.partitions.map((p) => [p.committedOffset, p.recordsToReread])).toEqual([
          [5, 0],
          [2, 0],
          [0, 0],
        ]);
      });
    });
  });
}
