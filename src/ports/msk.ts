/**
 * Amazon MSK (the control plane of a provisioned cluster), in our words: what the
 * kafka-broker-down runbook reads (cluster state, broker nodes) and does (reboot one broker, then
 * follow the reboot). Whether a broker answers Kafka requests is not something the MSK API says:
 * ask the Kafka port (cluster metadata) or CloudWatch for that.
 *
 * Errors: every method rejects with a typed error carrying a `kind` (unreachable, timeout, throttled,
 * denied, not-found, conflict, invalid, service) and a message fit for a thread.
 */

/** As the API reports it: ACTIVE, CREATING, DELETING, FAILED, HEALING, MAINTENANCE, REBOOTING_BROKER, UPDATING. */
export type MskClusterState =
  | "ACTIVE"
  | "CREATING"
  | "DELETING"
  | "FAILED"
  | "HEALING"
  | "MAINTENANCE"
  | "REBOOTING_BROKER"
  | "UPDATING"
  | (string & {});

export interface MskCluster {
  readonly arn: string;
  readonly name: string;
  readonly state: MskClusterState;
  /** Why the cluster is in its state, when the API says. */
  readonly stateInfo?: { readonly code?: string; readonly message?: string };
  readonly brokerCount: number;
  readonly kafkaVersion?: string;
  /** e.g. kafka.m5.large */
  readonly instanceType?: string;
  readonly clientSubnets: readonly string[];
  /** The operation running on the cluster now, if any. */
  readonly activeOperationArn?: string;
  readonly createdAt?: Date;
}

export interface MskBrokerNode {
  readonly brokerId: number;
  /** DNS names of the broker. */
  readonly endpoints: readonly string[];
  readonly clientSubnet?: string;
  readonly clientVpcIpAddress?: string;
  /** The elastic network interface attached to the broker. */
  readonly attachedEniId?: string;
  readonly instanceType?: string;
  readonly nodeArn?: string;
  readonly kafkaVersion?: string;
}

/** Our reading of an operation's state: PENDING, UPDATE_IN_PROGRESS, UPDATE_COMPLETE, UPDATE_FAILED. */
export type OperationPhase = "pending" | "in-progress" | "succeeded" | "failed" | "unknown";

export function operationPhase(state: string): OperationPhase {
  switch (state) {
    case "PENDING":
      return "pending";
    case "UPDATE_IN_PROGRESS":
      return "in-progress";
    case "UPDATE_COMPLETE":
      return "succeeded";
    case "UPDATE_FAILED":
      return "failed";
    default:
      return "unknown";
  }
}

export interface MskClusterOperation {
  readonly arn: string;
  readonly clusterArn: string;
  /** e.g. REBOOT_NODE */
  readonly type: string;
  /** As the API reports it. */
  readonly state: string;
  readonly phase: OperationPhase;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly steps: readonly { readonly name: string; readonly status?: string }[];
}

export interface MskPort {
  /** e.g. "MSK us-east-1". Never includes credentials. */
  readonly describeTarget: string;
  describeCluster(clusterArn: string): Promise<MskCluster>;
  /** Broker nodes (controller and ZooKeeper nodes left out), sorted by broker id. */
  listBrokers(clusterArn: string): Promise<MskBrokerNode[]>;
  /**
   * Reboots one broker (MSK reboots one broker at a time, only while the cluster is ACTIVE).
   * Resolves with the ARN of the cluster operation to follow.
   */
  rebootBroker(clusterArn: string, brokerId: number): Promise<{ readonly operationArn: string }>;
  describeOperation(operationArn: string): Promise<MskClusterOperation>;
}
