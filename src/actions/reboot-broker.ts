/**
 * Reboot one MSK broker: the seed's `aws kafka reboot-broker --cluster-arn ... --broker-ids 2`
 * when MSK does not recover a broker by itself. Only a broker id the cluster's nodes list, only on
 * the configured cluster, and not while MSK is busy with the cluster (another reboot, an update,
 * healing). While it reboots, its partitions lose a replica: critical.
 */
import { z } from "zod";
import type { AppConfig } from "../config/schema.ts";
import type { MskBrokerNode, MskCluster, MskPort } from "../ports/msk.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { messageOf, parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    clusterArn: z.string().min(1),
    brokerId: z.number().int().min(1),
    /** Set by the preview: Kafka did not list the broker as alive then (undefined: Kafka not readable). */
    downAtRequest: z.boolean().optional(),
  })
  .strict();

export type RebootBrokerParams = z.infer<typeof paramsSchema>;

/**
 * Cluster states in which MSK is already working on the cluster, so a reboot is refused (MSK
 * itself only reboots an ACTIVE cluster; other states are left for MSK to answer).
 */
export const BUSY_STATES: Readonly<Record<string, string>> = {
  REBOOTING_BROKER: "a broker reboot is already in progress",
  UPDATING: "an update is in progress",
  MAINTENANCE: "MSK maintenance is in progress",
  HEALING: "MSK is healing the cluster by itself",
  DELETING: "the cluster is being deleted",
};

/** "OrderProcessing" from arn:aws:kafka:us-east-1:123456789012:cluster/OrderProcessing/<uuid>. */
export function clusterNameOf(arn: string): string {
  return /:cluster\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/** The broker's endpoints, with the port the bot's Kafka config uses for that host when it lists it. */
export function brokerAddresses(broker: MskBrokerNode, config: AppConfig): string[] {
  const configured = config.kafka?.brokers ?? [];
  return broker.endpoints.map((host) => configured.find((b) => b.startsWith(`${host}:`)) ?? host);
}

export function rebootPreview(cluster: MskCluster, broker: MskBrokerNode, config: AppConfig): string {
  const addresses = brokerAddresses(broker, config);
  return `reboot MSK broker ${broker.brokerId} of ${cluster.name}${addresses.length > 0 ? ` (${addresses.join(", ")})` : ""}`;
}

export function busyRefusal(cluster: MskCluster): string | undefined {
  const why = BUSY_STATES[cluster.state];
  if (why === undefined) return undefined;
  const operation =
    cluster.activeOperationArn === undefined ? "" : ` (operation ${cluster.activeOperationArn})`;
  return `${cluster.name} is ${cluster.state}: ${why}${operation}; MSK reboots one broker at a time, on an ACTIVE cluster`;
}

async function plan(params: RebootBrokerParams, ctx: ActionContext) {
  const msk: MskPort = requirePort(ctx.ports.msk, "MSK");
  const cluster = await msk.describeCluster(params.clusterArn);
  const busy = busyRefusal(cluster);
  if (busy !== undefined) throw new ActionRefusal(busy);
  const brokers = await msk.listBrokers(params.clusterArn);
  const broker = brokers.find((b) => b.brokerId === params.brokerId);
  if (broker === undefined) {
    throw new ActionRefusal(
      `broker ${params.brokerId} is not one of ${cluster.name}'s brokers (${brokers.map((b) => b.brokerId).join(", ") || "none listed"})`,
    );
  }
  return { cluster, broker };
}

/**
 * Whether Kafka lists the broker as alive now; undefined when Kafka is not configured or does not
 * answer (a cluster in trouble often does not): then the reboot is judged on MSK's word alone.
 */
async function brokerAlive(brokerId: number, ctx: ActionContext): Promise<boolean | undefined> {
  const kafka = ctx.ports.kafka;
  if (kafka === undefined) return undefined;
  try {
    const cluster = await kafka.describeCluster({ expectedBrokers: ctx.config.thresholds.minBrokersAlive });
    return cluster.brokers.some((b) => b.id === brokerId) && !cluster.missingBrokerIds.includes(brokerId);
  } catch {
    return undefined;
  }
}

export const rebootBroker: ActionDefinition<RebootBrokerParams> = {
  id: "reboot-broker",
  title: "Reboot MSK broker",
  risk: "critical",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => {
      const allowed = config.msk?.clusterArn;
      if (allowed === undefined) return ["clusterArn: no MSK cluster is configured (msk.clusterArn)"];
      return p.clusterArn === allowed
        ? []
        : [
            `clusterArn: only the configured cluster ${clusterNameOf(allowed)} may be touched, not ${p.clusterArn}`,
          ];
    });
  },
  async prepare(params, ctx) {
    const { cluster, broker } = await plan(params, ctx);
    const alive = await brokerAlive(params.brokerId, ctx);
    const { downAtRequest: _was, ...rest } = params;
    return {
      params: alive === undefined ? rest : { ...rest, downAtRequest: !alive },
      preview:
        rebootPreview(cluster, broker, ctx.config) + (alive === true ? " (Kafka lists it as alive now)" : ""),
    };
  },
  async recheck(params, ctx) {
    return refusalOf(async () => {
      await plan(params, ctx);
      // The seed's precondition: is the broker still down? Not rebooting one that came back.
      if (params.downAtRequest === true && (await brokerAlive(params.brokerId, ctx)) === true) {
        throw new ActionRefusal(
          `broker ${params.brokerId} answers again since the request: not rebooting a broker that recovered`,
        );
      }
    });
  },
  outcomeCheck(params) {
    return `the state of MSK broker ${params.brokerId} (ListNodes / the cluster's state: REBOOTING_BROKER if it applied) in ${params.clusterArn}`;
  },
  async execute(params, ctx) {
    const msk = requirePort(ctx.ports.msk, "MSK");
    const { operationArn } = await msk.rebootBroker(params.clusterArn, params.brokerId);
    // The reboot is under way: a failing read afterwards must not turn it into a failure.
    const state = await msk.describeOperation(operationArn).then(
      (op) => op.state,
      (error: unknown) => `unknown (${messageOf(error)})`,
    );
    return {
      message: `reboot of MSK broker ${params.brokerId} started: operation ${operationArn} is ${state}`,
      details: {
        clusterArn: params.clusterArn,
        brokerId: params.brokerId,
        operationArn,
        operationState: state,
      },
    };
  },
};
