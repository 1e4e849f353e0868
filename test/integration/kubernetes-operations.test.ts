/**
 * The Kubernetes adapter's reads and writes beyond scaling, against the local API server peer
 * (test/peers/kube-api-server.ts answers everything here: pods, logs, ReplicaSets, PVCs,
 * StorageClasses, the node proxy's kubelet summary). Every write is asserted exactly: method,
 * path, query, content type and body.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubernetes, KubernetesError } from "../../src/adapters/kubernetes/index.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";
import { type KubeApiServer, podObject, startKubeApiServer } from "../peers/kube-api-server.ts";

const NS = "flink";
const DEPLOYMENT = "flink-taskmanager";
const SELECTOR = "app=flink-taskmanager";
const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager";
const NOW = new Date("2025-06-03T10:20:30.456Z");

let kube: KubeApiServer;
let port: KubernetesPort;

beforeEach(async () => {
  kube = await startKubeApiServer();
  port = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 3_000, now: () => NOW });
});

afterEach(async () => {
  await kube.stop();
});

const writes = () =>
  kube.requests
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

describe("listPods", () => {
  it("reports phase, readiness, restarts, node and container reasons", async () => {
    const pod1 = kube.state.pods[1]!;
    pod1.status.phase = "Running";
    pod1.status.conditions = (pod1.status.conditions ?? []).map((c) =>
      c.type === "Ready" || c.type === "ContainersReady" ? { ...c, status: "False" } : c,
    );
    pod1.status.containerStatuses = [
      {
        ...pod1.status.containerStatuses![0]!,
        ready: false,
        restartCount: 7,
        state: {
          waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" },
        },
        lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } },
      },
    ];
    const pods = await port.listPods(NS, SELECTOR);
    expect(pods.map((p) => [p.name, p.phase, p.ready, p.restarts, p.node, p.problem])).toEqual([
      ["flink-taskmanager-0", "Running", true, 0, "ip-10-0-1-23.ec2.internal", null],
      ["flink-taskmanager-1", "Running", false, 7, "ip-10-0-1-23.ec2.internal", "CrashLoopBackOff"],
      ["flink-taskmanager-2", "Running", true, 0, "ip-10-0-1-23.ec2.internal", null],
      ["flink-taskmanager-3", "Running", true, 0, "ip-10-0-1-23.ec2.internal", null],
    ]);
    expect(pods[1]?.containers).toEqual([
      {
        name: "taskmanager",
        image: "flink-job:1.4.3",
        ready: false,
        restarts: 7,
        state: "waiting",
        reason: "CrashLoopBackOff",
        exitCode: 137,
        lastTerminationReason: "OOMKilled",
      },
    ]);
    expect(pods[0]?.startedAt).toBe("2025-01-01T00:00:00Z");
    expect(kube.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: "GET", path: "/api/v1/namespaces/flink/pods", query: { labelSelector: SELECTOR } },
    ]);
  });

  it("says why a terminated container stopped", async () => {
    const pod = kube.state.pods[2]!;
    pod.status.phase = "Failed";
    pod.status.containerStatuses = [
      {
        ...pod.status.containerStatuses![0]!,
        ready: false,
        state: { terminated: { reason: "Error", exitCode: 1 } },
      },
    ];
    const [, , failed] = await port.listPods(NS, SELECTOR);
    expect(failed).toMatchObject({
      phase: "Failed",
      problem: "Error",
      containers: [{ state: "terminated", exitCode: 1 }],
    });
  });
});

describe("podLogs", () => {
  it("asks each pod for its tail and keeps the lines that match, case-insensitively", async () => {
    const logs = await port.podLogs(NS, SELECTOR, { grep: "CHECKPOINT", tailLines: 50 });
    expect(logs.map((l) => [l.pod, l.container, l.matched, l.lines.length, l.error])).toEqual(
      [0, 1, 2, 3].map((i) => [`flink-taskmanager-${i}`, "taskmanager", 1, 1, null]),
    );
    expect(logs[0]?.lines[0]).toMatch(/checkpoint 4812 acknowledged/);
    const logCalls = kube.requests.filter((r) => r.path.endsWith("/log"));
    expect(logCalls.map((r) => r.path).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `/api/v1/namespaces/flink/pods/flink-taskmanager-${i}/log`),
    );
    expect(logCalls[0]?.query).toEqual({ container: "taskmanager", tailLines: "50", limitBytes: "1048576" });
  });

  it("bounds lines and bytes per pod and says so", async () => {
    const [first] = await port.podLogs(NS, SELECTOR, { maxLines: 2 });
    expect(first?.lines).toHaveLength(2);
    expect(first?.matched).toBe(7);
    expect(first?.truncated).toBe(true);
    expect(first?.lines[1]).toMatch(/window emitted/);
    const [small] = await port.podLogs(NS, SELECTOR, { maxBytes: 400 });
    expect(small!.lines.join("\n").length).toBeLessThanOrEqual(400);
    expect(small?.truncated).toBe(true);
  });

  it("passes sinceSeconds to the API, which drops older lines", async () => {
    const [recent] = await port.podLogs(NS, SELECTOR, { sinceSeconds: 90 });
    expect(recent?.lines.map((l) => l.replace(/^\S+ \S+ /, "").slice(0, 4))).toEqual(["WARN", "INFO"]);
    expect(kube.requests.at(-1)?.query.sinceSeconds).toBe("90");
  });

  it("picks the default container of a pod with several, and reports a missing one per pod", async () => {
    const pod = kube.state.pods[0]!;
    pod.spec.containers.push({ name: "log-shipper", image: "fluent-bit:3.0" });
    pod.metadata.annotations = { "kubectl.kubernetes.io/default-container": "taskmanager" };
    const logs = await port.podLogs(NS, SELECTOR, { grep: "window emitted" });
    expect(logs[0]).toMatchObject({ container: "taskmanager", matched: 2, error: null });
    const other = await port.podLogs(NS, SELECTOR, { container: "log-shipper" });
    expect(other[0]).toMatchObject({ container: "log-shipper", error: null, lines: [] });
    expect(other[1]?.error).toBe(
      'pod flink-taskmanager-1 has no container "log-shipper" (containers: taskmanager)',
    );
  });

  it("reads the previous container's log and says when there is none", async () => {
    kube.state.podLogs["flink/flink-taskmanager-0/taskmanager#previous"] = [
      { at: new Date().toISOString(), text: "java.lang.OutOfMemoryError: Java heap space" },
    ];
    const logs = await port.podLogs(NS, SELECTOR, { previous: true });
    expect(logs[0]).toMatchObject({ lines: ["java.lang.OutOfMemoryError: Java heap space"], error: null });
    expect(logs[1]?.error).toBe(
      'rejected by the Kubernetes API (400): previous terminated container "taskmanager" in pod "flink-taskmanager-1" not found',
    );
  });

  it("is a typed error when no log can be read at all (RBAC on pods/log)", async () => {
    kube.setFailure({ resource: "pods/log", status: 403 });
    const error = await failure(port.podLogs(NS, SELECTOR));
    expect(error.message).toBe(
      'no pod log could be read: forbidden: pods "flink-taskmanager-0" is forbidden: User "system:serviceaccount:ops:runbook-bot" cannot get resource "pods/log" in API group "" in the namespace "flink"',
    );
    expect(error).toMatchObject({ code: "forbidden", status: 403 });
  });

  it("refuses bounds that are not whole numbers >= 1 without calling the API", async () => {
    expect(await failure(port.podLogs(NS, SELECTOR, { tailLines: 0 }))).toMatchObject({ code: "invalid" });
    expect(kube.requests).toEqual([]);
  });
});

describe("rolloutStatus", () => {
  it("computes kubectl's verdict from generation, replicas and conditions", async () => {
    expect(await port.rolloutStatus(NS, DEPLOYMENT)).toMatchObject({
      generation: 1,
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 4,
      paused: false,
      state: "complete",
      message: 'deployment "flink-taskmanager" successfully rolled out',
      revision: 3,
    });
    const deployment = kube.state.deployments[0]!;
    deployment.status.conditions = [
      {
        type: "Progressing",
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: 'ReplicaSet "x" has timed out progressing.',
        lastUpdateTime: "2025-01-01T00:10:00Z",
        lastTransitionTime: "2025-01-01T00:10:00Z",
      },
    ];
    expect(await port.rolloutStatus(NS, DEPLOYMENT)).toMatchObject({
      state: "deadline-exceeded",
      message: 'deployment "flink-taskmanager" exceeded its progress deadline',
    });
    deployment.metadata.generation = 2;
    expect(await port.rolloutStatus(NS, DEPLOYMENT)).toMatchObject({
      state: "pending",
      message: "Waiting for deployment spec update to be observed...",
    });
  });

  it("names the missing deployment", async () => {
    expect((await failure(port.rolloutStatus(NS, "nope"))).message).toBe("deployment flink/nope not found");
  });
});

describe("rolloutHistory", () => {
  it("lists the deployment's ReplicaSets by revision with change-cause and images", async () => {
    // A ReplicaSet with the same labels but another owner is not part of the history.
    const stranger = structuredClone(kube.state.replicaSets[0]!);
    stranger.metadata.name = "flink-taskmanager-stranger";
    stranger.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "Deployment", name: "other", uid: "someone-else", controller: true },
    ];
    kube.state.replicaSets.push(stranger);
    const history = await port.rolloutHistory(NS, DEPLOYMENT);
    expect(
      history.map((r) => [r.revision, r.images, r.changeCause, r.current, r.replicas, r.createdAt]),
    ).toEqual([
      [1, ["flink-job:1.4.1"], "deploy 1.4.1", false, 0, "2025-05-06T09:12:44Z"],
      [2, ["flink-job:1.4.2"], "deploy 1.4.2", false, 0, "2025-05-20T14:03:10Z"],
      [3, ["flink-job:1.4.3"], "deploy 1.4.3", true, 4, "2025-06-02T08:41:27Z"],
    ]);
    expect(history.every((r) => r.replicaSet.startsWith("flink-taskmanager-"))).toBe(true);
    expect(kube.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/apis/apps/v1/namespaces/flink/replicasets",
      query: { labelSelector: SELECTOR },
    });
  });
});

describe("restartRollout", () => {
  it("sends kubectl's strategic merge patch of the restartedAt annotation", async () => {
    const result = await port.restartRollout(NS, DEPLOYMENT);
    expect(result).toEqual({
      workload: { mode: "deployment", kind: "Deployment", namespace: NS, name: DEPLOYMENT },
      restartedAt: "2025-06-03T10:20:30Z",
      restartNonce: null,
    });
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: DEPLOYMENT_PATH,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/strategic-merge-patch+json",
        body: {
          spec: {
            template: {
              metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-06-03T10:20:30Z" } },
            },
          },
        },
      },
    ]);
    // The controller made revision 4 for the new template; the rollout is under way.
    expect((await port.rolloutHistory(NS, DEPLOYMENT)).map((r) => [r.revision, r.current])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect((await port.rolloutStatus(NS, DEPLOYMENT)).state).toBe("progressing");
    kube.converge(NS, DEPLOYMENT);
    expect((await port.rolloutStatus(NS, DEPLOYMENT)).state).toBe("complete");
  });

  it("refuses a paused deployment like kubectl, without writing", async () => {
    kube.state.deployments[0]!.spec.paused = true;
    const error = await failure(port.restartRollout(NS, DEPLOYMENT));
    expect(error.code).toBe("refused");
    expect(error.message).toBe("can't restart paused deployment (run rollout resume first)");
    expect(writes()).toEqual([]);
  });

  it("passes on RBAC refusals of the patch", async () => {
    kube.setFailure({ verb: "patch", resource: "deployments.apps", status: 403 });
    const error = await failure(port.restartRollout(NS, DEPLOYMENT));
    expect(error.message).toBe(
      'forbidden: deployments.apps "flink-taskmanager" is forbidden: User "system:serviceaccount:ops:runbook-bot" cannot patch resource "deployments" in API group "apps" in the namespace "flink"',
    );
  });
});

describe("undoRollout", () => {
  it("copies the previous revision's template back with kubectl's JSON patch", async () => {
    const rev2 = kube.state.replicaSets.find(
      (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "2",
    )!;
    const result = await port.undoRollout(NS, DEPLOYMENT);
    expect(result).toEqual({
      namespace: NS,
      name: DEPLOYMENT,
      fromRevision: 3,
      toRevision: 2,
      images: ["flink-job:1.4.2"],
      changeCause: "deploy 1.4.2",
    });
    const expectedTemplate = structuredClone(rev2.spec.template);
    delete expectedTemplate.metadata.labels["pod-template-hash"];
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: DEPLOYMENT_PATH,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/json-patch+json",
        body: [
          { op: "replace", path: "/spec/template", value: expectedTemplate },
          {
            op: "replace",
            path: "/metadata/annotations",
            value: {
              // kubectl keeps the deployment's revision and skips the ReplicaSet's replica annotations.
              "deployment.kubernetes.io/revision": "3",
              "kubernetes.io/change-cause": "deploy 1.4.2",
            },
          },
        ],
      },
    ]);
    // The controller renumbers the restored ReplicaSet: 2 becomes 4, as on a real cluster.
    expect(
      (await port.rolloutHistory(NS, DEPLOYMENT)).map((r) => [r.revision, r.images[0], r.current]),
    ).toEqual([
      [1, "flink-job:1.4.1", false],
      [3, "flink-job:1.4.3", false],
      [4, "flink-job:1.4.2", true],
    ]);
  });

  it("goes to a chosen revision, and refuses unknown or current ones without writing", async () => {
    expect(await port.undoRollout(NS, DEPLOYMENT, 1)).toMatchObject({
      toRevision: 1,
      images: ["flink-job:1.4.1"],
    });
    const before = writes().length;
    expect((await failure(port.undoRollout(NS, DEPLOYMENT, 9))).message).toBe(
      "unable to find specified revision 9 in history",
    );
    expect((await failure(port.undoRollout(NS, DEPLOYMENT, 4))).message).toBe(
      "skipped rollback (current template already matches revision 4)",
    );
    expect(writes()).toHaveLength(before);
  });

  it("refuses a paused deployment and a deployment without history", async () => {
    kube.state.deployments[0]!.spec.paused = true;
    expect((await failure(port.undoRollout(NS, DEPLOYMENT))).message).toBe(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/flink-taskmanager' and try again",
    );
    kube.state.deployments[0]!.spec.paused = false;
    kube.state.replicaSets.length = 0;
    expect((await failure(port.undoRollout(NS, DEPLOYMENT))).message).toBe(
      'no rollout history found for deployment "flink-taskmanager"',
    );
    expect(writes()).toEqual([]);
  });
});

describe("deletePods", () => {
  it("deletes each matching pod like kubectl delete pod -l and returns their names", async () => {
    kube.state.pods.push(
      podObject({
        namespace: NS,
        name: "flink-jobmanager-0",
        labels: { app: "flink-jobmanager" },
        containers: [{ name: "jm" }],
      }),
    );
    const result = await port.deletePods(NS, SELECTOR);
    expect(result).toEqual({ namespace: NS, pods: [0, 1, 2, 3].map((i) => `flink-taskmanager-${i}`) });
    expect(writes()).toEqual(
      [0, 1, 2, 3].map((i) => ({
        method: "DELETE",
        path: `/api/v1/namespaces/flink/pods/flink-taskmanager-${i}`,
        query: {},
        // client-node sends its default JSON content type, with no body (no DeleteOptions).
        contentType: "application/json",
        body: undefined,
      })),
    );
    expect(kube.state.pods.map((p) => p.metadata.name)).toEqual(["flink-jobmanager-0"]);
    kube.converge(NS, DEPLOYMENT);
    expect(await port.listPods(NS, SELECTOR)).toHaveLength(4);
  });

  it("refuses an empty selector, and reports a partial failure with what was deleted", async () => {
    expect(await failure(port.deletePods(NS, " "))).toMatchObject({ code: "invalid" });
    kube.setFailure({ verb: "delete", resource: "pods", name: "flink-taskmanager-2", status: 403 });
    const error = await failure(port.deletePods(NS, SELECTOR));
    expect(error.code).toBe("forbidden");
    expect(error.message).toMatch(
      /^deleted 2 of 4 pods \(flink-taskmanager-0, flink-taskmanager-1\); flink-taskmanager-2: forbidden: pods "flink-taskmanager-2" is forbidden/,
    );
  });
});

describe("setContainerResources", () => {
  it("sends kubectl set resources' strategic merge patch for the named container", async () => {
    const result = await port.setContainerResources(NS, DEPLOYMENT, "taskmanager", {
      limits: { memory: "12Gi" },
      requests: { memory: "12Gi" },
    });
    expect(result).toEqual({
      workload: { mode: "deployment", kind: "Deployment", namespace: NS, name: DEPLOYMENT },
      container: "taskmanager",
      before: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
      after: { requests: { cpu: "2", memory: "12Gi" }, limits: { cpu: "2", memory: "12Gi" } },
    });
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: DEPLOYMENT_PATH,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/strategic-merge-patch+json",
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "taskmanager",
                    resources: { requests: { memory: "12Gi" }, limits: { memory: "12Gi" } },
                  },
                ],
              },
            },
          },
        },
      },
    ]);
    expect(kube.state.deployments[0]?.spec.template.spec.containers[0]?.resources).toEqual({
      limits: { cpu: "2", memory: "12Gi" },
      requests: { cpu: "2", memory: "12Gi" },
    });
  });

  it("refuses requests above limits and unknown containers before writing", async () => {
    expect(
      (await failure(port.setContainerResources(NS, DEPLOYMENT, "taskmanager", { requests: { cpu: "3" } })))
        .message,
    ).toBe("requests.cpu 3 would exceed limits.cpu 2; a request must be less than or equal to its limit");
    expect(
      (await failure(port.setContainerResources(NS, DEPLOYMENT, "sidecar", { limits: { cpu: "3" } })))
        .message,
    ).toBe('deployment flink/flink-taskmanager has no container "sidecar" (containers: taskmanager)');
    expect(
      (
        await failure(
          port.setContainerResources(NS, DEPLOYMENT, "taskmanager", { limits: { memory: "lots" } }),
        )
      ).code,
    ).toBe("invalid");
    expect(writes()).toEqual([]);
  });
});

describe("volumes", () => {
  it("reads the claim with its StorageClass's expansion policy", async () => {
    expect(await port.volumeClaim(NS, "flink-state-pvc")).toEqual({
      namespace: NS,
      name: "flink-state-pvc",
      phase: "Bound",
      requested: "50Gi",
      requestedBytes: 50 * 2 ** 30,
      capacity: "50Gi",
      capacityBytes: 50 * 2 ** 30,
      storageClass: "gp3",
      allowsExpansion: true,
      resizing: null,
    });
    expect(kube.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v1/namespaces/flink/persistentvolumeclaims/flink-state-pvc",
      "GET /apis/storage.k8s.io/v1/storageclasses/gp3",
    ]);
  });

  it("grows the claim with a merge patch of spec.resources.requests.storage", async () => {
    const grown = await port.expandVolumeClaim(NS, "flink-state-pvc", "100Gi");
    expect(grown).toMatchObject({ requested: "100Gi", capacity: "50Gi", allowsExpansion: true });
    expect(writes()).toEqual([
      {
        method: "PATCH",
        path: "/api/v1/namespaces/flink/persistentvolumeclaims/flink-state-pvc",
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { spec: { resources: { requests: { storage: "100Gi" } } } },
      },
    ]);
  });

  it("refuses to shrink, or to grow on a class without allowVolumeExpansion, before writing", async () => {
    expect((await failure(port.expandVolumeClaim(NS, "flink-state-pvc", "50Gi"))).message).toBe(
      "persistentvolumeclaim flink/flink-state-pvc can only grow: 50Gi is not larger than the requested 50Gi",
    );
    kube.state.persistentVolumeClaims[0]!.spec.storageClassName = "gp2";
    const error = await failure(port.expandVolumeClaim(NS, "flink-state-pvc", "100Gi"));
    expect(error.code).toBe("refused");
    expect(error.message).toBe(
      "persistentvolumeclaim flink/flink-state-pvc cannot be expanded: StorageClass gp2 does not set allowVolumeExpansion: true",
    );
    expect(writes()).toEqual([]);
  });

  it("the peer answers like the admission plugin when a client skips the check", async () => {
    kube.state.persistentVolumeClaims[0]!.spec.storageClassName = "gp2";
    const response = await fetch(
      `${kube.url}/api/v1/namespaces/flink/persistentvolumeclaims/flink-state-pvc`,
      {
        method: "PATCH",
        headers: { authorization: `Bearer ${kube.token}`, "content-type": "application/merge-patch+json" },
        body: JSON.stringify({ spec: { resources: { requests: { storage: "100Gi" } } } }),
      },
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      'persistentvolumeclaims "flink-state-pvc" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
  });

  it("reads volume usage from the kubelet summary through the node proxy", async () => {
    const usage = await port.volumeUsage(NS, SELECTOR);
    expect(usage).toHaveLength(4);
    expect(usage[0]).toEqual({
      pod: "flink-taskmanager-0",
      node: "ip-10-0-1-23.ec2.internal",
      volume: "flink-state",
      claim: "flink-state-pvc",
      usedBytes: 33_285_996_544,
      capacityBytes: 52_576_092_160,
      availableBytes: 52_576_092_160 - 33_285_996_544,
    });
    expect(kube.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v1/namespaces/flink/pods",
      "GET /api/v1/nodes/ip-10-0-1-23.ec2.internal/proxy/stats/summary",
    ]);
  });

  it("names the missing claim and passes on RBAC refusals of the node proxy", async () => {
    expect((await failure(port.volumeClaim(NS, "nope"))).message).toBe(
      "persistentvolumeclaim flink/nope not found",
    );
    kube.setFailure({ resource: "nodes/proxy", status: 403 });
    expect((await failure(port.volumeUsage(NS, SELECTOR))).message).toBe(
      'forbidden: nodes "ip-10-0-1-23.ec2.internal" is forbidden: User "system:serviceaccount:ops:runbook-bot" cannot get resource "nodes/proxy" in API group "" at the cluster scope',
    );
  });
});

describe("faults", () => {
  it("retries a throttled call with backoff and then succeeds", async () => {
    kube.setFailure({ resource: "deployments.apps", verb: "get", status: 429, times: 2 });
    const fast = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, retry: { maxDelayMs: 50 } });
    expect((await fast.rolloutStatus(NS, DEPLOYMENT)).state).toBe("complete");
    expect(kube.requests.filter((r) => r.resource === "deployments.apps")).toHaveLength(3);
  });

  it("gives up after the bounded retries and says so", async () => {
    kube.setFailure({ resource: "deployments.apps", verb: "get", status: 429 });
    const fast = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, retry: { maxDelayMs: 50 } });
    const error = await failure(fast.rolloutStatus(NS, DEPLOYMENT));
    expect(error.code).toBe("throttled");
    expect(error.message).toMatch(
      /^the Kubernetes API throttled get deployment flink\/flink-taskmanager 3 times; gave up after \d+\.\d s$/,
    );
  });

  it("reports a conflict and a server error with the server's message", async () => {
    kube.setFailure({ verb: "patch", resource: "deployments.apps", status: 409, times: 1 });
    expect((await failure(port.restartRollout(NS, DEPLOYMENT))).message).toBe(
      "conflict: the object has been modified; please apply your changes to the latest version and try again",
    );
    kube.setFailure({ resource: "replicasets.apps", status: 500 });
    expect((await failure(port.rolloutHistory(NS, DEPLOYMENT))).message).toBe(
      'Kubernetes API error 500: an error on the server ("injected failure") has prevented the request from succeeding',
    );
  });

  it("gives up on a hanging API within the timeout", async () => {
    kube.setFailure({ resource: "persistentvolumeclaims", delayMs: 10_000 });
    const impatient = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 300 });
    const started = Date.now();
    const error = await failure(impatient.expandVolumeClaim(NS, "flink-state-pvc", "100Gi"));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({
      code: "timeout",
      message: `the Kubernetes API at ${kube.url} did not answer within 300 ms`,
    });
    expect(writes()).toEqual([]);
  });
});
