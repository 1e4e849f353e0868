/**
 * MskPort over the Amazon MSK API (@aws-sdk/client-kafka, REST-JSON): DescribeCluster, ListNodes
 * (paginated), RebootBroker and DescribeClusterOperation.
 *
 * RebootBroker is a write: the SDK retries it only on throttling, 5xx and network errors, where MSK
 * did not start an operation. The broker id is checked before the call.
 */
import {
  type ClusterOperationInfo,
  DescribeClusterCommand,
  DescribeClusterOperationCommand,
  KafkaClient,
  ListNodesCommand,
  type NodeInfo,
  RebootBrokerCommand,
} from "@aws-sdk/client-kafka";
import {
  type MskBrokerNode,
  type MskCluster,
  type MskClusterOperation,
  type MskPort,
  operationPhase,
} from "../../ports/msk.ts";
import {
  AwsCallError,
  type AwsClientOptions,
  awsClientConfig,
  callAws,
  describeAwsTarget,
} from "./aws-call.ts";

export type MskOptions = AwsClientOptions;

const SERVICE = "MSK";
/** Pages of ListNodes followed at most (100 nodes a page): a guard against a token that never ends. */
const MAX_PAGES = 50;

function brokerNode(node: NodeInfo): MskBrokerNode | undefined {
  const broker = node.BrokerNodeInfo;
  if (broker?.BrokerId === undefined) return undefined;
  const version = broker.CurrentBrokerSoftwareInfo?.KafkaVersion;
  return {
    brokerId: broker.BrokerId,
    endpoints: broker.Endpoints ?? [],
    ...(broker.ClientSubnet === undefined ? {} : { clientSubnet: broker.ClientSubnet }),
    ...(broker.ClientVpcIpAddress === undefined ? {} : { clientVpcIpAddress: broker.ClientVpcIpAddress }),
    ...(broker.AttachedENIId === undefined ? {} : { attachedEniId: broker.AttachedENIId }),
    ...(node.InstanceType === undefined ? {} : { instanceType: node.InstanceType }),
    ...(node.NodeARN === undefined ? {} : { nodeArn: node.NodeARN }),
    ...(version === undefined ? {} : { kafkaVersion: version }),
  };
}

function operation(info: ClusterOperationInfo, arn: string): MskClusterOperation {
  const state = info.OperationState ?? "UNKNOWN";
  const error = info.ErrorInfo;
  return {
    arn: info.OperationArn ?? arn,
    clusterArn: info.ClusterArn ?? "",
    type: info.OperationType ?? "UNKNOWN",
    state,
    phase: operationPhase(state),
    ...(info.CreationTime === undefined ? {} : { startedAt: new Date(info.CreationTime) }),
    ...(info.EndTime === undefined ? {} : { endedAt: new Date(info.EndTime) }),
    ...(error?.ErrorCode === undefined && error?.ErrorString === undefined
      ? {}
      : {
          error: {
            ...(error.ErrorCode === undefined ? {} : { code: error.ErrorCode }),
            ...(error.ErrorString === undefined ? {} : { message: error.ErrorString }),
          },
        }),
    steps: (info.OperationSteps ?? []).map((step) => ({
      name: step.StepName ?? "",
      ...(step.StepInfo?.StepStatus === undefined ? {} : { status: step.StepInfo.StepStatus }),
    })),
  };
}

export function createMsk(options: MskOptions): MskPort {
  const client = new KafkaClient(awsClientConfig(options));
  const ctx = (operationName: string) => ({ service: SERVICE, operation: operationName, options });

  async function describeCluster(clusterArn: string): Promise<MskCluster> {
    const output = await callAws(ctx("DescribeCluster"), (abortSignal) =>
      client.send(new DescribeClusterCommand({ ClusterArn: clusterArn }), { abortSignal }),
    );
    const info = output.ClusterInfo;
    if (info === undefined) {
      throw new AwsCallError(
        "service",
        "EmptyResponse",
        `${SERVICE} DescribeCluster returned nothing for ${clusterArn}`,
      );
    }
    const group = info.BrokerNodeGroupInfo;
    const version = info.CurrentBrokerSoftwareInfo?.KafkaVersion;
    const stateInfo = info.StateInfo;
    return {
      arn: info.ClusterArn ?? clusterArn,
      name: info.ClusterName ?? "",
      state: info.State ?? "UNKNOWN",
      ...(stateInfo?.Code === undefined && stateInfo?.Message === undefined
        ? {}
        : {
            stateInfo: {
              ...(stateInfo.Code === undefined ? {} : { code: stateInfo.Code }),
              ...(stateInfo.Message === undefined ? {} : { message: stateInfo.Message }),
            },
          }),
      brokerCount: info.NumberOfBrokerNodes ?? 0,
      ...(version === undefined ? {} : { kafkaVersion: version }),
      ...(group?.InstanceType === undefined ? {} : { instanceType: group.InstanceType }),
      clientSubnets: group?.ClientSubnets ?? [],
      ...(info.ActiveOperationArn === undefined ? {} : { activeOperationArn: info.ActiveOperationArn }),
      ...(info.CreationTime === undefined ? {} : { createdAt: new Date(info.CreationTime) }),
    };
  }

  async function listBrokers(clusterArn: string): Promise<MskBrokerNode[]> {
    const brokers: MskBrokerNode[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const token = nextToken;
      const output = await callAws(ctx("ListNodes"), (abortSignal) =>
        client.send(
          new ListNodesCommand({
            ClusterArn: clusterArn,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
          { abortSignal },
        ),
      );
      for (const node of output.NodeInfoList ?? []) {
        const broker = brokerNode(node);
        if (broker !== undefined) brokers.push(broker);
      }
      nextToken = output.NextToken || undefined;
      if (nextToken === undefined) return brokers.sort((a, b) => a.brokerId - b.brokerId);
    }
    throw new AwsCallError(
      "service",
      "TooManyPages",
      `${SERVICE} ListNodes still had more nodes after ${MAX_PAGES} pages for ${clusterArn}`,
    );
  }

  async function rebootBroker(clusterArn: string, brokerId: number): Promise<{ operationArn: string }> {
    if (!Number.isInteger(brokerId) || brokerId < 0) {
      throw new AwsCallError("invalid", "InvalidBrokerId", `broker id ${brokerId} is not a broker id`);
    }
    const output = await callAws(ctx("RebootBroker"), (abortSignal) =>
      client.send(new RebootBrokerCommand({ ClusterArn: clusterArn, BrokerIds: [String(brokerId)] }), {
        abortSignal,
      }),
    );
    if (output.ClusterOperationArn === undefined) {
      throw new AwsCallError(
        "service",
        "EmptyResponse",
        `${SERVICE} RebootBroker returned no operation for broker ${brokerId} of ${clusterArn}`,
      );
    }
    return { operationArn: output.ClusterOperationArn };
  }

  async function describeOperation(operationArn: string): Promise<MskClusterOperation> {
    const output = await callAws(ctx("DescribeClusterOperation"), (abortSignal) =>
      client.send(new DescribeClusterOperationCommand({ ClusterOperationArn: operationArn }), {
        abortSignal,
      }),
    );
    if (output.ClusterOperationInfo === undefined) {
      throw new AwsCallError(
        "service",
        "EmptyResponse",
        `${SERVICE} DescribeClusterOperation returned nothing for ${operationArn}`,
      );
    }
    return operation(output.ClusterOperationInfo, operationArn);
  }

  return {
    describeTarget: describeAwsTarget(SERVICE, options),
    describeCluster,
    listBrokers,
    rebootBroker,
    describeOperation,
  };
}
