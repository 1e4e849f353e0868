/**
 * manifests/ on a real kube-apiserver with RBAC: the ServiceAccount, role.yaml and its binding,
 * optionally remediation-role.yaml and cluster-read.yaml, applied to a namespace of their own; then
 * every operation the bot performs, as the bot's ServiceAccount (a TokenRequest token), in the
 * three layouts it supports (a plain Deployment, the operator's standalone mode, its native mode).
 *
 * - Each operation is allowed by exactly the files the README says it needs.
 * - Nothing is granted that the code never does: leaving out any one verb of any rule of any
 *   file changes the outcome of some operation.
 *
 * Outcomes: "ok ..." or the KubernetesError code. Two come from what this control plane lacks,
 * after RBAC let the request through: metrics.k8s.io is not served ("metrics-unavailable"), and
 * the apiserver refuses to proxy to the loopback kubelet ("invalid": address not allowed).
 */
import { describe, expect, inject, it } from "vitest";
import { createKubernetes, KubernetesError } from "../../src/adapters/kubernetes/index.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";
import { installFlinkDeploymentCrd } from "../peers/kube-flink-crd.ts";
import { applyRbac, loadManifestFile, type Manifest, type RbacRule } from "../peers/kube-manifests.ts";
import { kube, MERGE_PATCH } from "../peers/kube-rest.ts";
import {
  createNamespace,
  deleteNamespace,
  STORY_SELECTOR,
  seedOperatorStandalone,
  seedStory,
  serviceAccountKubeConfig,
} from "../peers/kube-story.ts";

const peer = inject("kubePeer");
const TM = "flink-taskmanager";
const PVC = "flink-state-pvc";

const BASE = [
  ...loadManifestFile("serviceaccount.yaml"),
  ...loadManifestFile("role.yaml"),
  ...loadManifestFile("rolebinding.yaml"),
];
const REMEDIATION = loadManifestFile("optional/remediation-role.yaml");
const CLUSTER_READ = loadManifestFile("optional/cluster-read.yaml");
const ALL = [...BASE, ...REMEDIATION, ...CLUSTER_READ];

type Outcomes = Record<string, string>;

/** Runs `ops` in order, each to an outcome. */
async function runAll(ops: [string, () => Promise<string>][]): Promise<Outcomes> {
  const out: Outcomes = {};
  for (const [name, op] of ops) {
    try {
      out[name] = `ok${((await op()) || "").replace(/^(?=.)/, " ")}`;
    } catch (error) {
      if (!(error instanceof KubernetesError)) throw error;
      out[name] = error.code;
    }
  }
  return out;
}

async function botPort(namespace: string): Promise<KubernetesPort> {
  return createKubernetes({
    kubeConfigYaml: await serviceAccountKubeConfig(peer, namespace, "runbook-bot"),
    requestTimeoutMs: 10_000,
  });
}

/** Every operation on the plain Deployment layout (the sandbox's story). */
async function deploymentLayout(docs: readonly Manifest[]): Promise<Outcomes> {
  const story = await seedStory(peer, "rbac-deploy");
  try {
    await applyRbac(peer, story.namespace, docs);
    const port = await botPort(story.namespace);
    const ns = story.namespace;
    return await runAll([
      ["listPods", async () => String((await port.listPods(ns, STORY_SELECTOR)).length)],
      [
        "podLogs",
        async () => String((await port.podLogs(ns, STORY_SELECTOR)).filter((l) => l.error === null).length),
      ],
      ["rolloutStatus", async () => (await port.rolloutStatus(ns, TM)).state],
      ["rolloutHistory", async () => String((await port.rolloutHistory(ns, TM)).length)],
      ["volumeClaim", async () => `expansion=${(await port.volumeClaim(ns, PVC)).allowsExpansion}`],
      ["volumeUsage", async () => String((await port.volumeUsage(ns, STORY_SELECTOR)).length)],
      ["podUsage", async () => String((await port.podUsage(ns, STORY_SELECTOR)).length)],
      ["workload", async () => (await port.taskmanagerWorkload(ns, TM, STORY_SELECTOR)).mode],
      ["getScale", async () => String((await port.getScale(ns, TM)).replicas)],
      ["scale", async () => String((await port.scaleDeployment(ns, TM, 5)).replicas)],
      ["undo", async () => String((await port.undoRollout(ns, TM)).toRevision)],
      [
        "setResources",
        async () =>
          (await port.setContainerResources(ns, TM, "taskmanager", { limits: { memory: "12Gi" } })).after
            .limits?.memory ?? "",
      ],
      [
        "restart",
        async () => ((await port.restartRollout(ns, TM)).restartedAt === null ? "no" : "restartedAt"),
      ],
      ["expand", async () => (await port.expandVolumeClaim(ns, PVC, "100Gi")).requested],
      // How many pods there are by now depends on the controllers' pace (scale, rollouts).
      [
        "deletePods",
        async () => ((await port.deletePods(ns, STORY_SELECTOR)).pods.length >= 4 ? "deleted" : "too few"),
      ],
    ]);
  } finally {
    await deleteNamespace(peer, story.namespace);
  }
}

/** The operator's standalone layout: FlinkDeployment flink owns Deployment flink-taskmanager. */
async function standaloneLayout(docs: readonly Manifest[]): Promise<Outcomes> {
  await installFlinkDeploymentCrd(peer);
  const ns = await createNamespace(peer, "rbac-standalone");
  try {
    await seedOperatorStandalone(peer, ns);
    await applyRbac(peer, ns, docs);
    const port = await botPort(ns);
    return await runAll([
      ["workload", async () => (await port.taskmanagerWorkload(ns, TM, STORY_SELECTOR)).mode],
      ["getScale", async () => String((await port.getScale(ns, TM)).replicas)],
      ["scale", async () => String((await port.scaleDeployment(ns, TM, 6)).replicas)],
      [
        "setResources",
        async () =>
          (await port.setContainerResources(ns, TM, "flink-main-container", { limits: { memory: "12Gi" } }))
            .after.limits?.memory ?? "",
      ],
      ["restart", async () => String((await port.restartRollout(ns, TM)).restartNonce)],
    ]);
  } finally {
    await deleteNamespace(peer, ns);
  }
}

/** The operator's native layout: FlinkDeployment flink and no taskmanager Deployment. */
async function nativeLayout(docs: readonly Manifest[]): Promise<Outcomes> {
  await installFlinkDeploymentCrd(peer);
  const ns = await createNamespace(peer, "rbac-native");
  try {
    const path = `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`;
    await kube(peer, "POST", path, {
      apiVersion: "flink.apache.org/v1beta1",
      kind: "FlinkDeployment",
      metadata: { name: "flink" },
      spec: { image: "flink-job:1.4.3", mode: "native", restartNonce: 1, taskManager: { replicas: 2 } },
    });
    await kube(
      peer,
      "PATCH",
      `${path}/flink/status`,
      { status: { taskManager: { replicas: 2, labelSelector: "app=flink,component=taskmanager" } } },
      MERGE_PATCH,
    );
    await applyRbac(peer, ns, docs);
    const port = await botPort(ns);
    return await runAll([
      ["workload", async () => (await port.taskmanagerWorkload(ns, TM, STORY_SELECTOR)).mode],
      ["getScale", async () => String((await port.getScale(ns, TM)).replicas)],
      ["scale", async () => String((await port.scaleDeployment(ns, TM, 3)).replicas)],
    ]);
  } finally {
    await deleteNamespace(peer, ns);
  }
}

interface AllLayouts {
  deployment: Outcomes;
  standalone: Outcomes;
  native: Outcomes;
}

async function allLayouts(docs: readonly Manifest[]): Promise<AllLayouts> {
  return {
    deployment: await deploymentLayout(docs),
    standalone: await standaloneLayout(docs),
    native: await nativeLayout(docs),
  };
}

const READS_OK = {
  listPods: "ok 4",
  podLogs: "ok 4",
  rolloutStatus: "ok complete",
  rolloutHistory: "ok 3",
  workload: "ok deployment",
  getScale: "ok 4",
  podUsage: "metrics-unavailable",
};

describe("manifests/ as the bot's ServiceAccount on a real apiserver", { timeout: 120_000 }, () => {
  it("role.yaml alone: every read but the cluster-scoped ones, and the scale; every other fix is forbidden", async () => {
    const result = await allLayouts(BASE);
    expect(result.deployment).toEqual({
      ...READS_OK,
      volumeClaim: "ok expansion=null",
      volumeUsage: "forbidden",
      scale: "ok 5",
      undo: "forbidden",
      setResources: "forbidden",
      restart: "forbidden",
      expand: "forbidden",
      deletePods: "forbidden",
    });
    expect(result.standalone).toEqual({
      workload: "ok flink-operator",
      getScale: "ok 4",
      scale: "ok 6",
      setResources: "forbidden",
      restart: "forbidden",
    });
    expect(result.native).toEqual({ workload: "ok flink-operator", getScale: "ok 2", scale: "ok 3" });
  });

  it("with remediation-role.yaml: every fix, growing the claim included (its class's policy unknown)", async () => {
    const result = await allLayouts([...BASE, ...REMEDIATION]);
    expect(result.deployment).toEqual({
      ...READS_OK,
      volumeClaim: "ok expansion=null",
      volumeUsage: "forbidden",
      scale: "ok 5",
      undo: "ok 2",
      setResources: "ok 12Gi",
      restart: "ok restartedAt",
      expand: "ok 100Gi",
      deletePods: "ok deleted",
    });
    expect(result.standalone).toEqual({
      workload: "ok flink-operator",
      getScale: "ok 4",
      scale: "ok 6",
      setResources: "ok 12Gi",
      restart: "ok 4",
    });
  });

  it("with cluster-read.yaml too: the StorageClass is read; the volume usage passes RBAC", async () => {
    const result = await deploymentLayout(ALL);
    expect(result).toMatchObject({
      volumeClaim: "ok expansion=true",
      // RBAC let it through; this apiserver then refuses to proxy to a loopback kubelet.
      volumeUsage: "invalid",
      expand: "ok 100Gi",
    });
  });

  describe("every verb of every rule is needed: leaving one out changes what some operation does", () => {
    let baseline: Promise<AllLayouts> | undefined;
    const grants: [string, string, number, string][] = [];
    for (const [file, docs] of [
      ["role.yaml", BASE],
      ["remediation-role.yaml", REMEDIATION],
      ["cluster-read.yaml", CLUSTER_READ],
    ] as const) {
      for (const doc of docs) {
        ((doc.rules ?? []) as RbacRule[]).forEach((rule, index) => {
          for (const verb of rule.verbs) {
            const names = rule.resourceNames ? ` ${rule.resourceNames.join(",")}` : "";
            grants.push([
              file,
              `${verb} ${rule.apiGroups[0] || "core"}/${rule.resources.join(",")}${names}`,
              index,
              verb,
            ]);
          }
        });
      }
    }
    const isFrom = (file: string, doc: Manifest): boolean =>
      (file === "role.yaml" && doc.kind === "Role" && BASE.includes(doc)) ||
      (file === "remediation-role.yaml" && doc.kind === "Role" && REMEDIATION.includes(doc)) ||
      (file === "cluster-read.yaml" && doc.kind === "ClusterRole");

    it.each(grants)("%s: %s", async (file, _label, index, verb) => {
      baseline ??= allLayouts(ALL);
      const without = ALL.map((doc) => {
        if (!isFrom(file, doc)) return doc;
        const copy = structuredClone(doc);
        const rules = copy.rules as RbacRule[];
        const rule = rules[index]!;
        rule.verbs = rule.verbs.filter((v) => v !== verb);
        copy.rules = rules.filter((r) => r.verbs.length > 0);
        return copy;
      });
      const [full, reduced] = [await baseline, await allLayouts(without)];
      const changed = (Object.keys(full) as (keyof AllLayouts)[]).flatMap((layout) =>
        Object.keys(full[layout])
          .filter((op) => full[layout][op] !== reduced[layout][op])
          .map((op) => `${layout}.${op}: ${full[layout][op]} -> ${reduced[layout][op]}`),
      );
      expect(changed.length, "no operation needs this grant").toBeGreaterThan(0);
    });
  });
});
