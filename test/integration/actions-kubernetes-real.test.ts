/**
 * Every Kubernetes action (scale, rollback, restart, delete pods, set resources, grow the state
 * volume) through prepare -> recheck -> execute on the real adapter against a real
 * kube-apiserver v1.34 and its controller manager (test/peers/kube-peer.ts), the sandbox's story in
 * a namespace of its own per test. What is asserted is what the server and its controllers made
 * of the write (new ReplicaSets, renumbered revisions, stored templates, Terminating pods), and the
 * refusals a real server leads to. The exact requests are asserted on the stand-in
 * (actions-kubernetes.test.ts); operator mode uses the FlinkDeployment CRD (no operator runs).
 */
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../src/actions/action.ts";
import { deleteTaskmanagerPods } from "../../src/actions/delete-taskmanager-pods.ts";
import { growPvc } from "../../src/actions/grow-pvc.ts";
import { restartTaskmanagers } from "../../src/actions/restart-taskmanagers.ts";
import { rollback } from "../../src/actions/rollback.ts";
import { scaleTaskmanagers } from "../../src/actions/scale-taskmanagers.ts";
import { setTaskmanagerResources } from "../../src/actions/set-taskmanager-resources.ts";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { installFlinkDeploymentCrd } from "../peers/kube-flink-crd.ts";
import { finishDeletions, settlePods } from "../peers/kube-kubelet.ts";
import { kube, MERGE_PATCH } from "../peers/kube-rest.ts";
import {
  createNamespace,
  deleteNamespace,
  STORY_SELECTOR,
  seedOperatorStandalone,
  seedStory,
} from "../peers/kube-story.ts";
import { testConfig } from "../unit/actions/config.ts";

const peer = inject("kubePeer");
const DEPLOYMENT = "flink-taskmanager";
const SETTLE = { timeout: 15_000, interval: 100 };
let namespaces: string[] = [];

afterEach(async () => {
  await Promise.all(namespaces.map((ns) => deleteNamespace(peer, ns)));
  namespaces = [];
});

function contextFor(namespace: string): ActionContext {
  const kubernetes = createKubernetes({ kubeConfigYaml: peer.adminKubeConfigYaml, requestTimeoutMs: 10_000 });
  return {
    config: testConfig({ pipeline: { namespace } }),
    ports: { clock: systemClock, kubernetes },
  };
}

async function story(prefix: string): Promise<{ ns: string; pods: string[]; ctx: ActionContext }> {
  const seeded = await seedStory(peer, prefix);
  namespaces.push(seeded.namespace);
  return { ns: seeded.namespace, pods: seeded.pods, ctx: contextFor(seeded.namespace) };
}

async function operator(prefix: string): Promise<{ ns: string; ctx: ActionContext }> {
  const ns = await createNamespace(peer, prefix);
  namespaces.push(ns);
  await seedOperatorStandalone(peer, ns);
  return { ns, ctx: contextFor(ns) };
}

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

interface StoredDeployment {
  metadata: { annotations?: Record<string, string> };
  spec: {
    replicas: number;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { name: string; image: string; resources?: Record<string, unknown> }[] };
    };
  };
}

const deployment = (ns: string) =>
  kube<StoredDeployment>(peer, "GET", `/apis/apps/v1/namespaces/${ns}/deployments/${DEPLOYMENT}`);

const pause = (ns: string, paused: boolean) =>
  kube(
    peer,
    "PATCH",
    `/apis/apps/v1/namespaces/${ns}/deployments/${DEPLOYMENT}`,
    { spec: { paused } },
    MERGE_PATCH,
  );

beforeAll(async () => {
  await installFlinkDeploymentCrd(peer);
});

describe("scale-taskmanagers", () => {
  it("scales the Deployment and the controller makes the pods", async () => {
    const { ns, ctx } = await story("act-scale");
    const params = { namespace: ns, deployment: DEPLOYMENT, replicas: 6 };
    const prepared = await scaleTaskmanagers.prepare(params, ctx);
    expect(prepared.preview).toBe(`${DEPLOYMENT}: 4 -> 6 replicas in namespace ${ns}`);
    expect(await scaleTaskmanagers.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await scaleTaskmanagers.execute(prepared.params, ctx);
    expect(result.message).toBe(`${DEPLOYMENT} scaled 4 -> 6 replicas in namespace ${ns}`);
    expect(await settlePods(peer, ns, peer.node, { labelSelector: STORY_SELECTOR, expect: 6 })).toHaveLength(
      6,
    );
    expect(await refusal(scaleTaskmanagers.prepare(params, ctx))).toBe(
      `${DEPLOYMENT} already has 6 replicas: nothing to change`,
    );
  });

  it("scales the FlinkDeployment in operator mode and reads the count back from it", async () => {
    const { ns, ctx } = await operator("act-scale-op");
    const prepared = await scaleTaskmanagers.prepare(
      { namespace: ns, deployment: DEPLOYMENT, replicas: 8 },
      ctx,
    );
    expect(prepared.preview).toBe(`${DEPLOYMENT}: 4 -> 8 replicas in namespace ${ns}`);
    await scaleTaskmanagers.execute(prepared.params, ctx);
    const fd = await kube<{ spec: { taskManager: { replicas: number } } }>(
      peer,
      "GET",
      `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments/flink`,
    );
    expect(fd.spec.taskManager.replicas).toBe(8);
    expect((await deployment(ns)).spec.replicas).toBe(4);
    const again = await scaleTaskmanagers.prepare(
      { namespace: ns, deployment: DEPLOYMENT, replicas: 6 },
      ctx,
    );
    expect(again.preview).toBe(`${DEPLOYMENT}: 8 -> 6 replicas in namespace ${ns}`);
    expect(
      await refusal(scaleTaskmanagers.prepare({ namespace: ns, deployment: DEPLOYMENT, replicas: 8 }, ctx)),
    ).toBe(`${DEPLOYMENT} already has 8 replicas: nothing to change`);
  });
});

describe("rollback", () => {
  it("previews both revisions and the controller renumbers the one rolled back to", async () => {
    const { ns, ctx } = await story("act-rollback");
    const prepared = await rollback.prepare({ namespace: ns, deployment: DEPLOYMENT }, ctx);
    expect(prepared).toEqual({
      params: { namespace: ns, deployment: DEPLOYMENT, toRevision: 2, fromRevision: 3 },
      preview: `rollback ${DEPLOYMENT} in ${ns}: revision 3 (flink-job:1.4.3, "deploy 1.4.3") -> revision 2 (flink-job:1.4.2, "deploy 1.4.2")`,
    });
    expect(await rollback.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await rollback.execute(prepared.params, ctx);
    expect(result.message).toMatch(
      new RegExp(
        `^${DEPLOYMENT} in ${ns} rolled back from revision 3 to revision 2 \\(flink-job:1\\.4\\.2\\)`,
      ),
    );
    const stored = await deployment(ns);
    expect(stored.spec.template.spec.containers.map((c) => c.image)).toEqual(["flink-job:1.4.2"]);
    const revisions = async () =>
      (await ctx.ports.kubernetes!.rolloutHistory(ns, DEPLOYMENT)).map((r) => [
        r.revision,
        r.images[0],
        r.current,
      ]);
    await expect.poll(revisions, SETTLE).toEqual([
      [1, "flink-job:1.4.1", false],
      [3, "flink-job:1.4.3", false],
      [4, "flink-job:1.4.2", true],
    ]);
  });

  it("refuses when the deployment moved since the proposal, and a paused deployment", async () => {
    const { ns, ctx } = await story("act-rollback-moved");
    const proposal = { namespace: ns, deployment: DEPLOYMENT, toRevision: 2, fromRevision: 3 };
    const prepared = await rollback.prepare(proposal, ctx);
    await ctx.ports.kubernetes!.restartRollout(ns, DEPLOYMENT);
    await expect
      .poll(async () => (await ctx.ports.kubernetes!.rolloutStatus(ns, DEPLOYMENT)).revision, SETTLE)
      .toBe(4);
    expect(await rollback.recheck(prepared.params, ctx)).toBe(
      `${DEPLOYMENT} runs revision 4 now, not the revision 3 this request was computed from`,
    );
    await pause(ns, true);
    expect(
      await refusal(rollback.prepare({ namespace: ns, deployment: DEPLOYMENT, toRevision: 2 }, ctx)),
    ).toBe(`${DEPLOYMENT} is paused: resume the rollout first (kubectl rollout resume)`);
  });

  it("refuses an operator-managed deployment", async () => {
    const { ns, ctx } = await operator("act-rollback-op");
    expect(await refusal(rollback.prepare({ namespace: ns, deployment: DEPLOYMENT }, ctx))).toMatch(
      new RegExp(
        `^${DEPLOYMENT} is managed by FlinkDeployment flink: there is no ReplicaSet history to roll back`,
      ),
    );
  });
});

describe("restart-taskmanagers", () => {
  it("writes restartedAt; the controller makes a new revision of the same image", async () => {
    const { ns, ctx } = await story("act-restart");
    const params = { namespace: ns, deployment: DEPLOYMENT };
    const prepared = await restartTaskmanagers.prepare(params, ctx);
    expect(prepared.preview).toBe(`rollout restart of ${DEPLOYMENT} (4 pods) in namespace ${ns}`);
    expect(await restartTaskmanagers.recheck(params, ctx)).toBeUndefined();
    const result = await restartTaskmanagers.execute(params, ctx);
    const restartedAt = (result.details as { restartedAt: string }).restartedAt;
    expect((await deployment(ns)).spec.template.metadata.annotations).toEqual({
      "kubectl.kubernetes.io/restartedAt": restartedAt,
    });
    await expect
      .poll(async () => (await ctx.ports.kubernetes!.rolloutStatus(ns, DEPLOYMENT)).revision, SETTLE)
      .toBe(4);
  });

  it("refuses when the deployment was paused meanwhile", async () => {
    const { ns, ctx } = await story("act-restart-paused");
    const params = { namespace: ns, deployment: DEPLOYMENT };
    await restartTaskmanagers.prepare(params, ctx);
    await pause(ns, true);
    expect(await restartTaskmanagers.recheck(params, ctx)).toBe(
      `${DEPLOYMENT} is paused: a restart would not roll out (kubectl refuses it too); resume it first`,
    );
    expect((await deployment(ns)).spec.template.metadata.annotations).toBeUndefined();
  });

  it("increments restartNonce on the FlinkDeployment in operator mode", async () => {
    const { ns, ctx } = await operator("act-restart-op");
    const params = { namespace: ns, deployment: DEPLOYMENT };
    const prepared = await restartTaskmanagers.prepare(params, ctx);
    expect(prepared.preview).toBe(`restartNonce 3 -> 4 on FlinkDeployment flink in namespace ${ns}`);
    const result = await restartTaskmanagers.execute(params, ctx);
    expect(result.message).toBe(
      `restartNonce set to 4 on FlinkDeployment flink in namespace ${ns}: the operator redeploys the job`,
    );
    const fd = await kube<{ spec: { restartNonce: number } }>(
      peer,
      "GET",
      `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments/flink`,
    );
    expect(fd.spec.restartNonce).toBe(4);
    expect((await deployment(ns)).spec.template.metadata.annotations).toBeUndefined();
  });
});

describe("delete-taskmanager-pods", () => {
  it("deletes each pod; they stay Terminating until their kubelet confirms, and new ones come", async () => {
    const { ns, pods, ctx } = await story("act-delete");
    const params = { namespace: ns, selector: STORY_SELECTOR };
    const prepared = await deleteTaskmanagerPods.prepare(params, ctx);
    expect(prepared.preview).toBe(
      `delete 4 pods matching ${STORY_SELECTOR} in namespace ${ns} (${pods.join(", ")}) at once; their controller recreates them and the job restarts from its last checkpoint`,
    );
    expect(await deleteTaskmanagerPods.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await deleteTaskmanagerPods.execute(prepared.params, ctx);
    expect(result.details).toEqual({ namespace: ns, selector: STORY_SELECTOR, pods });
    const listed = await ctx.ports.kubernetes!.listPods(ns, STORY_SELECTOR);
    expect(listed.filter((p) => pods.includes(p.name)).map((p) => p.problem)).toEqual(
      pods.map(() => "Terminating"),
    );
    expect(await finishDeletions(peer, ns, STORY_SELECTOR)).toEqual(pods);
    const fresh = await settlePods(peer, ns, peer.node, { labelSelector: STORY_SELECTOR, expect: 4 });
    expect(fresh.some((p) => pods.includes(p))).toBe(false);
  });
});

describe("set-taskmanager-resources", () => {
  it("previews from the Deployment's template; the server stores the merged resources in a new revision", async () => {
    const { ns, ctx } = await story("act-resources");
    const params = {
      namespace: ns,
      deployment: DEPLOYMENT,
      container: "taskmanager",
      requests: { memory: "10Gi" },
      limits: { memory: "12Gi" },
    };
    const prepared = await setTaskmanagerResources.prepare(params, ctx);
    expect(prepared.preview).toBe(
      `set resources of container taskmanager in deployment ${DEPLOYMENT} (namespace ${ns}): limits memory 8Gi -> 12Gi, requests memory 8Gi -> 10Gi; replaces 4 pods`,
    );
    expect(await setTaskmanagerResources.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await setTaskmanagerResources.execute(prepared.params, ctx);
    expect(result.message).toBe(
      `container taskmanager of deployment ${DEPLOYMENT} in namespace ${ns}: limits memory 8Gi -> 12Gi, requests memory 8Gi -> 10Gi`,
    );
    expect((await deployment(ns)).spec.template.spec.containers[0]?.resources).toEqual({
      limits: { cpu: "2", memory: "12Gi" },
      requests: { cpu: "2", memory: "10Gi" },
    });
    await expect
      .poll(async () => (await ctx.ports.kubernetes!.rolloutStatus(ns, DEPLOYMENT)).revision, SETTLE)
      .toBe(4);
  });

  it("refuses an unknown container and limits already set (read without metrics-server)", async () => {
    const { ns, ctx } = await story("act-resources-refused");
    const base = { namespace: ns, deployment: DEPLOYMENT, container: "taskmanager" };
    expect(
      await refusal(
        setTaskmanagerResources.prepare({ ...base, container: "sidecar", limits: { cpu: "3" } }, ctx),
      ),
    ).toBe('the taskmanager pods have no container "sidecar" (containers: taskmanager)');
    expect(
      await refusal(
        setTaskmanagerResources.prepare({ ...base, limits: { memory: "8192Mi", cpu: "2000m" } }, ctx),
      ),
    ).toBe("container taskmanager already has these limits: nothing to change");
  });

  it("sets spec.taskManager.resource on the FlinkDeployment in operator mode", async () => {
    const { ns, ctx } = await operator("act-resources-op");
    const params = {
      namespace: ns,
      deployment: DEPLOYMENT,
      container: "flink-main-container",
      requests: { memory: "12Gi" },
      limits: { memory: "12Gi" },
    };
    expect((await setTaskmanagerResources.prepare(params, ctx)).preview).toBe(
      `FlinkDeployment flink taskManager.resource in namespace ${ns}: memory 8Gi -> 12Gi (the operator redeploys the job)`,
    );
    await setTaskmanagerResources.execute(params, ctx);
    const fd = await kube<{ spec: { taskManager: { resource: Record<string, unknown> } } }>(
      peer,
      "GET",
      `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments/flink`,
    );
    expect(fd.spec.taskManager.resource).toEqual({ cpu: 2, memory: "12Gi" });
  });
});

describe("grow-pvc", () => {
  it("grows a bound claim on an expandable class; refuses a smaller size and a class without expansion", async () => {
    const { ns, ctx } = await story("act-grow");
    const prepared = await growPvc.prepare({ namespace: ns, claim: "flink-state-pvc", to: "100Gi" }, ctx);
    expect(prepared).toEqual({
      params: { namespace: ns, claim: "flink-state-pvc", from: "50Gi", to: "100Gi" },
      preview: "grow flink-state-pvc 50Gi -> 100Gi (StorageClass gp3 allows expansion)",
    });
    expect(await growPvc.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await growPvc.execute(prepared.params, ctx);
    expect(result.message).toBe(
      `flink-state-pvc in namespace ${ns} now requests 100Gi (was 50Gi); capacity 50Gi until the volume is resized`,
    );
    expect(await growPvc.recheck(prepared.params, ctx)).toBe(
      "flink-state-pvc can only grow: 100Gi is not larger than its current 100Gi",
    );
    expect(await refusal(growPvc.prepare({ namespace: ns, claim: "flink-state-pvc", to: "64Gi" }, ctx))).toBe(
      "flink-state-pvc can only grow: 64Gi is not larger than its current 100Gi",
    );
  });
});
