/**
 * reset-consumer-offsets: which partitions move, the preview's wording, and prepare / recheck /
 * execute over the sandbox's simulated Kafka (held to the real broker's answers by the Kafka
 * contract suite). The real broker is exercised in test/integration/kafka-reset-offsets.test.ts.
 */
import { describe, expect, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../../src/actions/action.ts";
import {
  activeGroupRefusal,
  movedSincePreview,
  partitionsToMove,
  resetConsumerOffsets,
  resetPreview,
} from "../../../src/actions/reset-consumer-offsets.ts";
import type { Clock } from "../../../src/ports/clock.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import { FlinkError, type FlinkPort } from "../../../src/ports/flink.ts";
import type { OffsetResetPlan } from "../../../src/ports/kafka.ts";
import { overridePort } from "../../../src/sandbox/drills/override-ports.ts";
import { ConsumerLagScenario } from "../../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedFlink } from "../../../src/sandbox/simulated/simulated-flink.ts";
import { SimulatedKafka } from "../../../src/sandbox/simulated/simulated-kafka.ts";
import { testConfig } from "./config.ts";

const T = Date.parse("2025-01-13T10:10:00.000Z");

function plan(partitions: [number | null, number][], extra: Partial<OffsetResetPlan> = {}): OffsetResetPlan {
  return {
    group: "order-processor",
    topic: "orders.raw",
    fromTimestampMs: T,
    state: "Empty",
    members: 0,
    partitions: partitions.map(([committed, target], partition) => ({
      partition,
      committedOffset: committed,
      targetOffset: target,
      logStartOffset: 0,
      logEndOffset: 5000,
      recordsToReread: committed === null ? 0 : Math.max(0, committed - target),
    })),
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ActionRefusal) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("which partitions move and how the preview says it", () => {
  it("moves back the partitions past the time and those with no committed offset; the others stay", () => {
    const p = plan([
      [1200, 950],
      [800, 900],
      [null, 40],
      [640, 640],
    ]);
    const moved = partitionsToMove(p);
    expect(moved).toEqual([
      { partition: 0, from: 1200, to: 950 },
      { partition: 2, from: null, to: 40 },
    ]);
    expect(resetPreview(p, moved)).toBe(
      "reset consumer group order-processor to 2025-01-13 10:10:00 UTC on orders.raw p0: 1200 -> 950 (250 records), p2: none -> 40 (no committed offset); 2 partitions already at or before that time stay; 250 records to re-read",
    );
  });

  it("says when a partition goes back only as far as its oldest record (older ones aged out)", () => {
    const p = plan([[3000, 2500]]);
    const aged: OffsetResetPlan = {
      ...p,
      partitions: p.partitions.map((x) => ({ ...x, logStartOffset: 2500 })),
    };
    expect(resetPreview(aged, partitionsToMove(aged))).toBe(
      "reset consumer group order-processor to 2025-01-13 10:10:00 UTC on orders.raw p0: 3000 -> 2500 (500 records, the oldest record it still holds); 500 records to re-read",
    );
  });

  it("lists 24 partitions and counts the rest", () => {
    const p = plan(Array.from({ length: 30 }, (_, i): [number, number] => [100 + i, 99 + i]));
    const preview = resetPreview(p, partitionsToMove(p));
    expect(preview).toContain("p23: 123 -> 122 (1 record), and 6 more partitions; 30 records to re-read");
    expect(preview).not.toContain("p24:");
  });

  it("refuses a group with members or in a rebalance, and names what moved since a preview", () => {
    expect(activeGroupRefusal(plan([], { state: "Stable", members: 4 }))).toBe(
      "consumer group order-processor has 4 active members (state Stable): stop its consumers first, offsets can only be reset while the group is empty",
    );
    expect(activeGroupRefusal(plan([], { state: "PreparingRebalance", members: 0 }))).toMatch(
      /has 0 active members \(state PreparingRebalance\)/,
    );
    expect(activeGroupRefusal(plan([], { state: "Dead" }))).toBeUndefined();
    expect(
      movedSincePreview(
        plan([
          [1300, 950],
          [800, 900],
          [null, 40],
        ]),
        [
          { partition: 0, from: 1200, to: 950 },
          { partition: 1, from: 800, to: 700 },
          { partition: 2, from: null, to: 40 },
        ],
      ),
    ).toEqual(["p0 committed 1300 now (was 1200)"]);
  });
});

describe("prepare, recheck and execute over the simulated Kafka", () => {
  const config = testConfig({ pipeline: { consumerGroup: "replay", sourceTopic: "orders.replay" } });
  const fixedClock = (at: number): Clock => ({ now: () => new Date(at), sleep: systemClock.sleep });

  function world() {
    const kafka = new SimulatedKafka(new ConsumerLagScenario());
    kafka.createTopic("orders.replay", 2);
    // One record a minute from 10:00 on both partitions (0..19 on p0, 0..9 on p1).
    kafka.produce(
      "orders.replay",
      0,
      Array.from({ length: 20 }, (_, i) => T - 10 * 60_000 + i * 60_000),
    );
    kafka.produce(
      "orders.replay",
      1,
      Array.from({ length: 10 }, (_, i) => T - 10 * 60_000 + i * 60_000),
    );
    kafka.commitOffsets("replay", "orders.replay", [
      { partition: 0, offset: 18 },
      { partition: 1, offset: 7 },
    ]);
    const ctx: ActionContext = { config, ports: { kafka, clock: fixedClock(T + 15 * 60_000) } };
    return { kafka, ctx };
  }

  it("minutesAgo becomes the time of the preview; execute commits the previewed offsets", async () => {
    const { kafka, ctx } = world();
    const parsed = resetConsumerOffsets.parse({ minutesAgo: 20 }, config);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const prepared = await resetConsumerOffsets.prepare(parsed.params, ctx);
    expect(prepared.params).toEqual({
      group: "replay",
      topic: "orders.replay",
      fromTime: "2025-01-13T10:05:00.000Z",
      partitions: [
        { partition: 0, from: 18, to: 5 },
        { partition: 1, from: 7, to: 5 },
      ],
    });
    expect(prepared.preview).toBe(
      "reset consumer group replay to 2025-01-13 10:05:00 UTC on orders.replay p0: 18 -> 5 (13 records), p1: 7 -> 5 (2 records); 15 records to re-read (Flink is not configured: check by hand that the job is stopped)",
    );
    // What the request stores parses again as it is.
    expect(resetConsumerOffsets.parse(prepared.params, config)).toEqual({
      ok: true,
      params: prepared.params,
    });
    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await resetConsumerOffsets.execute(prepared.params, ctx);
    expect(result.message).toBe(
      "offsets of replay on orders.replay reset to 2025-01-13 10:05:00 UTC: p0 18 -> 5, p1 7 -> 5 (15 records to re-read)",
    );
    expect(result.details.committed).toEqual([
      { partition: 0, offset: 5 },
      { partition: 1, offset: 5 },
    ]);
    const lag = await kafka.groupLag("replay", ["orders.replay"]);
    expect(lag.partitions.map((p) => p.committedOffset)).toEqual([5, 5]);
  });

  it("refuses while the Flink job runs (its source commits its own offsets), and says when Flink cannot be read", async () => {
    const { ctx } = world();
    const parsed = resetConsumerOffsets.parse({ minutesAgo: 20 }, config);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const flink = new SimulatedFlink(new ConsumerLagScenario());
    const withFlink = (port: FlinkPort): ActionContext => ({ ...ctx, ports: { ...ctx.ports, flink: port } });

    const running = resetConsumerOffsets.prepare(parsed.params, withFlink(flink));
    await expect(running).rejects.toBeInstanceOf(ActionRefusal);
    await expect(running).rejects.toThrow(
      /^the Flink job order-processing is RUNNING: its Kafka source commits its own offsets at each checkpoint and would overwrite the reset\. Stop it with a savepoint first/,
    );

    // No job at all (stopped and gone): the reset may go ahead, and the preview does not warn.
    const none = overridePort<FlinkPort>(flink, {
      findJob: async () => {
        throw new FlinkError("no-job", "no RUNNING job");
      },
    });
    const prepared = await resetConsumerOffsets.prepare(parsed.params, withFlink(none));
    expect(prepared.preview).not.toContain("Flink is not configured");
    expect(await resetConsumerOffsets.recheck(prepared.params, withFlink(none))).toBeUndefined();
    // The job came back between the request and the approval: refused at execution time.
    expect(await resetConsumerOffsets.recheck(prepared.params, withFlink(flink))).toMatch(/is RUNNING/);

    // Flink does not answer: not reset while the job may be running.
    const down = overridePort<FlinkPort>(flink, {
      findJob: async () => {
        throw new FlinkError(
          "unreachable",
          "could not reach Flink REST at http://127.0.0.1:1: connection refused",
        );
      },
    });
    await expect(resetConsumerOffsets.prepare(parsed.params, withFlink(down))).rejects.toThrow(
      /^could not check that the Flink job is stopped \(could not reach Flink REST.*\); not resetting while it may be running$/,
    );
  });

  it("refuses while a consumer is in the group, and when the group is already before the time", async () => {
    const { kafka, ctx } = world();
    const leave = kafka.joinGroup("replay");
    expect(
      await refusal(
        resetConsumerOffsets.prepare({ group: "replay", topic: "orders.replay", minutesAgo: 20 }, ctx),
      ),
    ).toBe(
      "consumer group replay has 1 active member (state Stable): stop its consumers first, offsets can only be reset while the group is empty",
    );
    leave();
    expect(
      await refusal(
        resetConsumerOffsets.prepare(
          { group: "replay", topic: "orders.replay", fromTime: "2025-01-13T10:20:00Z" },
          ctx,
        ),
      ),
    ).toBe(
      "replay is at or before 2025-01-13 10:20:00 UTC on every partition of orders.replay: nothing to reprocess",
    );
  });

  it("recheck refuses when a member joined or the committed offsets moved since the preview; nothing is written", async () => {
    const { kafka, ctx } = world();
    const prepared = await resetConsumerOffsets.prepare(
      { group: "replay", topic: "orders.replay", fromTime: "2025-01-13T10:05:00Z" },
      ctx,
    );
    const leave = kafka.joinGroup("replay");
    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBe(
      "consumer group replay has 1 active member (state Stable): stop its consumers first, offsets can only be reset while the group is empty",
    );
    // The consumer read on before it left.
    kafka.commitOffsets("replay", "orders.replay", [{ partition: 0, offset: 19 }]);
    leave();
    expect(await resetConsumerOffsets.recheck(prepared.params, ctx)).toBe(
      "the offsets of replay on orders.replay moved since this request: p0 committed 19 now (was 18)",
    );
    const lag = await kafka.groupLag("replay", ["orders.replay"]);
    expect(lag.partitions.map((p) => p.committedOffset)).toEqual([19, 7]);
  });

  it("a time after the platform's now is refused at prepare; a missing Kafka is named", async () => {
    const { ctx } = world();
    expect(
      await refusal(
        resetConsumerOffsets.prepare(
          { group: "replay", topic: "orders.replay", fromTime: "2025-01-13T10:30:00Z" },
          ctx,
        ),
      ),
    ).toBe("2025-01-13 10:30:00 UTC is in the future: there is nothing to reprocess yet");
    expect(
      await refusal(
        resetConsumerOffsets.prepare(
          { group: "replay", topic: "orders.replay", minutesAgo: 5 },
          { config, ports: { clock: systemClock } },
        ),
      ),
    ).toBe("Kafka is not configured: the bot cannot reach it");
  });

  it("the sandbox's job group is refused: its four taskmanagers are members", async () => {
    const kafka = new SimulatedKafka(new ConsumerLagScenario());
    const ctx: ActionContext = { config: testConfig(), ports: { kafka, clock: systemClock } };
    expect(
      await refusal(
        resetConsumerOffsets.prepare({ group: "order-processor", topic: "orders.raw", minutesAgo: 10 }, ctx),
      ),
    ).toBe(
      "consumer group order-processor has 4 active members (state Stable): stop its consumers first, offsets can only be reset while the group is empty",
    );
  });
});
