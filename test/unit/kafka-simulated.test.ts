/**
 * The sandbox's Kafka beyond the contract: the broker-down story (as the real 3-node cluster
 * behaves in test/integration/kafka-cluster.test.ts) and deterministic, plausible orders.raw records.
 */
import { describe, expect, it } from "vitest";
import { KafkaError } from "../../src/ports/kafka.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../src/sandbox/simulated/simulated-kafka.ts";

function fixedKafka(at = Date.parse("2025-03-01T12:00:00Z")) {
  const scenario = new ConsumerLagScenario({ now: () => at });
  return new SimulatedKafka(scenario, { now: () => at });
}

describe("SimulatedKafka: broker down", () => {
  it("is a healthy 3-broker cluster by default", async () => {
    const kafka = fixedKafka();
    const cluster = await kafka.describeCluster();
    expect(cluster.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(cluster).toMatchObject({ expectedBrokers: 3, missingBrokerIds: [], controllerId: 1 });
    expect((await kafka.partitionHealth()).totals).toEqual({
      topics: 4,
      partitions: 10,
      underReplicated: 0,
      offline: 0,
    });
  });

  it("one broker down: 2 of 3 alive, every partition under-replicated and led elsewhere, writes still acknowledged", async () => {
    const kafka = fixedKafka();
    kafka.markBrokerDown(2);
    const cluster = await kafka.describeCluster();
    expect(cluster.brokers.map((b) => b.id)).toEqual([1, 3]);
    expect(cluster.missingBrokerIds).toEqual([2]);
    const health = await kafka.partitionHealth(["orders.raw"]);
    expect(health.totals).toEqual({ topics: 1, partitions: 3, underReplicated: 3, offline: 0 });
    for (const p of health.partitions) {
      expect(p.leader).not.toBe(2);
      expect(p.isr).not.toContain(2);
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.offlineReplicas).toEqual([2]);
    }
    expect(await kafka.roundTrip("runbook-bot.healthcheck", 5000)).toMatchObject({ ok: true });
  });

  it("two brokers down: nothing offline yet, but acks=all writes time out (ISR below min.insync.replicas)", async () => {
    const kafka = fixedKafka();
    kafka.markBrokerDown(2);
    kafka.markBrokerDown(3);
    expect((await kafka.describeCluster()).missingBrokerIds).toEqual([2, 3]);
    expect(await kafka.roundTrip("runbook-bot.healthcheck", 5000)).toEqual({
      ok: false,
      topic: "runbook-bot.healthcheck",
      failedAt: "produce",
      reason: "no acknowledgement within 5000 ms",
      timedOut: true,
      elapsedMs: 5000,
    });
    kafka.markBrokerUp(2);
    kafka.markBrokerUp(3);
    expect((await kafka.partitionHealth()).totals.underReplicated).toBe(0);
  });

  it("refuses a broker it does not have", () => {
    expect(() => fixedKafka().markBrokerDown(4)).toThrow(/no broker 4/);
  });
});

describe("SimulatedKafka: records", () => {
  it("samples orders.raw as order JSON, deterministic for a clock, newest first", async () => {
    const a = await fixedKafka().sampleNewest("orders.raw", 5);
    const b = await fixedKafka().sampleNewest("orders.raw", 5);
    expect(a).toEqual(b);
    const first = a.records[0];
    const order = JSON.parse(first?.value ?? "{}") as Record<string, unknown>;
    expect(order).toMatchObject({ order_id: `ord-${first?.partition}-${first?.offset}`, currency: "USD" });
    expect(order.customer_id).toBe(first?.key);
    expect(typeof order.total_amount).toBe("number");
    expect(first?.headers).toEqual({ source: "checkout-service", "content-type": "application/json" });
    expect(new Set(a.records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it("knows only its topics", async () => {
    const kafka = fixedKafka();
    expect(await kafka.sampleNewest("orders.dlq", 3)).toEqual({
      topic: "orders.dlq",
      records: [],
      complete: true,
    });
    const error = await kafka.groupLag("order-processor", ["nope"]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KafkaError);
    expect((error as KafkaError).kind).toBe("not-found");
  });
});
