/**
 * The sandbox's broker-down story on SimulatedMsk (no peer involved): broker 2 is down, MSK still
 * lists it and calls the cluster ACTIVE; a reboot brings it back after `rebootMs` on the clock.
 */
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/ports/clock.ts";
import { ORDER_PROCESSING_CLUSTER_ARN, SimulatedMsk } from "../../src/sandbox/simulated/simulated-msk.ts";

function manualClock(start = Date.parse("2026-03-01T10:00:00Z")) {
  let now = start;
  const clock: Clock = { now: () => new Date(now), sleep: async () => {} };
  return { clock, advance: (ms: number) => (now += ms) };
}

describe("SimulatedMsk broker-down story", () => {
  it("keeps listing a down broker, and a reboot brings it back after rebootMs", async () => {
    const { clock, advance } = manualClock();
    const msk = new SimulatedMsk({ clock, rebootMs: 90_000, downBrokerIds: [2] });
    expect(msk.liveBrokerIds()).toEqual([1, 3]);
    expect(msk.isBrokerUp(2)).toBe(false);
    expect((await msk.listBrokers(ORDER_PROCESSING_CLUSTER_ARN)).map((b) => b.brokerId)).toEqual([1, 2, 3]);
    expect((await msk.describeCluster(ORDER_PROCESSING_CLUSTER_ARN)).state).toBe("ACTIVE");

    const { operationArn } = await msk.rebootBroker(ORDER_PROCESSING_CLUSTER_ARN, 2);
    const rebooting = await msk.describeCluster(ORDER_PROCESSING_CLUSTER_ARN);
    expect(rebooting).toMatchObject({ state: "REBOOTING_BROKER", activeOperationArn: operationArn });

    advance(89_999);
    expect(msk.isBrokerUp(2)).toBe(false);
    expect((await msk.describeOperation(operationArn)).phase).toBe("in-progress");

    advance(1);
    expect((await msk.describeOperation(operationArn)).phase).toBe("succeeded");
    expect(msk.liveBrokerIds()).toEqual([1, 2, 3]);
    const after = await msk.describeCluster(ORDER_PROCESSING_CLUSTER_ARN);
    expect(after.state).toBe("ACTIVE");
    expect(after.activeOperationArn).toBeUndefined();
  });

  it("rebooting a healthy broker takes it out while the reboot runs; a broker marked down later stays down", async () => {
    const { clock, advance } = manualClock();
    const msk = new SimulatedMsk({ clock, rebootMs: 30_000 });
    expect(msk.liveBrokerIds()).toEqual([1, 2, 3]);
    await msk.rebootBroker(ORDER_PROCESSING_CLUSTER_ARN, 3);
    expect(msk.liveBrokerIds()).toEqual([1, 2]);
    advance(30_000);
    expect(msk.liveBrokerIds()).toEqual([1, 2, 3]);
    msk.markBrokerDown(3);
    expect(msk.liveBrokerIds()).toEqual([1, 2]);
    expect(() => msk.markBrokerDown(4)).toThrow("OrderProcessing has no broker 4");
  });
});
