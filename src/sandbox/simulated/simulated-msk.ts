/**
 * MSK in the sandbox: the 3-broker OrderProcessing cluster. For the broker-down story one broker can
 * be marked down: as with real MSK, the control plane still lists it and the cluster stays ACTIVE
 * (a hung broker process is exactly the case MSK does not heal by itself); the Kafka side (cluster
 * metadata) is where it is missing, and `isBrokerUp` / `liveBrokerIds` let the simulated Kafka say so.
 * Rebooting it starts a REBOOT_NODE operation (cluster REBOOTING_BROKER, operation
 * UPDATE_IN_PROGRESS) that completes `rebootMs` later on the injected clock and brings the broker
 * back. One reboot at a time, only known broker ids, like MSK; errors are the real adapter's typed errors.
 */
import { AwsCallError } from "../../ports/aws-error.ts";
import { type Clock, systemClock } from "../../ports/clock.ts";
import {
  type MskBrokerNode,
  type MskCluster,
  type MskClusterOperation,
  type MskPort,
  operationPhase,
} from "../../ports/msk.ts";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const CLUSTER_ID = "5f3a1c2e-8b7d-4e6f-9a0b-1c2d3e4f5a6b-2";
export const ORDER_PROCESSING_CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/OrderProcessing/${CLUSTER_ID}`;
const SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"] as const;
const KAFKA_VERSION = "3.6.0";
const INSTANCE_TYPE = "kafka.m5.large";

interface Operation {
  readonly arn: string;
  readonly brokerId: number;
  readonly startedAt: Date;
  /** Its broker was brought back. */
  settled: boolean;
}

export interface SimulatedMskOptions {
  readonly clock?: Clock;
  /** How long a reboot takes on the clock. Default 90 s. */
  readonly rebootMs?: number;
  /** Brokers that are down from the start (the broker-down story uses [2]). */
  readonly downBrokerIds?: readonly number[];
}

export class SimulatedMsk implements MskPort {
  readonly describeTarget = "simulated MSK (sandbox)";
  readonly clusterArn = ORDER_PROCESSING_CLUSTER_ARN;
  readonly brokerIds: readonly number[] = [1, 2, 3];
  private readonly clock: Clock;
  private readonly rebootMs: number;
  private readonly down = new Set<number>();
  private readonly operations = new Map<string, Operation>();
  private readonly createdAt: Date;
  private operationCount = 0;

  constructor(options: SimulatedMskOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.rebootMs = options.rebootMs ?? 90_000;
    for (const id of options.downBrokerIds ?? []) this.markBrokerDown(id);
    this.createdAt = new Date(this.clock.now().getTime() - 90 * 24 * 3600_000);
  }

  /** The broker-down story: the broker stops answering Kafka requests until it is rebooted. */
  markBrokerDown(brokerId: number): void {
    if (!this.brokerIds.includes(brokerId)) throw new Error(`OrderProcessing has no broker ${brokerId}`);
    this.down.add(brokerId);
  }

  isBrokerUp(brokerId: number): boolean {
    this.settle();
    return (
      this.brokerIds.includes(brokerId) && !this.down.has(brokerId) && this.running()?.brokerId !== brokerId
    );
  }

  liveBrokerIds(): number[] {
    return this.brokerIds.filter((id) => this.isBrokerUp(id));
  }

  async describeCluster(clusterArn: string): Promise<MskCluster> {
    this.requireCluster(clusterArn, "DescribeCluster");
    const running = this.running();
    return {
      arn: this.clusterArn,
      name: "OrderProcessing",
      state: running === undefined ? "ACTIVE" : "REBOOTING_BROKER",
      brokerCount: this.brokerIds.length,
      kafkaVersion: KAFKA_VERSION,
      instanceType: INSTANCE_TYPE,
      clientSubnets: [...SUBNETS],
      ...(running === undefined ? {} : { activeOperationArn: running.arn }),
      createdAt: this.createdAt,
    };
  }

  async listBrokers(clusterArn: string): Promise<MskBrokerNode[]> {
    this.requireCluster(clusterArn, "ListNodes");
    return this.brokerIds.map((brokerId, i) => ({
      brokerId,
      endpoints: [`b-${brokerId}.orderprocessing.x7k2qd.c2.kafka.${REGION}.amazonaws.com`],
      clientSubnet: SUBNETS[i % SUBNETS.length] ?? SUBNETS[0],
      clientVpcIpAddress: `10.0.${i + 1}.${10 + brokerId}`,
      attachedEniId: `eni-0d4e5f6a7b8c9${String(brokerId).padStart(4, "0")}`,
      instanceType: INSTANCE_TYPE,
      nodeArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:broker/OrderProcessing/${CLUSTER_ID}/${brokerId}`,
      kafkaVersion: KAFKA_VERSION,
    }));
  }

  async rebootBroker(clusterArn: string, brokerId: number): Promise<{ operationArn: string }> {
    if (!Number.isInteger(brokerId) || brokerId < 0) {
      throw new AwsCallError("invalid", "InvalidBrokerId", `broker id ${brokerId} is not a broker id`);
    }
    this.requireCluster(clusterArn, "RebootBroker");
    if (!this.brokerIds.includes(brokerId)) {
      throw badRequest("RebootBroker", `Broker ${brokerId} is not part of the cluster.`);
    }
    const running = this.running();
    if (running !== undefined) {
      throw badRequest(
        "RebootBroker",
        `The cluster has an operation in progress (${running.arn}); retry when it is ACTIVE.`,
      );
    }
    this.operationCount += 1;
    const id = `0b1c2d3e-4f50-6172-8394-a5b6c7d8e${String(this.operationCount).padStart(3, "0")}`;
    const arn = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster-operation/OrderProcessing/${CLUSTER_ID}/${id}`;
    this.operations.set(arn, { arn, brokerId, startedAt: this.clock.now(), settled: false });
    return { operationArn: arn };
  }

  async describeOperation(operationArn: string): Promise<MskClusterOperation> {
    const op = this.operations.get(operationArn);
    if (op === undefined) {
      throw new AwsCallError(
        "not-found",
        "NotFoundException",
        `MSK DescribeClusterOperation failed: NotFoundException: Cluster operation ${operationArn} not found.`,
      );
    }
    this.settle();
    const done = this.done(op);
    const state = done ? "UPDATE_COMPLETE" : "UPDATE_IN_PROGRESS";
    return {
      arn: op.arn,
      clusterArn: this.clusterArn,
      type: "REBOOT_NODE",
      state,
      phase: operationPhase(state),
      startedAt: op.startedAt,
      ...(done ? { endedAt: new Date(op.startedAt.getTime() + this.rebootMs) } : {}),
      steps: [],
    };
  }

  private done(op: Operation): boolean {
    return this.clock.now().getTime() - op.startedAt.getTime() >= this.rebootMs;
  }

  private running(): Operation | undefined {
    return [...this.operations.values()].find((op) => !this.done(op));
  }

  /** A finished reboot brings its broker back. */
  private settle(): void {
    for (const op of this.operations.values()) {
      if (op.settled || !this.done(op)) continue;
      op.settled = true;
      this.down.delete(op.brokerId);
    }
  }

  private requireCluster(clusterArn: string, operation: string): void {
    if (clusterArn !== this.clusterArn) {
      throw new AwsCallError(
        "not-found",
        "NotFoundException",
        `MSK ${operation} failed: NotFoundException: Cluster ${clusterArn} not found.`,
      );
    }
  }
}

function badRequest(operation: string, message: string): AwsCallError {
  return new AwsCallError(
    "invalid",
    "BadRequestException",
    `MSK ${operation} failed: BadRequestException: ${message}`,
  );
}
