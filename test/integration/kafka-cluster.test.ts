/**
 * Replication and a broker going down, for real: a 3-node KRaft cluster (3 JVMs, combined
 * broker+controller roles, -Xmx256m each) started by this file once (~30 s on a 2-core machine),
 * separate from the global single broker. One broker is stopped (a controlled shutdown, as a
 * reboot does), the ISRs shrink, a replication-factor-1 partition on it goes offline; then it
 * comes back and the cluster recovers. Every wait polls the cluster's metadata; no fixed sleeps.
 */
import { randomUUID } from "node:crypto";
import { type Admin, Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkajsKafka } from "../../src/adapters/kafka/kafkajs-kafka.ts";
import type { ClusterPartitionHealth, KafkaPort } from "../../src/ports/kafka.ts";
import { type KafkaClusterPeer, startKafkaCluster } from "../peers/kafka-peer.ts";

const ORDERS = "orders.raw";
const HEALTHCHECK = "runbook-bot.healthcheck";
const LONELY = "single-replica"; // replication factor 1, on node 3
const GROUP = "order-processor";
const scratchPrefix = `scratch-${randomUUID().slice(0, 8)}`;

let cluster: KafkaClusterPeer;
let kafka: Kafka;
let admin: Admin;
let port: KafkaPort;

/** Polls `read` until `done` holds (errors while the cluster settles count as not yet). */
async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = "nothing read yet";
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

function counts(health: ClusterPartitionHealth) {
  return { under: health.totals.underReplicated, offline: health.totals.offline };
}

beforeAll(async () => {
  cluster = await startKafkaCluster({ nodes: 3 });
  kafka = new Kafka({
    brokers: cluster.brokers.split(","),
    clientId: "kafka-cluster-test",
    logLevel: logLevel.NOTHING,
    retry: { retries: 8 },
  });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: ORDERS, numPartitions: 3, replicationFactor: 3 },
      { topic: HEALTHCHECK, numPartitions: 1, replicationFactor: 3 },
      { topic: LONELY, replicaAssignment: [{ partition: 0, replicas: [3] }] },
    ],
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (const partition of [0, 1, 2]) {
    await producer.send({
      topic: ORDERS,
      acks: -1,
      messages: Array.from({ length: 4 }, (_, i) => ({
        partition,
        key: `cust-${partition}${i}`,
        value: JSON.stringify({ order_id: `ord-${partition}-${i}` }),
      })),
    });
  }
  await producer.disconnect();
  await admin.setOffsets({
    groupId: GROUP,
    topic: ORDERS,
    partitions: [0, 1, 2].map((p) => ({ partition: p, offset: "1" })),
  });
  port = createKafkajsKafka({
    brokers: cluster.brokers.split(","),
    clientId: "runbook-bot-cluster-test",
    expectedBrokers: 3,
    connectionTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    scratchGroupPrefix: scratchPrefix,
  });
}, 240_000);

afterAll(async () => {
  await port?.close();
  await admin?.disconnect().catch(() => {});
  await cluster?.stop();
}, 60_000);

// One story, in order: healthy -> broker 3 down -> broker 3 back -> a partition leader stopped and back.
describe.sequential("a 3-broker KRaft cluster losing and regaining a broker", { timeout: 150_000 }, () => {
  it("healthy: 3 of 3 alive, every ISR full, produce/consume round trip works", async () => {
    const described = await port.describeCluster();
    expect(described.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(described.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(cluster.nodes.map((n) => n.address));
    expect(described).toMatchObject({ expectedBrokers: 3, missingBrokerIds: [] });
    expect([1, 2, 3]).toContain(described.controllerId);

    const health = await port.partitionHealth([ORDERS, LONELY]);
    expect(counts(health)).toEqual({ under: 0, offline: 0 });
    for (const p of health.partitions.filter((x) => x.topic === ORDERS)) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
    }
    expect(health.partitions.find((p) => p.topic === LONELY)).toMatchObject({
      leader: 3,
      replicas: [3],
      isr: [3],
    });

    const trip = await port.roundTrip(HEALTHCHECK, 30_000);
    expect(trip).toMatchObject({ ok: true, topic: HEALTHCHECK, partition: 0 });
  });

  it("broker 3 stopped: ISRs shrink (under-replicated), its RF-1 partition goes offline, 2 of 3 alive", async () => {
    await cluster.stopNode(3);

    const health = await waitFor(
      "the ISRs to drop broker 3",
      () => port.partitionHealth([ORDERS, HEALTHCHECK, LONELY]),
      (h) => h.totals.underReplicated === 4 && h.totals.offline === 1,
    );
    expect(health.totals).toEqual({ topics: 3, partitions: 5, underReplicated: 4, offline: 1 });
    for (const p of health.partitions.filter((x) => x.topic !== LONELY)) {
      expect(p.underReplicated).toBe(true);
      expect(p.offline).toBe(false);
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2]);
      expect([1, 2]).toContain(p.leader);
    }
    const lonely = health.partitions.find((p) => p.topic === LONELY);
    expect(lonely).toMatchObject({ leader: null, offline: true, replicas: [3] });

    // The whole-cluster view works too, although one partition has no leader.
    const all = await port.partitionHealth();
    expect(all.totals.offline).toBe(1);
    expect(all.totals.underReplicated).toBeGreaterThanOrEqual(4);

    const described = await waitFor(
      "the cluster to list 2 brokers",
      () => port.describeCluster(),
      (d) => d.brokers.length === 2,
    );
    expect(described.brokers.map((b) => b.id)).toEqual([1, 2]);
    expect(described).toMatchObject({ expectedBrokers: 3, missingBrokerIds: [3] });
    expect([1, 2]).toContain(described.controllerId);

    // A fresh client whose bootstrap list still names the stopped broker finds the others.
    const fresh = createKafkajsKafka({
      brokers: cluster.brokers.split(","),
      clientId: "fresh",
      connectionTimeoutMs: 2000,
    });
    try {
      expect((await fresh.describeCluster()).brokers.map((b) => b.id)).toEqual([1, 2]);
    } finally {
      await fresh.close();
    }
  });

  it("broker 3 stopped: produce (acks=all, min ISR 2) and consume still work; reading the group and records too", async () => {
    const trip = await port.roundTrip(HEALTHCHECK, 30_000);
    expect(trip).toMatchObject({ ok: true, topic: HEALTHCHECK });

    const sample = await port.sampleNewest(ORDERS, 6);
    expect(sample.complete).toBe(true);
    expect(sample.records).toHaveLength(6);
    expect(sample.records.every((r) => r.value?.startsWith('{"order_id":"ord-'))).toBe(true);

    const lag = await port.groupLag(GROUP, [ORDERS]);
    expect(lag.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset])).toEqual([
      [0, 1, 4],
      [1, 1, 4],
      [2, 1, 4],
    ]);
    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId.startsWith(scratchPrefix))).toEqual([]);
  });

  it("a round trip to a partition without a leader fails at produce, within its timeout", async () => {
    const startedAt = Date.now();
    const trip = await port.roundTrip(LONELY, 4000);
    expect(trip).toMatchObject({ ok: false, topic: LONELY, failedAt: "produce" });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it("broker 3 back: it rejoins, the ISRs refill, nothing offline", async () => {
    await cluster.startNode(3);
    const health = await waitFor(
      "the ISRs to include broker 3 again",
      () => port.partitionHealth([ORDERS, HEALTHCHECK, LONELY]),
      (h) => h.totals.underReplicated === 0 && h.totals.offline === 0,
    );
    for (const p of health.partitions) expect([...p.isr].sort()).toEqual([...p.replicas].sort());
    const described = await port.describeCluster();
    expect(described.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(described.missingBrokerIds).toEqual([]);
    expect(await port.roundTrip(LONELY, 30_000)).toMatchObject({ ok: true });
  });

  // Evidence that kafkajs's admin metadata does not go stale for minutes (an admin client re-reads
  // metadata before each offset read). fetchTopicOffsets gives up on its first failure, though: in
  // scratch runs groupLag failed once, for a few hundred ms around a leader's shutdown ("connection
  // refused"); leader-retry.ts covers that window. The race is not reliably hit here.
  it("a leader stopped under a port that read the old leaders: offset reads recover once the leaders moved, and fail only with a clear message before", async () => {
    expect((await port.groupLag(GROUP, [ORDERS])).totalLag).toBe(9); // the port now knows the old leaders
    const leaders = async () =>
      (await admin.fetchTopicMetadata({ topics: [ORDERS] })).topics[0]?.partitions.map((p) => p.leader) ?? [];
    const victim = (await leaders())[0] as number;

    const failures: string[] = [];
    /** Refusals while the broker was going down (before the leaders had moved). */
    const duringStop: string[] = [];
    let polls = 0;
    let moved = false;
    const polling = (async () => {
      let until = Number.POSITIVE_INFINITY;
      while (Date.now() < until) {
        polls++;
        const startedBeforeMove = !moved;
        await port.groupLag(GROUP, [ORDERS]).then(
          (lag) => {
            if (lag.totalLag !== 9) failures.push(`lag ${lag.totalLag}`);
          },
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            // On a loaded 2-core machine the stopping broker can stay the leader in the metadata
            // for seconds (seen twice in CI, beyond leader-retry.ts's 4.5 s): a read then fails,
            // saying the broker refused or closed the connection. After the move nothing may fail.
            if (
              startedBeforeMove &&
              /^could not reach Kafka (broker \S+ .*connection refused|at \S+: the broker closed the connection)/.test(
                message,
              )
            )
              duringStop.push(message);
            else failures.push(message);
          },
        );
        if (moved && until === Number.POSITIVE_INFINITY) until = Date.now() + 1500;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await cluster.stopNode(victim);
      await waitFor("the leaders to move off the stopped broker", leaders, (l) => !l.includes(victim));
    } finally {
      moved = true;
      await polling;
    }
    expect(failures).toEqual([]);
    expect(polls).toBeGreaterThan(10);
    expect(duringStop.length).toBeLessThan(polls);

    // The first call of each kind after the move, through the same port.
    const lag = await port.groupLag(GROUP, [ORDERS]);
    expect(lag.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset])).toEqual([
      [0, 1, 4],
      [1, 1, 4],
      [2, 1, 4],
    ]);
    const plan = await port.planOffsetReset(GROUP, ORDERS, 0);
    expect(
      plan.partitions.map((p) => [p.partition, p.committedOffset, p.targetOffset, p.logEndOffset]),
    ).toEqual([
      [0, 1, 0, 4],
      [1, 1, 0, 4],
      [2, 1, 0, 4],
    ]);
    const health = await port.partitionHealth([ORDERS]);
    expect(health.totals).toMatchObject({ underReplicated: 3, offline: 0 });
    expect(health.partitions.every((p) => p.leader !== null && p.leader !== victim)).toBe(true);
    expect(await port.describeCluster()).toMatchObject({ missingBrokerIds: [victim] });

    await cluster.startNode(victim);
    await waitFor(
      "the ISRs to include the restarted broker",
      () => port.partitionHealth([ORDERS]),
      (h) => h.totals.underReplicated === 0,
    );
  });
});
