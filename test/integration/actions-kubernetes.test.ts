/**
 * The Kubernetes actions (rollback, restart, delete pods, set resources, grow the state volume)
 * through prepare -> recheck -> execute, on the real Kubernetes adapter against the local API
 * server peer (test/peers/kube-api-server.ts). prepare and recheck only read; execute's write is
 * asserted exactly: method, path, query, content type and body. The peer's default seed is the
 * sandbox's story: flink/flink-taskmanager at revision 3 (flink-job:1.4.3) with revisions 1 and 2,
 * 4 pods, flink-state-pvc 50Gi on gp3 (gp2 does not allow expansion).
 */
import { afterEach, describe, expect, it } from "vitest";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "../../src/actions/action.ts";
import { deleteTaskmanagerPods } from "../../src/actions/delete-taskmanager-pods.ts";
import { growPvc } from "../../src/actions/grow-pvc.ts";
import { restartTaskmanagers } from "../../src/actions/restart-taskmanagers.ts";
import { rollback } from "../../src/actions/rollback.ts";
import { setTaskmanagerResources } from "../../src/actions/set-taskmanager-resources.ts";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { systemClock } from "../../src/ports/clock.ts";
import {
  deploymentObject,
  flinkDeploymentObject,
  type KubeApiServer,
  type KubeSeed,
  startKubeApiServer,
} from "../peers/kube-api-server.ts";
import { testConfig } from "../unit/actions/config.ts";

const NOW = new Date("2025-06-03T10:20:30.456Z");
const NS = "flink";
const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager";
const FD_PATH = "/apis/flink.apache.org/v1beta1/namespaces/flink/flinkdeployments";
const config = testConfig();

let kube: KubeApiServer | undefined;

afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function start(seed: KubeSeed = {}): Promise<{ server: KubeApiServer; ctx: ActionContext }> {
  const server = await startKubeApiServer(seed);
  kube = server;
  const kubernetes = createKubernetes({
    kubeConfigYaml: server.kubeConfigYaml,
    requestTimeoutMs: 5_000,
    now: () => NOW,
  });
  return { server, ctx: { config, ports: { clock: systemClock, kubernetes } } };
}

const writes = (server: KubeApiServer) =>
  server.requests
    .filter((r) => r.method !== "GET")
    .map(({ method, path, query, contentType, body }) => ({ method, path, query, contentType, body }));

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

/** parse as the engine does, so the params are exactly what it would pass on. */
function parsed<P extends Record<string, unknown>>(def: ActionDefinition<P>, raw: unknown): P {
  const result = def.parse(raw, config);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.params;
}

/** The operator's standalone mode: flink-taskmanager owned by FlinkDeployment "flink" (restartNonce 3). */
function standaloneSeed(): KubeSeed {
  const fd = flinkDeploymentObject({
    namespace: NS,
    name: "flink",
    replicas: 4,
    restartNonce: 3,
    standalone: true,
  });
  const deployment = deploymentObject({
    namespace: NS,
    name: "flink-taskmanager",
    replicas: 4,
    labels: { app: "flink-taskmanager" },
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
  return { deployments: [deployment], flinkDeployments: [fd], replicaSets: [], pods: [] };
}

describe("rollback", () => {
  const proposal = { namespace: NS, deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 };

  it("previews both revisions, re-checks, and sends kubectl rollout undo's JSON patch", async () => {
    const { server, ctx } = await start();
    const prepared = await rollback.prepare(parsed(rollback, proposal), ctx);
    expect(prepared).toEqual({
      params: proposal,
      preview:
        'rollback flink-taskmanager in flink: revision 3 (flink-job:1.4.3, "deploy 1.4.3") -> revision 2 (flink-job:1.4.2, "deploy 1.4.2")',
    });
    expect(await rollback.recheck(prepared.params, ctx)).toBeUndefined();
    expect(writes(server)).toEqual([]);

    const rev2 = server.state.replicaSets.find(
      (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "2",
    )!;
    const template = structuredClone(rev2.spec.template);
    delete template.metadata.labels["pod-template-hash"];
    const result = await rollback.execute(prepared.params, ctx);
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: DEPLOYMENT_PATH,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/json-patch+json",
        body: [
          { op: "replace", path: "/spec/template", value: template },
          {
            op: "replace",
            path: "/metadata/annotations",
            value: { "deployment.kubernetes.io/revision": "3", "kubernetes.io/change-cause": "deploy 1.4.2" },
          },
        ],
      },
    ]);
    expect(result.message).toMatch(
      /^flink-taskmanager in flink rolled back from revision 3 to revision 2 \(flink-job:1\.4\.2\); Waiting for deployment "flink-taskmanager" rollout to finish/,
    );
    expect(result.details).toMatchObject({
      fromRevision: 3,
      toRevision: 2,
      images: ["flink-job:1.4.2"],
      changeCause: "deploy 1.4.2",
    });
  });

  it("without toRevision goes to the previous revision and fills both revisions in", async () => {
    const { ctx } = await start();
    const prepared = await rollback.prepare(
      parsed(rollback, { namespace: NS, deployment: "flink-taskmanager" }),
      ctx,
    );
    expect(prepared.params).toEqual({
      namespace: NS,
      deployment: "flink-taskmanager",
      toRevision: 2,
      fromRevision: 3,
    });
  });

  it("refuses when the deployment moved since the proposal or the request, without writing", async () => {
    const { server, ctx } = await start();
    const prepared = await rollback.prepare(parsed(rollback, proposal), ctx);
    // Someone runs kubectl rollout restart meanwhile: the controller makes revision 4.
    await ctx.ports.kubernetes!.restartRollout(NS, "flink-taskmanager");
    const before = writes(server).length;
    expect(await rollback.recheck(prepared.params, ctx)).toBe(
      "flink-taskmanager runs revision 4 now, not the revision 3 this request was computed from",
    );
    expect(await refusal(rollback.prepare(parsed(rollback, proposal), ctx))).toBe(
      "flink-taskmanager runs revision 4 now, not the revision 3 this was proposed for; run the diagnostics again",
    );
    expect(
      await refusal(
        rollback.prepare(
          parsed(rollback, { namespace: NS, deployment: "flink-taskmanager", toRevision: 4 }),
          ctx,
        ),
      ),
    ).toBe("flink-taskmanager already runs revision 4: nothing to roll back");
    expect(writes(server)).toHaveLength(before);
  });

  it("refuses a paused deployment and an operator-managed one", async () => {
    const { server, ctx } = await start();
    server.state.deployments[0]!.spec.paused = true;
    expect(await refusal(rollback.prepare(parsed(rollback, proposal), ctx))).toBe(
      "flink-taskmanager is paused: resume the rollout first (kubectl rollout resume)",
    );
    await server.stop();
    const operator = await start(standaloneSeed());
    expect(await refusal(rollback.prepare(parsed(rollback, proposal), operator.ctx))).toMatch(
      /^flink-taskmanager is managed by FlinkDeployment flink: there is no ReplicaSet history to roll back/,
    );
    expect(writes(operator.server)).toEqual([]);
  });
});

describe("restart-taskmanagers", () => {
  const params = { namespace: NS, deployment: "flink-taskmanager" };

  it("previews a rollout restart of the pods and sends kubectl's strategic merge patch", async () => {
    const { server, ctx } = await start();
    const prepared = await restartTaskmanagers.prepare(parsed(restartTaskmanagers, params), ctx);
    expect(prepared).toEqual({
      params,
      preview: "rollout restart of flink-taskmanager (4 pods) in namespace flink",
    });
    expect(await restartTaskmanagers.recheck(params, ctx)).toBeUndefined();
    const result = await restartTaskmanagers.execute(params, ctx);
    expect(writes(server)).toEqual([
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
    expect(result).toEqual({
      message:
        "rollout restart of flink-taskmanager in namespace flink started (restartedAt 2025-06-03T10:20:30Z)",
      details: {
        mode: "deployment",
        kind: "Deployment",
        namespace: NS,
        name: "flink-taskmanager",
        restartedAt: "2025-06-03T10:20:30Z",
        restartNonce: null,
      },
    });
  });

  it("refuses at execution time when the deployment was paused meanwhile", async () => {
    const { server, ctx } = await start();
    await restartTaskmanagers.prepare(params, ctx);
    server.state.deployments[0]!.spec.paused = true;
    expect(await restartTaskmanagers.recheck(params, ctx)).toBe(
      "flink-taskmanager is paused: a restart would not roll out (kubectl refuses it too); resume it first",
    );
    expect(writes(server)).toEqual([]);
  });

  it("increments restartNonce on the FlinkDeployment in operator mode, conditional on its version", async () => {
    const { server, ctx } = await start(standaloneSeed());
    const prepared = await restartTaskmanagers.prepare(params, ctx);
    expect(prepared.preview).toBe("restartNonce 3 -> 4 on FlinkDeployment flink in namespace flink");
    const result = await restartTaskmanagers.execute(params, ctx);
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: `${FD_PATH}/flink`,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { metadata: { resourceVersion: "1" }, spec: { restartNonce: 4 } },
      },
    ]);
    expect(result.message).toBe(
      "restartNonce set to 4 on FlinkDeployment flink in namespace flink: the operator redeploys the job",
    );
    expect(server.state.deployments[0]?.spec.template.metadata.annotations).toBeUndefined();
  });
});

describe("delete-taskmanager-pods", () => {
  const params = { namespace: NS, selector: "app=flink-taskmanager" };

  it("lists the pods it will delete and deletes each one", async () => {
    const { server, ctx } = await start();
    const prepared = await deleteTaskmanagerPods.prepare(parsed(deleteTaskmanagerPods, params), ctx);
    expect(prepared.preview).toBe(
      "delete 4 pods matching app=flink-taskmanager in namespace flink (flink-taskmanager-0, flink-taskmanager-1, flink-taskmanager-2, flink-taskmanager-3) at once; their controller recreates them and the job restarts from its last checkpoint",
    );
    expect(await deleteTaskmanagerPods.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await deleteTaskmanagerPods.execute(prepared.params, ctx);
    expect(writes(server)).toEqual(
      [0, 1, 2, 3].map((i) => ({
        method: "DELETE",
        path: `/api/v1/namespaces/flink/pods/flink-taskmanager-${i}`,
        query: {},
        contentType: "application/json",
        body: undefined,
      })),
    );
    expect(result.details).toEqual({
      namespace: NS,
      selector: "app=flink-taskmanager",
      pods: [0, 1, 2, 3].map((i) => `flink-taskmanager-${i}`),
    });
    expect(server.state.pods).toEqual([]);
    expect(await deleteTaskmanagerPods.recheck(prepared.params, ctx)).toBe(
      "no pod matches app=flink-taskmanager in namespace flink: nothing to delete",
    );
  });
});

describe("set-taskmanager-resources", () => {
  const base = { namespace: NS, deployment: "flink-taskmanager", container: "taskmanager" };

  it("previews from the pods' current limits and sends kubectl set resources' strategic merge patch", async () => {
    const { server, ctx } = await start();
    const params = parsed(setTaskmanagerResources, {
      ...base,
      requests: { memory: "10Gi" },
      limits: { memory: "12Gi" },
    });
    const prepared = await setTaskmanagerResources.prepare(params, ctx);
    expect(prepared.preview).toBe(
      "set resources of container taskmanager in deployment flink-taskmanager (namespace flink): limits memory 8Gi -> 12Gi, requests memory 8Gi -> 10Gi; replaces 4 pods",
    );
    expect(await setTaskmanagerResources.recheck(params, ctx)).toBeUndefined();
    const result = await setTaskmanagerResources.execute(params, ctx);
    expect(writes(server)).toEqual([
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
                    resources: { requests: { memory: "10Gi" }, limits: { memory: "12Gi" } },
                  },
                ],
              },
            },
          },
        },
      },
    ]);
    expect(result.message).toBe(
      "container taskmanager of deployment flink-taskmanager in namespace flink: limits memory 8Gi -> 12Gi, requests memory 8Gi -> 10Gi",
    );
    expect(result.details).toMatchObject({
      before: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
      after: { requests: { cpu: "2", memory: "10Gi" }, limits: { cpu: "2", memory: "12Gi" } },
    });
  });

  it("refuses an unknown container and limits that are already set, without writing", async () => {
    const { server, ctx } = await start();
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
    expect(writes(server)).toEqual([]);
  });

  it("sets spec.taskManager.resource on the FlinkDeployment in operator mode", async () => {
    const { server, ctx } = await start(standaloneSeed());
    const params = parsed(setTaskmanagerResources, {
      ...base,
      container: "flink-main-container",
      requests: { memory: "12Gi" },
      limits: { memory: "12Gi" },
    });
    expect((await setTaskmanagerResources.prepare(params, ctx)).preview).toBe(
      "FlinkDeployment flink taskManager.resource in namespace flink: memory 8Gi -> 12Gi (the operator redeploys the job)",
    );
    const result = await setTaskmanagerResources.execute(params, ctx);
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: `${FD_PATH}/flink`,
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { spec: { taskManager: { resource: { memory: "12Gi" } } } },
      },
    ]);
    expect(result.message).toBe(
      "FlinkDeployment flink in namespace flink: limits memory 8Gi -> 12Gi, requests memory 8Gi -> 12Gi",
    );
  });
});

describe("grow-pvc", () => {
  const proposal = { namespace: NS, claim: "flink-state-pvc", from: "50Gi", to: "100Gi" };

  it("previews the growth with the StorageClass and sends the merge patch of the request", async () => {
    const { server, ctx } = await start();
    const prepared = await growPvc.prepare(
      parsed(growPvc, { namespace: NS, claim: "flink-state-pvc", to: "100Gi" }),
      ctx,
    );
    expect(prepared).toEqual({
      params: proposal,
      preview: "grow flink-state-pvc 50Gi -> 100Gi (StorageClass gp3 allows expansion)",
    });
    expect(await growPvc.recheck(prepared.params, ctx)).toBeUndefined();
    const result = await growPvc.execute(prepared.params, ctx);
    expect(writes(server)).toEqual([
      {
        method: "PATCH",
        path: "/api/v1/namespaces/flink/persistentvolumeclaims/flink-state-pvc",
        query: { fieldManager: "runbook-bot" },
        contentType: "application/merge-patch+json",
        body: { spec: { resources: { requests: { storage: "100Gi" } } } },
      },
    ]);
    expect(result.message).toBe(
      "flink-state-pvc in namespace flink now requests 100Gi (was 50Gi); capacity 50Gi until the volume is resized",
    );
  });

  it("refuses a class without expansion, a smaller size, and a size that changed since the request", async () => {
    const { server, ctx } = await start();
    const prepared = await growPvc.prepare(parsed(growPvc, proposal), ctx);
    server.state.persistentVolumeClaims[0]!.spec.resources.requests.storage = "80Gi";
    expect(await growPvc.recheck(prepared.params, ctx)).toBe(
      "flink-state-pvc now requests 80Gi, not the 50Gi this request was computed from",
    );
    expect(await refusal(growPvc.prepare({ ...proposal, to: "64Gi" }, ctx))).toBe(
      "flink-state-pvc can only grow: 64Gi is not larger than its current 80Gi",
    );
    server.state.persistentVolumeClaims[0]!.spec.storageClassName = "gp2";
    expect(await refusal(growPvc.prepare(proposal, ctx))).toBe(
      "flink-state-pvc cannot be expanded: StorageClass gp2 does not set allowVolumeExpansion: true",
    );
    expect(writes(server)).toEqual([]);
  });
});
