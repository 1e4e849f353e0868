/**
 * Operator mode on a real kube-apiserver v1.34 with the FlinkDeployment CRD installed
 * (test/peers/kube-flink-crd.ts; no operator reconciles it, so each test writes the status an
 * operator would): detection of the FlinkDeployment behind the taskmanagers in the operator's two
 * layouts, and the writes landing on it (the scale subresource the CRD maps to
 * spec.taskManager.replicas, restartNonce, taskManager.resource).
 */
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createKubernetes, KubernetesError } from "../../src/adapters/kubernetes/index.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";
import { installFlinkDeploymentCrd } from "../peers/kube-flink-crd.ts";
import { settlePods } from "../peers/kube-kubelet.ts";
import { kube, MERGE_PATCH } from "../peers/kube-rest.ts";
import { createNamespace, deleteNamespace, seedOperatorStandalone } from "../peers/kube-story.ts";

const peer = inject("kubePeer");
const TM = "flink-taskmanager";
let namespaces: string[] = [];

beforeAll(async () => {
  await installFlinkDeploymentCrd(peer);
});

afterEach(async () => {
  await Promise.all(namespaces.map((ns) => deleteNamespace(peer, ns)));
  namespaces = [];
});

async function namespace(prefix: string): Promise<string> {
  const ns = await createNamespace(peer, prefix);
  namespaces.push(ns);
  return ns;
}

function port(options: { flinkDeployment?: string } = {}): KubernetesPort {
  return createKubernetes({ kubeConfigYaml: peer.adminKubeConfigYaml, requestTimeoutMs: 10_000, ...options });
}

const fdPath = (ns: string) => `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`;

/** Native mode: FlinkDeployment order-processor, no Deployment; 2 taskmanager pods labelled as the operator labels them. */
async function nativeLayout(ns: string): Promise<void> {
  await kube(peer, "POST", fdPath(ns), {
    apiVersion: "flink.apache.org/v1beta1",
    kind: "FlinkDeployment",
    metadata: { name: "order-processor" },
    spec: { image: "flink-job:1.4.3", mode: "native", restartNonce: 7, taskManager: { replicas: 2 } },
  });
  await kube(
    peer,
    "PATCH",
    `${fdPath(ns)}/order-processor/status`,
    {
      status: {
        jobStatus: { state: "RUNNING" },
        lifecycleState: "STABLE",
        taskManager: { replicas: 2, labelSelector: "component=taskmanager,app=order-processor" },
      },
    },
    MERGE_PATCH,
  );
  for (const i of [1, 2]) {
    await kube(peer, "POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `order-processor-taskmanager-1-${i}`,
        labels: { app: "order-processor", component: "taskmanager", type: "flink-native-kubernetes" },
      },
      spec: { containers: [{ name: "flink-main-container", image: "flink-job:1.4.3" }] },
    });
  }
  await settlePods(peer, ns, peer.node);
}

describe("detection", () => {
  it("finds the FlinkDeployment that owns the taskmanager Deployment (standalone mode)", async () => {
    const ns = await namespace("op-standalone");
    await seedOperatorStandalone(peer, ns);
    expect(await port().taskmanagerWorkload(ns, TM)).toEqual({
      mode: "flink-operator",
      kind: "FlinkDeployment",
      namespace: ns,
      name: "flink",
      detectedBy: "owner-reference",
      flink: {
        name: "flink",
        jobState: "RUNNING",
        lifecycleState: "STABLE",
        reconciliationState: "DEPLOYED",
        jobManagerStatus: "READY",
        parallelism: 8,
        taskManagerReplicas: 4,
        taskManagerCpu: 2,
        taskManagerMemory: "8Gi",
        restartNonce: 3,
        error: null,
      },
    });
  });

  it("finds it by its pods' labels in native mode, or by name; says which exist when nothing matches", async () => {
    const ns = await namespace("op-native");
    await nativeLayout(ns);
    const k8s = port();
    expect(await k8s.taskmanagerWorkload(ns, TM, "component=taskmanager,app=order-processor")).toMatchObject({
      mode: "flink-operator",
      name: "order-processor",
      detectedBy: "pod-labels",
    });
    expect(await k8s.taskmanagerWorkload(ns, "order-processor-taskmanager")).toMatchObject({
      name: "order-processor",
      detectedBy: "name",
    });
    const error = await k8s.scaleDeployment(ns, TM, 6).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error).toMatchObject({
      code: "not-found",
      message: `deployment ${ns}/${TM} not found; FlinkDeployments in ${ns}: order-processor (name the one that runs the taskmanagers in the Kubernetes configuration)`,
    });
  });
});

describe("writes go to the FlinkDeployment", () => {
  it("scales through its scale subresource; the status replicas are the operator's", async () => {
    const ns = await namespace("op-scale");
    await nativeLayout(ns);
    const k8s = port({ flinkDeployment: "order-processor" });
    expect(await k8s.scaleDeployment(ns, TM, 3)).toEqual({
      namespace: ns,
      name: "order-processor",
      replicas: 3,
      currentReplicas: 2,
    });
    expect(await k8s.getScale(ns, TM)).toEqual({
      namespace: ns,
      name: "order-processor",
      replicas: 3,
      currentReplicas: 2,
    });
    const fd = await kube<{ spec: { taskManager: { replicas: number } } }>(
      peer,
      "GET",
      `${fdPath(ns)}/order-processor`,
    );
    expect(fd.spec.taskManager.replicas).toBe(3);
  });

  it("restarts with restartNonce + 1 and sets taskManager.resource; refuses an undo", async () => {
    const ns = await namespace("op-restart");
    await seedOperatorStandalone(peer, ns);
    const k8s = port();
    expect(await k8s.restartRollout(ns, TM)).toEqual({
      workload: { mode: "flink-operator", kind: "FlinkDeployment", namespace: ns, name: "flink" },
      restartedAt: null,
      restartNonce: 4,
    });
    const result = await k8s.setContainerResources(ns, TM, "flink-main-container", {
      limits: { cpu: "1500m", memory: "12Gi" },
    });
    expect([result.before, result.after]).toEqual([
      { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
      { requests: { cpu: "1.5", memory: "12Gi" }, limits: { cpu: "1.5", memory: "12Gi" } },
    ]);
    const fd = await kube<{ spec: { restartNonce: number; taskManager: { resource: unknown } } }>(
      peer,
      "GET",
      `${fdPath(ns)}/flink`,
    );
    expect(fd.spec.restartNonce).toBe(4);
    expect(fd.spec.taskManager.resource).toEqual({ cpu: 1.5, memory: "12Gi" });
    await expect(k8s.undoRollout(ns, TM)).rejects.toMatchObject({ code: "refused" });
  });
});
