/**
 * The whole kafka-broker-down runbook through the engine with small port doubles: which branch,
 * which button, and what the thread says when a source is missing or failing.
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { RunReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type {
  ClusterDescription,
  ClusterPartitionHealth,
  GroupLag,
  KafkaPort,
  PartitionHealth,
  RoundTripResult,
} from "../../../../src/ports/kafka.ts";
import {
  type MskCluster,
  type MskClusterOperation,
  type MskPort,
  operationPhase,
} from "../../../../src/ports/msk.ts";
import { kafkaBrokerDownRunbook } from "../../../../src/runbooks/kafka-broker-down/index.ts";
import { fakeKafkaPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-03-01T12:00:00.000Z");
const ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/OrderProcessing/abc-1";
const OP_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster-operation/OrderProcessing/abc-1/op-1";
const clock: Clock = { now: () => NOW, sleep: async () => undefined };

const withMsk: AppConfig = {
  ...configSchema.parse({
    msk: { clusterArn: ARN },
    kafka: { brokers: ["b-1:9092", "b-2:9092", "b-3:9092"] },
  }),
  secrets: {},
};
const withoutMsk: AppConfig = { ...configSchema.parse({}), secrets: {} };

function partition(p: number, replicas: number[], down: readonly number[]): PartitionHealth {
  const isr = replicas.filter((r) => !down.includes(r));
  const leader = isr[0] ?? null;
  return {
    topic: "orders.raw",
    partition: p,
    leader,
    replicas,
    isr,
    offlineReplicas: replicas.filter((r) => down.includes(r)),
    underReplicated: leader !== null && isr.length < replicas.length,
    offline: leader === null,
  };
}

function kafkaWith(down: readonly number[], opts: { unreachable?: boolean } = {}) {
  const calls: string[] = [];
  const parts = [partition(0, [1, 2, 3], down), partition(1, [2, 3, 1], down), partition(2, [3, 1, 2], down)];
  const health: ClusterPartitionHealth = {
    partitions: parts,
    totals: {
      topics: 1,
      partitions: 3,
      underReplicated: parts.filter((p) => p.underReplicated).length,
      offline: parts.filter((p) => p.offline).length,
    },
  };
  const fail = () => Promise.reject(new Error("connect ECONNREFUSED b-1:9092"));
  const port: KafkaPort = fakeKafkaPort({
    describeTarget: "b-1:9092,b-2:9092,b-3:9092",
    describeCluster: opts.unreachable
      ? fail
      : async (o): Promise<ClusterDescription> => {
          calls.push(`describeCluster expected=${o?.expectedBrokers}`);
          return {
            clusterId: "c-1",
            controllerId: 1,
            brokers: [1, 2, 3]
              .filter((id) => !down.includes(id))
              .map((id) => ({ id, host: `b-${id}`, port: 9092 })),
            expectedBrokers: o?.expectedBrokers ?? null,
            missingBrokerIds: [...down],
          };
        },
    partitionHealth: opts.unreachable ? fail : async () => health,
    roundTrip: async (topic, timeoutMs): Promise<RoundTripResult> => {
      calls.push(`roundTrip ${topic} ${timeoutMs}`);
      return down.length >= 2 || opts.unreachable
        ? {
            ok: false,
            topic,
            failedAt: "produce",
            reason: `no acknowledgement within ${timeoutMs} ms`,
            timedOut: true,
            elapsedMs: timeoutMs,
          }
        : { ok: true, topic, partition: 0, offset: 42, produceMs: 12, consumeMs: 80 };
    },
    groupLag: opts.unreachable
      ? fail
      : async (group): Promise<GroupLag> => ({
          group,
          state: "Stable",
          members: 0,
          partitions: [],
          totalLag: 1_000,
        }),
  });
  return { port, calls };
}

function mskWith(state: string, operation?: "in-progress" | "failed-to-read") {
  const calls: string[] = [];
  const cluster: MskCluster = {
    arn: ARN,
    name: "OrderProcessing",
    state,
    brokerCount: 3,
    clientSubnets: ["subnet-1"],
    ...(operation ? { activeOperationArn: OP_ARN } : {}),
  };
  const port: MskPort = {
    describeTarget: "MSK us-east-1",
    describeCluster: async (arn) => {
      calls.push(`describeCluster ${arn}`);
      return cluster;
    },
    listBrokers: async () =>
      [1, 2, 3].map((brokerId) => ({
        brokerId,
        endpoints: [`b-${brokerId}.msk`],
        clientSubnet: `subnet-${brokerId}`,
      })),
    rebootBroker: async () => {
      throw new Error("a diagnosis must never reboot anything");
    },
    describeOperation: async (arn): Promise<MskClusterOperation> => {
      if (operation === "failed-to-read") throw new Error("AccessDenied");
      return {
        arn,
        clusterArn: ARN,
        type: "REBOOT_NODE",
        state: "UPDATE_IN_PROGRESS",
        phase: operationPhase("UPDATE_IN_PROGRESS"),
        startedAt: new Date(NOW.getTime() - 60_000),
        steps: [],
      };
    },
  };
  return { port, calls };
}

async function run(ports: Omit<Ports, "clock">, config = withMsk): Promise<RunReport> {
  return runRunbook(kafkaBrokerDownRunbook, { ports: { ...ports, clock }, config });
}

describe("kafka-broker-down runbook", () => {
  it("one broker down: asks for the expected broker count, the test topic, and offers the reboot", async () => {
    const kafka = kafkaWith([2]);
    const msk = mskWith("ACTIVE");
    const report = await run({ kafka: kafka.port, msk: msk.port });
    expect(kafka.calls).toContain("describeCluster expected=3");
    expect(kafka.calls).toContain("roundTrip runbook-bot.healthcheck 5000");
    expect(msk.calls).toEqual([`describeCluster ${ARN}`]);
    expect(report.conclusion.cause).toBe("one-broker-down");
    expect(report.conclusion.confidence).toBe("high");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "reboot-broker",
        label: "Reboot broker 2 of OrderProcessing",
        params: { clusterArn: ARN, brokerId: 2 },
      },
    ]);
    const verify = report.steps.find((s) => s.id === "verify")!;
    expect(verify.findings[0]!.evidence).toContainEqual(
      expect.objectContaining({
        kind: "code",
        text: expect.stringContaining("--bootstrap-server b-1:9092,b-2:9092,b-3:9092"),
      }),
    );
  });

  it("a reboot in progress: no second reboot, the operation is named", async () => {
    const report = await run({
      kafka: kafkaWith([2]).port,
      msk: mskWith("REBOOTING_BROKER", "in-progress").port,
    });
    expect(report.conclusion.cause).toBe("broker-rebooting");
    expect(report.conclusion.suggestedActions).toEqual([]);
    const assess = report.steps[0]!;
    expect(assess.findings.map((f) => f.title)).toContain(
      "MSK OrderProcessing is REBOOTING_BROKER (REBOOT_NODE in-progress)",
    );
  });

  it("an operation that cannot be read still counts as running", async () => {
    const report = await run({ kafka: kafkaWith([2]).port, msk: mskWith("ACTIVE", "failed-to-read").port });
    expect(report.conclusion.cause).toBe("broker-rebooting");
    expect(report.conclusion.suggestedActions).toEqual([]);
  });

  it("MSK in a state that refuses reboots: no button, says why", async () => {
    const report = await run({ kafka: kafkaWith([2]).port, msk: mskWith("FAILED").port });
    expect(report.conclusion.cause).toBe("one-broker-down");
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(report.steps[1]!.findings[0]!.detail).toMatch(
      /only reboots a broker while the cluster is ACTIVE \(it is FAILED\)/,
    );
  });

  it("MSK unreachable: works from Kafka, keeps the reboot-in-progress branch open", async () => {
    const msk: MskPort = {
      ...mskWith("ACTIVE").port,
      describeCluster: () => Promise.reject(new Error("throttled")),
    };
    const report = await run({ kafka: kafkaWith([2]).port, msk });
    expect(report.conclusion.cause).toBe("one-broker-down");
    expect(report.conclusion.confidence).toBe("medium");
    expect(report.conclusion.openBranches).toEqual(["a broker is already rebooting / MSK is recovering"]);
    expect(report.steps[0]!.findings.some((f) => f.severity === "error" && f.title.includes("MSK"))).toBe(
      true,
    );
  });

  it("two brokers down: outage, the first down broker is offered", async () => {
    const report = await run({ kafka: kafkaWith([2, 3]).port, msk: mskWith("ACTIVE").port });
    expect(report.conclusion.cause).toBe("cluster-unusable");
    expect(report.conclusion.severity).toBe("critical");
    expect(report.conclusion.suggestedActions.map((p) => p.params)).toEqual([
      { clusterArn: ARN, brokerId: 2 },
    ]);
  });

  it("all three down: partitions offline", async () => {
    const report = await run({ kafka: kafkaWith([1, 2, 3]).port, msk: mskWith("ACTIVE").port });
    expect(report.conclusion.cause).toBe("cluster-unusable");
    expect(report.steps[0]!.findings.map((f) => f.title)).toContain(
      "3 offline partition(s), 0 under-replicated",
    );
  });

  it("Kafka unreachable and the produce fails: unusable, but with low confidence", async () => {
    const report = await run({
      kafka: kafkaWith([], { unreachable: true }).port,
      msk: mskWith("ACTIVE").port,
    });
    expect(report.conclusion.cause).toBe("cluster-unusable");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches?.[0]).toMatch(/cannot reach the brokers/);
  });

  it("nothing configured: unknown, says what is not configured", async () => {
    const report = await run({}, withoutMsk);
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.steps[0]!.findings.map((f) => f.title)).toEqual(
      expect.arrayContaining(["Not checked: Kafka is not configured", "Not checked: MSK is not configured"]),
    );
  });

  it("all brokers answer: ok, the capacity point is still made", async () => {
    const report = await run({ kafka: kafkaWith([]).port, msk: mskWith("ACTIVE").port });
    expect(report.conclusion.cause).toBe("all-brokers-up");
    expect(report.conclusion.severity).toBe("ok");
    expect(report.conclusion.summary).toMatch(/with 3 brokers, losing 2 is an outage; consider 4\+/);
    expect(report.steps[2]!.status).toBe("ok");
  });
});
