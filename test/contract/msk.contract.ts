/**
 * The MskPort contract: what any adapter (real on its peers, or simulated) must do, so the sandbox
 * tells the truth about what MSK returns.
 *
 * The subject holds a 3-broker cluster named OrderProcessing (Kafka 3.6.0, kafka.m5.large, one
 * client subnet per broker). `advance` moves the peer's clock, so a reboot can complete.
 */
import { CreateClusterCommand, type KafkaClient } from "@aws-sdk/client-kafka";
import { beforeEach, describe, expect, it } from "vitest";
import type { MskPort } from "../../src/ports/msk.ts";

export interface MskContractSubject {
  readonly port: MskPort;
  readonly clusterArn: string;
  readonly clientSubnets: readonly string[];
  /** Cluster states the peer may report for a healthy cluster (moto never leaves CREATING). */
  readonly healthyStates: readonly string[];
  readonly rebootMs: number;
  advance(ms: number): void;
}

export function mskContract(label: string, setup: () => Promise<MskContractSubject>): void {
  describe(`MskPort contract: ${label}`, () => {
    let subject: MskContractSubject;
    beforeEach(async () => {
      subject = await setup();
    });

    it("describes the cluster: name, state, broker count, Kafka version, subnets", async () => {
      const cluster = await subject.port.describeCluster(subject.clusterArn);
      expect(cluster).toMatchObject({
        arn: subject.clusterArn,
        name: "OrderProcessing",
        brokerCount: 3,
        kafkaVersion: "3.6.0",
        instanceType: "kafka.m5.large",
        clientSubnets: subject.clientSubnets,
      });
      expect(subject.healthyStates).toContain(cluster.state);
      expect(cluster.createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(cluster.createdAt?.getTime())).toBe(false);
    });

    it("lists the three brokers with endpoints, subnet, ENI and instance type, sorted by id", async () => {
      const brokers = await subject.port.listBrokers(subject.clusterArn);
      expect(brokers.map((b) => b.brokerId)).toEqual([1, 2, 3]);
      for (const [i, broker] of brokers.entries()) {
        expect(broker.endpoints).toHaveLength(1);
        expect(broker.endpoints[0]).toMatch(
          new RegExp(
            `^b-${broker.brokerId}\\.orderprocessing\\.[a-z0-9]+\\.c2\\.kafka\\.us-east-1\\.amazonaws\\.com$`,
          ),
        );
        expect(broker.clientSubnet).toBe(subject.clientSubnets[i]);
        expect(broker.attachedEniId).toMatch(/^eni-[0-9a-f]+$/);
        expect(broker.clientVpcIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(broker.instanceType).toBe("kafka.m5.large");
        expect(broker.kafkaVersion).toBe("3.6.0");
      }
    });

    it("reboots one broker and follows the operation until it completes", async () => {
      const { operationArn } = await subject.port.rebootBroker(subject.clusterArn, 2);
      expect(operationArn).toMatch(/^arn:aws:kafka:us-east-1:\d{12}:cluster-operation\/OrderProcessing\//);
      const running = await subject.port.describeOperation(operationArn);
      expect(running).toMatchObject({
        arn: operationArn,
        clusterArn: subject.clusterArn,
        type: "REBOOT_NODE",
        state: "UPDATE_IN_PROGRESS",
        phase: "in-progress",
      });
      expect(running.endedAt).toBeUndefined();
      expect(running.startedAt).toBeInstanceOf(Date);

      subject.advance(subject.rebootMs);
      const done = await subject.port.describeOperation(operationArn);
      expect(done).toMatchObject({ state: "UPDATE_COMPLETE", phase: "succeeded" });
      expect(done.endedAt?.getTime()).toBe((running.startedAt?.getTime() ?? 0) + subject.rebootMs);
    });

    it("refuses a second reboot while one runs, and a broker id the cluster does not have", async () => {
      await subject.port.rebootBroker(subject.clusterArn, 1);
      await expect(subject.port.rebootBroker(subject.clusterArn, 3)).rejects.toMatchObject({
        kind: "invalid",
        code: "BadRequestException",
        message: expect.stringContaining("operation in progress"),
      });
      subject.advance(subject.rebootMs);
      await expect(subject.port.rebootBroker(subject.clusterArn, 7)).rejects.toMatchObject({
        kind: "invalid",
        code: "BadRequestException",
        message: "MSK RebootBroker failed: BadRequestException: Broker 7 is not part of the cluster.",
      });
      await expect(subject.port.rebootBroker(subject.clusterArn, 1.5)).rejects.toMatchObject({
        kind: "invalid",
        message: "broker id 1.5 is not a broker id",
      });
    });

    it("reports unknown clusters and operations as not-found", async () => {
      const missing = subject.clusterArn.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
      await expect(subject.port.listBrokers(missing)).rejects.toMatchObject({
        kind: "not-found",
        code: "NotFoundException",
      });
      await expect(subject.port.rebootBroker(missing, 1)).rejects.toMatchObject({ kind: "not-found" });
      const op = "arn:aws:kafka:us-east-1:123456789012:cluster-operation/OrderProcessing/x/none";
      await expect(subject.port.describeOperation(op)).rejects.toMatchObject({
        kind: "not-found",
        code: "NotFoundException",
      });
    });
  });
}

/** Test-only wiring: the OrderProcessing cluster, created in moto. */
export async function createOrderProcessing(
  client: KafkaClient,
  subnets: readonly string[],
): Promise<string> {
  const created = await client.send(
    new CreateClusterCommand({
      ClusterName: "OrderProcessing",
      KafkaVersion: "3.6.0",
      NumberOfBrokerNodes: 3,
      BrokerNodeGroupInfo: { ClientSubnets: [...subnets], InstanceType: "kafka.m5.large" },
    }),
  );
  if (created.ClusterArn === undefined) throw new Error("moto returned no cluster ARN");
  return created.ClusterArn;
}
