/**
 * What every KafkaPort must do, whoever answers: run by kafka.contract.test.ts against the kafkajs
 * adapter on the real broker and against the sandbox's simulated Kafka, so the sandbox cannot
 * drift from what a real cluster returns. Healthy-cluster behaviour only; broker-down behaviour of
 * the real adapter is shown on a real 3-node cluster in test/integration/kafka-cluster.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaError, type KafkaPort } from "../../src/ports/kafka.ts";

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
  });
}
