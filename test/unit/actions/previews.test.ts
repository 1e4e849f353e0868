/**
 * Preview and refusal logic of the actions: the pure parts table-driven, and prepare / recheck
 * over small port doubles where a peer cannot easily show the case (the adapters are tested
 * against their peers in test/integration/actions-*.test.ts).
 */
import { describe, expect, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../../src/actions/action.ts";
import { pickDestination } from "../../../src/actions/firehose-buffering.ts";
import { growRefusal, storageBytes } from "../../../src/actions/grow-pvc.ts";
import {
  brokerAddresses,
  busyRefusal,
  clusterNameOf,
  rebootBroker,
  rebootPreview,
} from "../../../src/actions/reboot-broker.ts";
import { restartTaskmanagers } from "../../../src/actions/restart-taskmanagers.ts";
import { pickRevisions, rollbackPreview } from "../../../src/actions/rollback.ts";
import {
  millicoresQuantity,
  requestedChange,
  resourceChanges,
  setTaskmanagerResources,
} from "../../../src/actions/set-taskmanager-resources.ts";
import { triggerCheckpoint } from "../../../src/actions/trigger-checkpoint.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import type { DeliveryStreamInfo } from "../../../src/ports/firehose.ts";
import { FlinkError, type FlinkJobSummary, type FlinkPort } from "../../../src/ports/flink.ts";
import type {
  FlinkDeploymentInfo,
  RolloutRevision,
  TaskmanagerWorkload,
  VolumeClaimInfo,
} from "../../../src/ports/kubernetes.ts";
import type { MskBrokerNode, MskCluster } from "../../../src/ports/msk.ts";
import { SimulatedMsk } from "../../../src/sandbox/simulated/simulated-msk.ts";
import { fakeKubernetesPort } from "../../fakes/ports.ts";
import { CLUSTER_ARN, testConfig } from "./config.ts";

const config = testConfig();

const revision = (n: number, image: string, current = false, cause: string | null = `deploy ${image}`) =>
  ({
    revision: n,
    replicaSet: `flink-taskmanager-${n}`,
    changeCause: cause,
    images: [`flink-job:${image}`],
    createdAt: "2025-06-02T08:41:27Z",
    replicas: current ? 4 : 0,
    current,
  }) satisfies RolloutRevision;

const HISTORY = [revision(3, "1.4.1"), revision(4, "1.4.2"), revision(5, "1.4.3", true)];

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionRefusal);
  return (error as Error).message;
}

function refusalSync(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ActionRefusal);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("rollback", () => {
  it("previews both revisions with image and change-cause", () => {
    const { current, target } = pickRevisions(HISTORY, "flink-taskmanager", undefined);
    expect(rollbackPreview({ namespace: "flink", deployment: "flink-taskmanager" }, current, target)).toBe(
      'rollback flink-taskmanager in flink: revision 5 (flink-job:1.4.3, "deploy 1.4.3") -> revision 4 (flink-job:1.4.2, "deploy 1.4.2")',
    );
    const chosen = pickRevisions([...HISTORY.slice(0, 2), revision(5, "1.4.3", true, null)], "x", 3);
    expect(rollbackPreview({ namespace: "flink", deployment: "x" }, chosen.current, chosen.target)).toBe(
      'rollback x in flink: revision 5 (flink-job:1.4.3, no change-cause) -> revision 3 (flink-job:1.4.1, "deploy 1.4.1")',
    );
  });

  it.each([
    [HISTORY, 5, "flink-taskmanager already runs revision 5: nothing to roll back"],
    [HISTORY, 9, "revision 9 is not in the rollout history of flink-taskmanager (revisions: 3, 4, 5)"],
    [[revision(1, "1.0.0", true)], undefined, "flink-taskmanager has no revision before 1 to roll back to"],
    [
      [revision(1, "1.0.0")],
      undefined,
      "flink-taskmanager has no revision matching its current pod template",
    ],
  ])("refuses %#", (history, to, message) => {
    expect(refusalSync(() => pickRevisions(history, "flink-taskmanager", to))).toBe(message);
  });
});

describe("restart-taskmanagers in operator mode", () => {
  const flink = (patch: Partial<FlinkDeploymentInfo>): FlinkDeploymentInfo => ({
    name: "order-processing",
    jobState: "RUNNING",
    lifecycleState: "STABLE",
    reconciliationState: "DEPLOYED",
    jobManagerStatus: "READY",
    parallelism: 4,
    taskManagerReplicas: 4,
    taskManagerCpu: 2,
    taskManagerMemory: "8Gi",
    restartNonce: 3,
    error: null,
    ...patch,
  });
  const ctxWith = (info: FlinkDeploymentInfo): ActionContext => {
    const workload: TaskmanagerWorkload = {
      mode: "flink-operator",
      kind: "FlinkDeployment",
      namespace: "flink",
      name: "order-processing",
      detectedBy: "name",
      flink: info,
    };
    return {
      config,
      ports: {
        clock: systemClock,
        kubernetes: fakeKubernetesPort({
          describeTarget: "fake",
          taskmanagerWorkload: async () => workload,
        }),
      },
    };
  };
  const params = { namespace: "flink", deployment: "flink-taskmanager" };

  it("previews the nonce increment (unset counts as 0)", async () => {
    expect((await restartTaskmanagers.prepare(params, ctxWith(flink({})))).preview).toBe(
      "restartNonce 3 -> 4 on FlinkDeployment order-processing in namespace flink",
    );
    expect((await restartTaskmanagers.prepare(params, ctxWith(flink({ restartNonce: null })))).preview).toBe(
      "restartNonce unset -> 1 on FlinkDeployment order-processing in namespace flink",
    );
  });

  it("refuses, and at execution time says why, while the operator is busy with the deployment", async () => {
    const busy = ctxWith(flink({ lifecycleState: "UPGRADING" }));
    const reason =
      "FlinkDeployment order-processing is UPGRADING: the operator is busy with it already; try again once it is STABLE";
    expect(await refusal(restartTaskmanagers.prepare(params, busy))).toBe(reason);
    expect(await restartTaskmanagers.recheck(params, busy)).toBe(reason);
    expect(await restartTaskmanagers.recheck(params, ctxWith(flink({ lifecycleState: "FAILED" })))).toBe(
      undefined,
    );
  });
});

describe("set-taskmanager-resources", () => {
  it("words the change, with the current value where it is known", () => {
    const p = { requests: { memory: "10Gi" }, limits: { memory: "12Gi", cpu: "3" } };
    expect(resourceChanges(p, { limits: { memory: "8Gi" } })).toBe(
      "limits cpu 3, limits memory 8Gi -> 12Gi, requests memory 10Gi",
    );
    expect(requestedChange({ requests: {}, limits: { memory: "12Gi" } })).toEqual({
      limits: { memory: "12Gi" },
    });
    expect([2000, 1500, 250].map(millicoresQuantity)).toEqual(["2", "1500m", "250m"]);
  });

  it("in operator mode: one value per resource, so a request that differs from its limit is refused", async () => {
    const workload: TaskmanagerWorkload = {
      mode: "flink-operator",
      kind: "FlinkDeployment",
      namespace: "flink",
      name: "order-processing",
      detectedBy: "configured",
      flink: {
        name: "order-processing",
        jobState: "RUNNING",
        lifecycleState: "STABLE",
        reconciliationState: "DEPLOYED",
        jobManagerStatus: "READY",
        parallelism: 4,
        taskManagerReplicas: 4,
        taskManagerCpu: 2,
        taskManagerMemory: "8Gi",
        restartNonce: null,
        error: null,
      },
    };
    const ctx: ActionContext = {
      config,
      ports: {
        clock: systemClock,
        kubernetes: fakeKubernetesPort({ describeTarget: "fake", taskmanagerWorkload: async () => workload }),
      },
    };
    const base = { namespace: "flink", deployment: "flink-taskmanager", container: "taskmanager" };
    expect(
      await refusal(
        setTaskmanagerResources.prepare(
          { ...base, requests: { memory: "10Gi" }, limits: { memory: "12Gi" } },
          ctx,
        ),
      ),
    ).toBe(
      "FlinkDeployment order-processing has one memory value for request and limit (spec.taskManager.resource.memory): ask for the same request and limit, not 10Gi and 12Gi",
    );
    expect(
      (
        await setTaskmanagerResources.prepare(
          { ...base, requests: { memory: "12Gi" }, limits: { memory: "12Gi" } },
          ctx,
        )
      ).preview,
    ).toBe(
      "FlinkDeployment order-processing taskManager.resource in namespace flink: memory 8Gi -> 12Gi (the operator redeploys the job)",
    );
    expect(
      await refusal(setTaskmanagerResources.prepare({ ...base, limits: { cpu: "2", memory: "8Gi" } }, ctx)),
    ).toBe("FlinkDeployment order-processing already has these resources: nothing to change");
  });
});

describe("grow-pvc", () => {
  const claim = (patch: Partial<VolumeClaimInfo>): VolumeClaimInfo => ({
    namespace: "flink",
    name: "flink-state-pvc",
    phase: "Bound",
    requested: "50Gi",
    requestedBytes: 50 * 2 ** 30,
    capacity: "50Gi",
    capacityBytes: 50 * 2 ** 30,
    storageClass: "gp3",
    allowsExpansion: true,
    resizing: null,
    ...patch,
  });

  it("reads sizes as Kubernetes quantities", () => {
    expect(["100Gi", "53687091200", "50G", "0", "big"].map(storageBytes)).toEqual([
      100 * 2 ** 30,
      50 * 2 ** 30,
      50e9,
      undefined,
      undefined,
    ]);
  });

  it.each([
    [{}, "100Gi", undefined],
    [{}, "51200Mi", "flink-state-pvc can only grow: 51200Mi is not larger than its current 50Gi"],
    [{}, "40Gi", "flink-state-pvc can only grow: 40Gi is not larger than its current 50Gi"],
    [
      { storageClass: "gp2", allowsExpansion: false },
      "100Gi",
      "flink-state-pvc cannot be expanded: StorageClass gp2 does not set allowVolumeExpansion: true",
    ],
    [
      { storageClass: null, allowsExpansion: false },
      "100Gi",
      "flink-state-pvc has no StorageClass, so it cannot be expanded",
    ],
    [{ allowsExpansion: null }, "100Gi", undefined],
    [
      { resizing: "FileSystemResizePending" },
      "100Gi",
      "flink-state-pvc is being resized already (FileSystemResizePending); wait until it finishes",
    ],
  ])("%j to %s", (patch, to, reason) => {
    expect(growRefusal(claim(patch), to)).toBe(reason);
  });
});

describe("reboot-broker", () => {
  const cluster = (state: string, activeOperationArn?: string): MskCluster => ({
    arn: CLUSTER_ARN,
    name: "OrderProcessing",
    state,
    brokerCount: 3,
    clientSubnets: [],
    ...(activeOperationArn ? { activeOperationArn } : {}),
  });
  const broker = (id: number): MskBrokerNode => ({
    brokerId: id,
    endpoints: [`b-${id}.orderprocessing.abc123.c2.kafka.us-east-1.amazonaws.com`],
  });

  it("names the broker with the port the bot's Kafka config uses for it", () => {
    expect(rebootPreview(cluster("ACTIVE"), broker(2), config)).toBe(
      "reboot MSK broker 2 of OrderProcessing (b-2.orderprocessing.abc123.c2.kafka.us-east-1.amazonaws.com:9096)",
    );
    expect(brokerAddresses(broker(3), config)).toEqual([
      "b-3.orderprocessing.abc123.c2.kafka.us-east-1.amazonaws.com",
    ]);
    expect(clusterNameOf(CLUSTER_ARN)).toBe("OrderProcessing");
  });

  it("refuses while MSK is busy with the cluster, and leaves other states to MSK", () => {
    expect(busyRefusal(cluster("REBOOTING_BROKER", "arn:op/1"))).toBe(
      "OrderProcessing is REBOOTING_BROKER: a broker reboot is already in progress (operation arn:op/1); MSK reboots one broker at a time, on an ACTIVE cluster",
    );
    expect(busyRefusal(cluster("HEALING"))).toMatch(/^OrderProcessing is HEALING: MSK is healing/);
    expect(busyRefusal(cluster("ACTIVE"))).toBeUndefined();
  });

  it("on the sandbox's MSK: a reboot started by someone else since the request is caught at execution", async () => {
    const msk = new SimulatedMsk();
    const ctx: ActionContext = { config, ports: { clock: systemClock, msk } };
    const params = { clusterArn: CLUSTER_ARN, brokerId: 2 };
    const prepared = await rebootBroker.prepare(params, ctx);
    expect(prepared.preview).toMatch(/^reboot MSK broker 2 of OrderProcessing \(b-2\./);
    expect(await rebootBroker.recheck(params, ctx)).toBeUndefined();
    const { operationArn } = await msk.rebootBroker(CLUSTER_ARN, 3);
    expect(await rebootBroker.recheck(params, ctx)).toMatch(
      /^OrderProcessing is REBOOTING_BROKER: a broker reboot is already in progress/,
    );
    expect(await rebootBroker.recheck(params, ctx)).toContain(operationArn);
    expect(
      await refusal(
        rebootBroker.prepare(
          { ...params, brokerId: 9 },
          { ...ctx, ports: { clock: systemClock, msk: new SimulatedMsk() } },
        ),
      ),
    ).toBe("broker 9 is not one of OrderProcessing's brokers (1, 2, 3)");
  });
});

describe("firehose-buffering", () => {
  const stream = (destinations: DeliveryStreamInfo["destinations"]): DeliveryStreamInfo => ({
    name: "order-firehose",
    arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/order-firehose",
    status: "ACTIVE",
    versionId: "3",
    type: "DirectPut",
    destinations,
  });
  const s3 = {
    flavour: "extended-s3" as const,
    bucketArn: "arn:aws:s3:::b",
    roleArn: "arn:aws:iam::123456789012:role/r",
    dynamicPartitioning: false,
  };

  it("takes the only destination when none is named, and refuses unknown or non-S3 ones", () => {
    const one = stream([{ id: "destinationId-000000000001", type: "s3", s3 }]);
    expect(pickDestination(one, undefined).id).toBe("destinationId-000000000001");
    expect(refusalSync(() => pickDestination(one, "destinationId-9"))).toBe(
      "order-firehose has no destination destinationId-9 (destinations: destinationId-000000000001)",
    );
    const http = stream([{ id: "destinationId-000000000001", type: "HttpEndpoint" }]);
    expect(refusalSync(() => pickDestination(http, undefined))).toBe(
      "destination destinationId-000000000001 of order-firehose is HttpEndpoint, not S3: its buffering is not changed here",
    );
  });
});

describe("trigger-checkpoint", () => {
  const JOB: FlinkJobSummary = {
    id: "7c1f0d0e5e2a4b55a1d9f3e2b8c4d6a1",
    name: "order-processing",
    state: "RUNNING",
    startTime: null,
    durationMs: 1000,
  };
  const ctxWith = (findJob: FlinkPort["findJob"]): ActionContext => ({
    config,
    ports: { clock: systemClock, flink: { describeTarget: "fake", findJob } as unknown as FlinkPort },
  });

  it("only for the pipeline's RUNNING job", async () => {
    const params = { jobId: JOB.id };
    expect(
      (
        await triggerCheckpoint.prepare(
          params,
          ctxWith(async () => JOB),
        )
      ).preview,
    ).toBe(
      "trigger a checkpoint of Flink job order-processing (7c1f0d0e…, RUNNING) through Flink REST and wait for its outcome",
    );
    expect(
      await refusal(
        triggerCheckpoint.prepare(
          { jobId: "f".repeat(32) },
          ctxWith(async () => JOB),
        ),
      ),
    ).toBe("job ffffffff… is not the pipeline's job (order-processing is 7c1f0d0e…)");
    expect(
      await triggerCheckpoint.recheck(
        params,
        ctxWith(async () => ({ ...JOB, state: "RESTARTING" })),
      ),
    ).toBe("job order-processing is RESTARTING: only a RUNNING job takes checkpoints");
    const none = ctxWith(async () => {
      throw new FlinkError("no-job", "no RUNNING job on Flink REST http://jm:8081");
    });
    expect(await refusal(triggerCheckpoint.prepare(params, none))).toBe(
      "no RUNNING job on Flink REST http://jm:8081",
    );
    const down = ctxWith(async () => {
      throw new FlinkError("unreachable", "Flink REST http://jm:8081 is unreachable");
    });
    await expect(triggerCheckpoint.prepare(params, down)).rejects.toThrow(FlinkError);
  });

  it("says when Flink is not configured", async () => {
    const ctx: ActionContext = { config, ports: { clock: systemClock } };
    expect(await refusal(triggerCheckpoint.prepare({ jobId: JOB.id }, ctx))).toBe(
      "Flink REST is not configured: the bot cannot reach it",
    );
  });
});
