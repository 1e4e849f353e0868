/**
 * reboot-broker's precondition "is the broker still down?": the preview records what Kafka said,
 * and the recheck refuses a reboot of a broker that answers again. Over the simulated MSK and Kafka.
 */
import { describe, expect, it } from "vitest";
import type { ActionContext } from "../../../src/actions/action.ts";
import { findAction } from "../../../src/actions/registry.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import type { KafkaPort } from "../../../src/ports/kafka.ts";
import { overridePort } from "../../../src/sandbox/drills/override-ports.ts";
import { ConsumerLagScenario } from "../../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../../src/sandbox/simulated/simulated-kafka.ts";
import { SimulatedMsk } from "../../../src/sandbox/simulated/simulated-msk.ts";
import { CLUSTER_ARN, testConfig } from "./config.ts";

const config = testConfig();
const reboot = findAction("reboot-broker")!;

function world() {
  const msk = new SimulatedMsk();
  const kafka = new SimulatedKafka(new ConsumerLagScenario());
  msk.markBrokerDown(2);
  kafka.markBrokerDown(2);
  const ctx: ActionContext = { config, ports: { msk, kafka, clock: systemClock } };
  return { kafka, ctx };
}

async function prepared(ctx: ActionContext, brokerId = 2) {
  const parsed = reboot.parse({ clusterArn: CLUSTER_ARN, brokerId }, config);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return reboot.prepare(parsed.params, ctx);
}

describe("reboot-broker: is the broker still down?", () => {
  it("the preview records that Kafka misses the broker; the recheck passes while it is still down", async () => {
    const { ctx } = world();
    const p = await prepared(ctx);
    expect(p.params).toEqual({ clusterArn: CLUSTER_ARN, brokerId: 2, downAtRequest: true });
    expect(p.preview).toMatch(/^reboot MSK broker 2 of OrderProcessing/);
    expect(p.preview).not.toContain("alive now");
    // What the request stores parses again as it is.
    expect(reboot.parse(p.params, config)).toEqual({ ok: true, params: p.params });
    expect(await reboot.recheck(p.params, ctx)).toBeUndefined();
  });

  it("a broker that came back since the request is not rebooted", async () => {
    const { kafka, ctx } = world();
    const p = await prepared(ctx);
    kafka.markBrokerUp(2);
    expect(await reboot.recheck(p.params, ctx)).toBe(
      "broker 2 answers again since the request: not rebooting a broker that recovered",
    );
  });

  it("a broker Kafka lists as alive may still be rebooted on purpose; the preview says it is alive", async () => {
    const { ctx } = world();
    const p = await prepared(ctx, 3);
    expect(p.params).toEqual({ clusterArn: CLUSTER_ARN, brokerId: 3, downAtRequest: false });
    expect(p.preview).toMatch(/ \(Kafka lists it as alive now\)$/);
    expect(await reboot.recheck(p.params, ctx)).toBeUndefined();
  });

  it("Kafka unreadable (often so when the cluster is in trouble): MSK's word alone, nothing recorded", async () => {
    const { kafka, ctx } = world();
    const down = overridePort<KafkaPort>(kafka, {
      describeCluster: async () => {
        throw new Error("could not reach Kafka at 127.0.0.1:9092: connection refused");
      },
    });
    const unreadable: ActionContext = { ...ctx, ports: { ...ctx.ports, kafka: down } };
    const p = await prepared(unreadable);
    expect(p.params).toEqual({ clusterArn: CLUSTER_ARN, brokerId: 2 });
    expect(await reboot.recheck({ ...p.params, downAtRequest: true }, unreadable)).toBeUndefined();
  });
});
