/**
 * The simulated Flink tells the sandbox's story: CPU-bound taskmanagers back-pressure the
 * enrichment vertex (and the source behind it) while the window aggregation is busy; scaling the
 * taskmanagers raises the parallelism and relieves the back pressure; a triggered checkpoint is
 * recorded and continues the id sequence.
 */
import { describe, expect, it } from "vitest";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedFlink } from "../../src/sandbox/simulated/simulated-flink.ts";

function setup() {
  let now = Date.UTC(2025, 0, 13, 10, 30, 0);
  const clock = () => now;
  const scenario = new ConsumerLagScenario({ now: clock });
  const flink = new SimulatedFlink(scenario, { now: clock });
  return { scenario, flink, advance: (ms: number) => (now += ms), now: clock };
}

async function levels(flink: SimulatedFlink): Promise<Record<string, string | null>> {
  const details = await flink.jobDetails(flink.jobId);
  const result: Record<string, string | null> = {};
  for (const v of details.vertices) {
    const kind = v.name.startsWith("Source")
      ? "source"
      : v.name.startsWith("enrichment")
        ? "enrichment"
        : v.name.startsWith("Window")
          ? "window"
          : "sink";
    result[kind] = (await flink.vertexBackpressure(flink.jobId, v.id)).level;
  }
  return result;
}

describe("SimulatedFlink story", () => {
  it("while CPU-bound: enrichment and source back-pressured high, the window busy", async () => {
    const { flink } = setup();
    expect(await levels(flink)).toEqual({ source: "high", enrichment: "high", window: "ok", sink: "ok" });
    const window = (await flink.jobDetails(flink.jobId)).vertices[2];
    const bp = await flink.vertexBackpressure(flink.jobId, window?.id ?? "");
    expect(bp.subtasks[0]?.busyRatio).toBeGreaterThan(0.9);
  });

  it("scaled to 8 taskmanagers: parallelism 8, back pressure ok everywhere", async () => {
    const { flink, scenario } = setup();
    expect((await flink.jobDetails(flink.jobId)).vertices.map((v) => v.parallelism)).toEqual([4, 4, 4, 4]);
    scenario.scale(8);
    expect((await flink.jobDetails(flink.jobId)).vertices.map((v) => v.parallelism)).toEqual([8, 8, 8, 8]);
    expect((await flink.overview()).taskmanagers).toBe(8);
    expect(await flink.taskmanagers()).toHaveLength(8);
    expect(await levels(flink)).toEqual({ source: "ok", enrichment: "ok", window: "ok", sink: "ok" });
  });

  it("checkpoints every 60 s, 6.0-6.75 s each, all completed; one in progress right after a trigger", async () => {
    const { flink, advance, now } = setup();
    const stats = await flink.checkpoints(flink.jobId);
    expect(stats.counts.failed).toBe(0);
    const completed = stats.history.filter((c) => c.status === "COMPLETED");
    for (const c of completed) {
      expect(c.endToEndDurationMs).toBeGreaterThanOrEqual(6_000);
      expect(c.endToEndDurationMs).toBeLessThanOrEqual(6_750);
    }
    const gaps = completed
      .slice(1)
      .map((c, i) => (completed[i]?.triggerTime.getTime() ?? 0) - c.triggerTime.getTime());
    expect(new Set(gaps)).toEqual(new Set([60_000]));
    // 2 s after a periodic trigger that checkpoint is still running.
    const nextTrigger = Math.ceil((now() + 1) / 60_000) * 60_000;
    advance(nextTrigger - now() + 2_000);
    const during = await flink.checkpoints(flink.jobId);
    expect(during.history[0]?.status).toBe("IN_PROGRESS");
    expect(during.counts.inProgress).toBe(1);
    advance(10_000);
    expect((await flink.checkpoints(flink.jobId)).history[0]?.status).toBe("COMPLETED");
  });

  it("records triggered checkpoints and keeps ids increasing across manual and periodic ones", async () => {
    const { flink, advance } = setup();
    const before = (await flink.checkpoints(flink.jobId)).history[0]?.id ?? 0;
    const manual = await flink.triggerCheckpoint(flink.jobId, { type: "FULL" });
    expect(manual.checkpointId).toBe(before + 1);
    expect(flink.triggerRequests).toEqual([{ jobId: flink.jobId, type: "FULL", checkpointId: before + 1 }]);
    advance(70_000);
    const ids = (await flink.checkpoints(flink.jobId)).history.map((c) => c.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => b - a));
    expect(ids[0]).toBe(before + 2);
    expect(ids).toContain(manual.checkpointId);
  });

  it("heap at about 72 % of max on every taskmanager, as the memory metric says", async () => {
    const { flink } = setup();
    for (const m of await flink.taskmanagerMemory()) {
      const share = (m.heapUsedBytes ?? 0) / (m.heapMaxBytes ?? 1);
      expect(share).toBeGreaterThanOrEqual(0.7);
      expect(share).toBeLessThanOrEqual(0.74);
    }
  });
});
