/**
 * Taskmanagers managed by the Flink Kubernetes Operator: the adapter detects the FlinkDeployment
 * (configured, owner of the taskmanager Deployment in standalone mode, named like it, or by its
 * pods' labels in native mode) and sends scale / restart / resources to it as merge patches.
 * The local API server peer serves flink.apache.org/v1beta1 FlinkDeployments like a CRD.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  createKubernetes,
  KubernetesError,
  type KubernetesOptions,
} from "../../src/adapters/kubernetes/index.ts";
import {
  deploymentObject,
  flinkDeploymentObject,
  type KubeApiServer,
  type KubeSeed,
  podObject,
  startKubeApiServer,
} from "../peers/kube-api-server.ts";

const NS = "flink";
const FD_PATH = "/apis/flink.apache.org/v1beta1/namespaces/flink/flinkdeployments";

let kube: KubeApiServer | undefined;

afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function start(seed: KubeSeed, options: Partial<KubernetesOptions> = {}) {
  kube = await startKubeApiServer(seed);
  return {
    kube,
    port: createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 3_000, ...options }),
  };
}

const writes = (server: KubeApiServer) =>
  server.requests
    .filter((r) => r.method !== "GET")
    .map(({ method, path, query, contentType, body }) => ({ method, path, query, contentType, body }));

async function failure(promise: Promise<unknown>): Promise<KubernetesError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubernetesError);
  return error as KubernetesError;
}

/** Native mode: no taskmanager Deployment; the operator's pods carry app=<fd>, component=taskmanager. */
function nativeSeed(): KubeSeed {
  const labels = { app: "order-processor", component: "taskmanager", type: "flink-native-kubernetes" };
  return {
    deployments: [],
    flinkDeployments: [
      flinkDeploymentObject({ namespace: NS, name: "order-processor", replicas: 4, restartNonce: 2 }),
    ],
    pods: [0, 1].map((i) => {
      const pod = podObject({
        namespace: NS,
        name: `order-processor-taskmanager-1-${i + 1}`,
        labels,
        containers: [{ name: "flink-main-container", limits: { cpu: "2", memory: "8Gi" } }],
      });
      pod.metadata.ownerReferences = [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: "order-processor",
          uid: "jm-uid",
          controller: true,
        },
      ];
      return pod;
    }),
  };
}

/** Standalone mode: the operator's <name>-taskmanager Deployment, owned by the FlinkDeployment. */
function standaloneSeed(): KubeSeed {
  const fd = flinkDeploymentObject({ namespace: NS, name: "flink", replicas: 4, standalone: true });
  const deployment = deploymentObject({
    namespace: NS,
    name: "flink-taskmanager",
    replicas: 4,
    labels: { app: "flink", component: "taskmanager" },
    containers: [{ name: "flink-main-container", limits: { cpu: "2", memory: "8Gi" } }],
  });
  deployment.metadata.ownerReferences = [
    {
      apiVersion: "flink.apache.org/v1beta1",
      kind: "FlinkDeployment",
      name: "flink",
      uid: fd.metadata.uid,
      controller: true,
    },
  ];
  return { deployments: [deployment], flinkDeployments: [fd] };
}

describe("detection", () => {
  it("finds the FlinkDeployment that owns the taskmanager Deployment (standalone mode)", async () => {
    const { port } = await start(standaloneSeed());
    expect(await port.taskmanagerWorkload(NS, "flink-taskmanager")).toEqual({
      mode: "flink-operator",
      kind: "FlinkDeployment",
      namespace: NS,
      name: "flink",
      detectedBy: "owner-reference",
      flink: {
        name: "flink",
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
    });
  });

  it("finds it by its pods' labels in native mode, or by name", async () => {
    const { port } = await start(nativeSeed());
    const byPods = await port.taskmanagerWorkload(
      NS,
      "flink-taskmanager",
      "component=taskmanager,app=order-processor",
    );
    expect(byPods).toMatchObject({
      mode: "flink-operator",
      name: "order-processor",
      detectedBy: "pod-labels",
    });
    const byName = await port.taskmanagerWorkload(NS, "order-processor-taskmanager");
    expect(byName).toMatchObject({ mode: "flink-operator", name: "order-processor", detectedBy: "name" });
  });

  it("says which FlinkDeployments exist when nothing matches", async () => {
    const { port } = await start(nativeSeed());
    const error = await failure(port.scaleDeployment(NS, "flink-taskmanager", 6));
    expect(error.code).toBe("not-found");
    expect(error.message).toBe(
      "deployment flink/flink-taskmanager not found; FlinkDeployments in flink: order-processor (name the one that runs the taskmanagers in the Kubernetes configuration)",
    );
  });

  it("is a plain Deployment when the operator is not installed, and the 404 stays plain", async () => {
    const { port, kube: server } = await start({});
    expect(await port.taskmanagerWorkload(NS, "flink-taskmanager", "app=flink-taskmanager")).toMatchObject({
      mode: "deployment",
      kind: "Deployment",
      detectedBy: "deployment",
      flink: null,
    });
    expect((await failure(port.getScale(NS, "nope"))).message).toBe("deployment flink/nope not found");
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toContain(`GET ${FD_PATH}`);
  });

  it("uses the configured FlinkDeployment without looking for Deployments", async () => {
    const { port, kube: server } = await start(nativeSeed(), { flinkDeployment: "order-processor" });
    expect(await port.getScale(NS, "flink-taskmanager")).toEqual({
      namespace: NS,
      name: "order-processor",
      replicas: 4,
      currentReplicas: 4,
    });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${FD_PATH}/order-processor`]);
  });
});

describe("writes go to the FlinkDeployment", () => {
  it("scales through the CRD's scale subresource (spec.taskManager.replicas)", async () => {
    const { port, kube: server } = await start(standaloneSeed());
    expect(await port.scaleDeployment(NS, "flink-taskmanager", 8)).toEqual({
      namespace: NS,
      name: "flink",
      replicas: 8,
      currentReplicas: 4,
    });
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: `${FD_PATH}/flink/scale`,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { spec: { replicas: 8 } },
      },
    ]);
    expect(server.state.deployments[0]?.spec.replicas).toBe(4);
    expect(server.state.flinkDeployments[0]?.spec).toMatchObject({ taskManager: { replicas: 8 } });
  });

  it("restarts by incrementing spec.restartNonce, conditional on the version it read", async () => {
    const { port, kube: server } = await start(nativeSeed(), { flinkDeployment: "order-processor" });
    const version = server.state.flinkDeployments[0]!.metadata.resourceVersion;
    expect(await port.restartRollout(NS, "flink-taskmanager")).toEqual({
      workload: { mode: "flink-operator", kind: "FlinkDeployment", namespace: NS, name: "order-processor" },
      restartedAt: null,
      restartNonce: 3,
    });
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: `${FD_PATH}/order-processor`,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { metadata: { resourceVersion: version }, spec: { restartNonce: 3 } },
      },
    ]);
    expect(server.state.flinkDeployments[0]?.spec.restartNonce).toBe(3);
  });

  it("reports a conflict when the FlinkDeployment changed in between", async () => {
    const { port, kube: server } = await start(nativeSeed(), { flinkDeployment: "order-processor" });
    server.setFailure({ verb: "patch", resource: "flinkdeployments.flink.apache.org", status: 409 });
    const error = await failure(port.restartRollout(NS, "flink-taskmanager"));
    expect(error.code).toBe("conflict");
  });

  it("sets spec.taskManager.resource (cpu in cores) for resources", async () => {
    const { port, kube: server } = await start(standaloneSeed());
    const result = await port.setContainerResources(NS, "flink-taskmanager", "flink-main-container", {
      limits: { cpu: "3500m", memory: "12Gi" },
    });
    expect(result).toEqual({
      workload: { mode: "flink-operator", kind: "FlinkDeployment", namespace: NS, name: "flink" },
      container: "flink-main-container",
      before: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
      after: { requests: { cpu: "3.5", memory: "12Gi" }, limits: { cpu: "3.5", memory: "12Gi" } },
    });
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: `${FD_PATH}/flink`,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { spec: { taskManager: { resource: { cpu: 3.5, memory: "12Gi" } } } },
      },
    ]);
    const disagree = await failure(
      port.setContainerResources(NS, "flink-taskmanager", "x", {
        requests: { cpu: "1" },
        limits: { cpu: "2" },
      }),
    );
    expect(disagree.code).toBe("invalid");
  });

  it("refuses rollout undo: the operator has no ReplicaSet history", async () => {
    const { port, kube: server } = await start(standaloneSeed());
    const error = await failure(port.undoRollout(NS, "flink-taskmanager"));
    expect(error.code).toBe("refused");
    expect(error.message).toMatch(/managed by FlinkDeployment flink\/flink: there is no ReplicaSet history/);
    expect(writes(server)).toEqual([]);
  });

  it("the peer refuses a strategic merge patch on the custom resource with 415, as a CRD does", async () => {
    const { kube: server } = await start(standaloneSeed());
    const response = await fetch(`${server.url}${FD_PATH}/flink`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${server.token}`,
        "content-type": "application/strategic-merge-patch+json",
      },
      body: JSON.stringify({ spec: { restartNonce: 1 } }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toBe(
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
  });
});
