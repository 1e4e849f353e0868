/**
 * What a real kube-apiserver v1.34 showed that the stand-in did not (issue 9), each on the real
 * control plane (test/peers/kube-peer.ts), one namespace per test:
 * - the log of an unscheduled pod is a 204 without a Content-Type;
 * - deleted pods keep phase Running and their Ready condition until a kubelet confirms them;
 * - growing an unbound claim is a 422 with a Go struct diff;
 * - a Deployment owned by a FlinkDeployment keeps its own replicas: the FlinkDeployment's count;
 * - writes without a field manager are recorded as "node-fetch" in managedFields.
 */
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ActionRefusal } from "../../src/actions/action.ts";
import { growPvc } from "../../src/actions/grow-pvc.ts";
import { scaleTaskmanagers } from "../../src/actions/scale-taskmanagers.ts";
import { createKubernetes, KubernetesError } from "../../src/adapters/kubernetes/index.ts";
import { systemClock } from "../../src/ports/clock.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";
import { installFlinkDeploymentCrd } from "../peers/kube-flink-crd.ts";
import { settlePods } from "../peers/kube-kubelet.ts";
import { kube, kubeFetch, MERGE_PATCH } from "../peers/kube-rest.ts";
import {
  createBoundClaim,
  createNamespace,
  deleteNamespace,
  deploymentManifest,
  ensureStorageClasses,
  STORY_SELECTOR,
  seedStory,
} from "../peers/kube-story.ts";
import { testConfig } from "../unit/actions/config.ts";

const peer = inject("kubePeer");
const DEPLOYMENT = "flink-taskmanager";
let namespaces: string[] = [];

function adapter(): KubernetesPort {
  return createKubernetes({ kubeConfigYaml: peer.adminKubeConfigYaml, requestTimeoutMs: 10_000 });
}

async function namespace(prefix: string): Promise<string> {
  const name = await createNamespace(peer, prefix);
  namespaces.push(name);
  return name;
}

afterEach(async () => {
  await Promise.all(namespaces.map((ns) => deleteNamespace(peer, ns)));
  namespaces = [];
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e as Error,
  );
}

describe("logs of an unscheduled pod", () => {
  it("says the pod is not scheduled yet instead of a parse error", async () => {
    const ns = await namespace("unscheduled");
    await kube(peer, "POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "flink-taskmanager-pending", labels: { app: "flink-taskmanager" } },
      spec: { containers: [{ name: "taskmanager", image: "flink-job:1.4.3" }] },
    });
    // What the real server answers: 204 and no Content-Type.
    const raw = await kubeFetch(peer, "GET", `/api/v1/namespaces/${ns}/pods/flink-taskmanager-pending/log`);
    expect([raw.status, raw.contentType, raw.text]).toEqual([204, undefined, ""]);

    const logs = await adapter().podLogs(ns, STORY_SELECTOR, { grep: "checkpoint" });
    expect(logs).toEqual([
      {
        pod: "flink-taskmanager-pending",
        container: "taskmanager",
        lines: [],
        matched: 0,
        truncated: false,
        error: "pod flink-taskmanager-pending is not scheduled yet: no logs",
      },
    ]);
  });
});

describe("pods being deleted", () => {
  it("are Terminating and not ready, beside the new ones the ReplicaSet made", async () => {
    const story = await seedStory(peer, "terminating");
    namespaces.push(story.namespace);
    const port = adapter();
    const deleted = await port.deletePods(story.namespace, STORY_SELECTOR);
    expect(deleted.pods).toEqual(story.pods);
    const fresh = await settlePods(peer, story.namespace, peer.node, {
      labelSelector: STORY_SELECTOR,
      expect: 4,
    });
    expect(fresh.filter((p) => story.pods.includes(p))).toEqual([]);

    const pods = await port.listPods(story.namespace, STORY_SELECTOR);
    expect(pods).toHaveLength(8);
    const old = pods.filter((p) => story.pods.includes(p.name));
    expect(old.map((p) => [p.name, p.phase, p.ready, p.problem])).toEqual(
      story.pods.map((name) => [name, "Running", false, "Terminating"]),
    );
    const current = pods.filter((p) => !story.pods.includes(p.name));
    expect(current.map((p) => [p.ready, p.problem])).toEqual(fresh.map(() => [true, null]));
  });
});

describe("growing a claim that is not bound", () => {
  it("is refused before any write, saying the claim must be Bound", async () => {
    const ns = await namespace("unbound");
    await ensureStorageClasses(peer);
    await createBoundClaim(peer, ns, "flink-state-pvc", "50Gi", "gp3", false);
    const port = adapter();
    const error = await rejection(port.expandVolumeClaim(ns, "flink-state-pvc", "100Gi"));
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error).toMatchObject({
      code: "refused",
      message: `persistentvolumeclaim ${ns}/flink-state-pvc is Pending, not Bound: only a bound claim can grow`,
    });

    const config = testConfig({ pipeline: { namespace: ns } });
    const ctx = { config, ports: { clock: systemClock, kubernetes: port } };
    const refused = await rejection(
      growPvc.prepare({ namespace: ns, claim: "flink-state-pvc", to: "100Gi" }, ctx),
    );
    expect(refused).toBeInstanceOf(ActionRefusal);
    expect(refused.message).toBe("flink-state-pvc is Pending, not Bound: only a bound claim can grow");
    const claim = await kube<{ spec: { resources: { requests: { storage: string } } } }>(
      peer,
      "GET",
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/flink-state-pvc`,
    );
    expect(claim.spec.resources.requests.storage).toBe("50Gi");
  });
});

describe("a Deployment owned by a FlinkDeployment", () => {
  beforeAll(async () => {
    await installFlinkDeploymentCrd(peer);
  });

  it("reads the current scale from the FlinkDeployment, which the writes change", async () => {
    const ns = await namespace("operator-scale");
    const fd = await kube<{ metadata: { uid: string } }>(
      peer,
      "POST",
      `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`,
      {
        apiVersion: "flink.apache.org/v1beta1",
        kind: "FlinkDeployment",
        metadata: { name: "flink" },
        spec: {
          image: "flink-job:1.4.3",
          flinkVersion: "v1_20",
          mode: "standalone",
          taskManager: { replicas: 4, resource: { cpu: 2, memory: "8Gi" } },
          job: { parallelism: 8, upgradeMode: "last-state" },
        },
      },
    );
    await kube(
      peer,
      "POST",
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      deploymentManifest({
        name: DEPLOYMENT,
        labels: { app: DEPLOYMENT },
        replicas: 4,
        image: "flink-job:1.4.3",
        container: "flink-main-container",
        ownerReferences: [
          {
            apiVersion: "flink.apache.org/v1beta1",
            kind: "FlinkDeployment",
            name: "flink",
            uid: fd.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      }),
    );
    const port = adapter();
    expect(await port.scaleDeployment(ns, DEPLOYMENT, 8)).toMatchObject({ name: "flink", replicas: 8 });
    // No operator runs here, as when it lags: the Deployment still has 4.
    const deployment = await kube<{ spec: { replicas: number } }>(
      peer,
      "GET",
      `/apis/apps/v1/namespaces/${ns}/deployments/${DEPLOYMENT}`,
    );
    expect(deployment.spec.replicas).toBe(4);
    expect(await port.getScale(ns, DEPLOYMENT)).toMatchObject({ name: "flink", replicas: 8 });

    const config = testConfig({ pipeline: { namespace: ns } });
    const ctx = { config, ports: { clock: systemClock, kubernetes: port } };
    const prepared = await scaleTaskmanagers.prepare(
      { namespace: ns, deployment: DEPLOYMENT, replicas: 4 },
      ctx,
    );
    expect(prepared.preview).toBe(`${DEPLOYMENT}: 8 -> 4 replicas in namespace ${ns}`);
    expect(await scaleTaskmanagers.recheck(prepared.params, ctx)).toBeUndefined();
  });
});

interface ManagedEntry {
  manager: string;
  operation: string;
  subresource?: string;
}

async function managers(path: string): Promise<ManagedEntry[]> {
  const object = await kube<{ metadata: { managedFields?: ManagedEntry[] } }>(peer, "GET", path);
  return (object.metadata.managedFields ?? []).map(({ manager, operation, subresource }) => ({
    manager,
    operation,
    ...(subresource !== undefined ? { subresource } : {}),
  }));
}

describe("field manager", () => {
  it("every write is recorded under runbook-bot in managedFields", async () => {
    const story = await seedStory(peer, "field-manager");
    namespaces.push(story.namespace);
    const ns = story.namespace;
    const port = adapter();
    await port.scaleDeployment(ns, DEPLOYMENT, 5);
    await port.setContainerResources(ns, DEPLOYMENT, "taskmanager", {
      limits: { memory: "12Gi" },
      requests: { memory: "12Gi" },
    });
    await port.restartRollout(ns, DEPLOYMENT);
    await port.expandVolumeClaim(ns, "flink-state-pvc", "100Gi");
    const deploymentManagers = await managers(`/apis/apps/v1/namespaces/${ns}/deployments/${DEPLOYMENT}`);
    expect(deploymentManagers).toEqual(
      expect.arrayContaining([
        { manager: "runbook-bot", operation: "Update", subresource: "scale" },
        { manager: "runbook-bot", operation: "Update" },
      ]),
    );
    expect(deploymentManagers.map((m) => m.manager)).not.toContain("node-fetch");
    expect(await managers(`/api/v1/namespaces/${ns}/persistentvolumeclaims/flink-state-pvc`)).toContainEqual({
      manager: "runbook-bot",
      operation: "Update",
    });
    await expect
      .poll(async () => (await port.rolloutHistory(ns, DEPLOYMENT)).length, { timeout: 15_000 })
      .toBe(5);
    await port.undoRollout(ns, DEPLOYMENT);
    const afterUndo = await managers(`/apis/apps/v1/namespaces/${ns}/deployments/${DEPLOYMENT}`);
    expect(afterUndo.map((m) => m.manager)).not.toContain("node-fetch");
  });

  it("a FlinkDeployment patch is recorded under runbook-bot", async () => {
    await installFlinkDeploymentCrd(peer);
    const ns = await namespace("field-manager-fd");
    const path = `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`;
    await kube(peer, "POST", path, {
      apiVersion: "flink.apache.org/v1beta1",
      kind: "FlinkDeployment",
      metadata: { name: "flink" },
      spec: { image: "flink-job:1.4.3", restartNonce: 3, taskManager: { replicas: 4 } },
    });
    await kube(
      peer,
      "PATCH",
      `${path}/flink/status`,
      { status: { taskManager: { replicas: 4 } } },
      MERGE_PATCH,
    );
    const port = createKubernetes({
      kubeConfigYaml: peer.adminKubeConfigYaml,
      requestTimeoutMs: 10_000,
      flinkDeployment: "flink",
    });
    expect(await port.restartRollout(ns, DEPLOYMENT)).toMatchObject({ restartNonce: 4 });
    const entries = await managers(`${path}/flink`);
    expect(entries).toContainEqual({ manager: "runbook-bot", operation: "Update" });
    expect(entries.map((m) => m.manager)).not.toContain("node-fetch");
  });
});
