/**
 * The MskPort contract against the real adapter and the sandbox's simulated adapter.
 *
 * Real: who answers what —
 * - moto answers DescribeCluster (proxied through the stand-in, which only adds the
 *   missing UTC offset to moto's creationTime) and holds the cluster; moto's cluster state stays
 *   CREATING, so "ACTIVE" cannot be shown on this peer.
 * - test/peers/msk-standin.ts answers ListNodes, RebootBroker and DescribeClusterOperation (moto 5.2.5
 *   does not implement them), from the documented MSK REST shapes, with brokers built from moto's cluster.
 * Each test creates its own cluster.
 * moto runs privately for this file (startMotoPeer): other test files reset the shared moto of the
 * global setup in their beforeEach, which would wipe this file's resources mid-test.
 * Simulated: SimulatedMsk on a manual clock, as the sandbox builds it.
 */
import { KafkaClient } from "@aws-sdk/client-kafka";
import { afterAll, beforeAll } from "vitest";
import { createMsk } from "../../src/adapters/aws/msk.ts";
import type { Clock } from "../../src/ports/clock.ts";
import { SimulatedMsk } from "../../src/sandbox/simulated/simulated-msk.ts";
import { type MotoPeer, startMotoPeer } from "../peers/moto-peer.ts";
import { type MskStandIn, startMskStandIn } from "../peers/msk-standin.ts";
import { createOrderProcessing, mskContract } from "./msk.contract.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const SUBNETS = ["subnet-0aa0000000000001", "subnet-0aa0000000000002", "subnet-0aa0000000000003"];
const REBOOT_MS = 60_000;

let moto: MotoPeer;
let standIn: MskStandIn;
let seeder: KafkaClient;
beforeAll(async () => {
  moto = await startMotoPeer();
  seeder = new KafkaClient({ region: "us-east-1", endpoint: moto.endpoint, credentials });
  standIn = await startMskStandIn({ motoEndpoint: moto.endpoint, rebootMs: REBOOT_MS });
});
afterAll(async () => {
  seeder?.destroy();
  await standIn?.stop();
  await moto?.stop();
});

mskContract("real adapter on moto + MSK stand-in", async () => {
  const clusterArn = await createOrderProcessing(seeder, SUBNETS);
  return {
    port: createMsk({
      region: "us-east-1",
      endpoint: standIn.endpoint,
      credentials,
      requestTimeoutMs: 10_000,
    }),
    clusterArn,
    clientSubnets: SUBNETS,
    healthyStates: ["CREATING"],
    rebootMs: REBOOT_MS,
    advance: (ms) => standIn.advance(ms),
  };
});

mskContract("simulated (sandbox)", async () => {
  let now = Date.parse("2026-03-01T10:00:00Z");
  const clock: Clock = { now: () => new Date(now), sleep: async () => {} };
  const port = new SimulatedMsk({ clock, rebootMs: REBOOT_MS });
  return {
    port,
    clusterArn: port.clusterArn,
    clientSubnets: (await port.describeCluster(port.clusterArn)).clientSubnets,
    healthyStates: ["ACTIVE"],
    rebootMs: REBOOT_MS,
    advance: (ms) => {
      now += ms;
    },
  };
});
