/**
 * The MSK adapter against real peers, with faults.
 *
 * Who answers what:
 * - moto holds the cluster: CreateCluster (test seeding) and DescribeCluster, proxied
 *   through the stand-in (which adds the UTC offset moto leaves off creationTime). Its state stays
 *   CREATING.
 * - test/peers/msk-standin.ts answers ListNodes, RebootBroker and DescribeClusterOperation (moto 5.2.5
 *   answers them with HTTP 500, shown below), records every request and injects the faults:
 *   429 TooManyRequestsException, 403 ForbiddenException, 500, a hang.
 * - A closed port plays an MSK endpoint that is down.
 * Each test creates its own cluster.
 * moto runs privately for this file (startMotoPeer): other test files reset the shared moto of the
 * global setup in their beforeEach, which would wipe this file's resources mid-test.
 */
import { createServer } from "node:net";
import { KafkaClient, ListNodesCommand } from "@aws-sdk/client-kafka";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsCallError } from "../../src/adapters/aws/aws-call.ts";
import { createMsk } from "../../src/adapters/aws/msk.ts";
import { createOrderProcessing } from "../contract/msk.contract.ts";
import { type MotoPeer, startMotoPeer } from "../peers/moto-peer.ts";
import { type MskStandIn, startMskStandIn } from "../peers/msk-standin.ts";

const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const SUBNETS = ["subnet-0bb0000000000001", "subnet-0bb0000000000002", "subnet-0bb0000000000003"];

let moto: MotoPeer;
let seeder: KafkaClient;
let standIn: MskStandIn;
let clusterArn: string;
beforeAll(async () => {
  moto = await startMotoPeer();
  seeder = new KafkaClient({ region, endpoint: moto.endpoint, credentials });
  standIn = await startMskStandIn({ motoEndpoint: moto.endpoint, rebootMs: 60_000, pageSize: 2 });
});
afterAll(async () => {
  seeder?.destroy();
  await standIn?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  standIn.reset();
  clusterArn = await createOrderProcessing(seeder, SUBNETS);
});

const adapter = (timeoutMs = 10_000) =>
  createMsk({ region, endpoint: standIn.endpoint, credentials, requestTimeoutMs: timeoutMs });

describe("MSK adapter: requests as sent", () => {
  it("reads the cluster from moto (state CREATING there)", async () => {
    const cluster = await adapter().describeCluster(clusterArn);
    expect(cluster).toMatchObject({
      arn: clusterArn,
      name: "OrderProcessing",
      state: "CREATING",
      brokerCount: 3,
    });
    const [request] = standIn.requests;
    expect(request).toMatchObject({
      operation: "DescribeCluster",
      method: "GET",
      path: `/v1/clusters/${clusterArn}`,
      answeredBy: "moto",
    });
  });

  it("follows ListNodes pages (GET /v1/clusters/{arn}/nodes, nextToken) from the stand-in", async () => {
    const brokers = await adapter().listBrokers(clusterArn);
    expect(brokers.map((b) => [b.brokerId, b.clientSubnet])).toEqual([
      [1, SUBNETS[0]],
      [2, SUBNETS[1]],
      [3, SUBNETS[2]],
    ]);
    const pages = standIn.requestsFor("ListNodes");
    expect(pages.map((r) => [r.method, r.path, r.query, r.answeredBy])).toEqual([
      ["GET", `/v1/clusters/${clusterArn}/nodes`, {}, "standin"],
      ["GET", `/v1/clusters/${clusterArn}/nodes`, { nextToken: "2" }, "standin"],
    ]);
  });

  it('reboots with PUT /v1/clusters/{arn}/reboot-broker {brokerIds:["2"]} and reads GET /v1/operations/{arn}', async () => {
    const msk = adapter();
    const { operationArn } = await msk.rebootBroker(clusterArn, 2);
    const [reboot] = standIn.requestsFor("RebootBroker");
    expect(reboot).toMatchObject({
      method: "PUT",
      path: `/v1/clusters/${clusterArn}/reboot-broker`,
      contentType: "application/json",
    });
    expect(JSON.parse(reboot?.body ?? "")).toEqual({ brokerIds: ["2"] });
    const operation = await msk.describeOperation(operationArn);
    expect(operation).toMatchObject({ type: "REBOOT_NODE", phase: "in-progress", clusterArn });
    expect(standIn.requestsFor("DescribeClusterOperation")[0]).toMatchObject({
      method: "GET",
      path: `/v1/operations/${operationArn}`,
    });
  });

  it("moto alone does not implement ListNodes (HTTP 500): that is why the stand-in answers it", async () => {
    const error = await seeder
      .send(new ListNodesCommand({ ClusterArn: clusterArn }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 500 } });
  });

  it("moto alone sends a creationTime the SDK refuses; through the stand-in it parses", async () => {
    const direct = createMsk({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 });
    await expect(direct.describeCluster(clusterArn)).rejects.toThrow(/Invalid RFC-3339 date-time value/);
    const cluster = await adapter().describeCluster(clusterArn);
    expect(Math.abs((cluster.createdAt?.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
  });
});

describe("MSK adapter: faults", () => {
  it("retries 429 TooManyRequestsException with backoff and succeeds", async () => {
    standIn.fault({ operation: "ListNodes", fault: "throttle", times: 1 });
    const brokers = await adapter().listBrokers(clusterArn);
    expect(brokers).toHaveLength(3);
    expect(standIn.requestsFor("ListNodes").map((r) => r.answeredBy)).toEqual([
      "fault",
      "standin",
      "standin",
    ]);
  });

  it("gives up on constant throttling of RebootBroker with a typed 'throttled' error after 3 attempts", async () => {
    standIn.fault({ operation: "RebootBroker", fault: "throttle" });
    const error = await adapter()
      .rebootBroker(clusterArn, 2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ kind: "throttled", code: "TooManyRequestsException" });
    expect((error as Error).message).toMatch(
      /^MSK throttled RebootBroker 3 times; gave up after \d+(\.\d)? s$/,
    );
    expect(standIn.requestsFor("RebootBroker")).toHaveLength(3);
  });

  it("reports 403 as 'denied' without retrying", async () => {
    standIn.fault({ operation: "RebootBroker", fault: "deny" });
    await expect(adapter().rebootBroker(clusterArn, 2)).rejects.toMatchObject({
      kind: "denied",
      code: "ForbiddenException",
      message:
        "MSK RebootBroker failed: ForbiddenException: Access forbidden. Check your credentials and then retry your request.",
    });
    expect(standIn.requestsFor("RebootBroker")).toHaveLength(1);
  });

  it("reports a 500 as a 'service' error after the bounded retries", async () => {
    standIn.fault({ operation: "DescribeClusterOperation", fault: "server-error" });
    const arn = "arn:aws:kafka:us-east-1:123456789012:cluster-operation/OrderProcessing/x/y";
    await expect(adapter().describeOperation(arn)).rejects.toMatchObject({
      kind: "service",
      code: "InternalServerErrorException",
    });
    expect(standIn.requestsFor("DescribeClusterOperation")).toHaveLength(3);
  });

  it("gives up within the timeout when the endpoint hangs", async () => {
    standIn.fault({ operation: "ListNodes", fault: "hang" });
    const began = Date.now();
    await expect(adapter(800).listBrokers(clusterArn)).rejects.toMatchObject({
      kind: "timeout",
      message: `MSK ListNodes: no answer from ${standIn.endpoint} within 0.8 s`,
    });
    expect(Date.now() - began).toBeLessThan(800 + 1_000);
  });

  it("says 'could not reach' quickly when nothing listens", async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dead = `http://127.0.0.1:${port}`;
    const msk = createMsk({ region, endpoint: dead, credentials, requestTimeoutMs: 3_000 });
    const began = Date.now();
    await expect(msk.describeCluster(clusterArn)).rejects.toMatchObject({
      kind: "unreachable",
      message: expect.stringContaining(`could not reach MSK at ${dead}: `),
    });
    expect(Date.now() - began).toBeLessThan(3_000);
  });
});
