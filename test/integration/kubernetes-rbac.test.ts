/**
 * The manifests' RBAC on a real kube-apiserver v1.34 (test/peers/kube-peer.ts, --authorization-mode
 * Node,RBAC): manifests/ is applied as written (namespace rewritten to the test's own), and every
 * operation the bot performs runs as the bot's ServiceAccount token, through the real adapter.
 *
 * - Each file grants what its comment says: role.yaml alone reads everything and scales;
 *   optional/remediation-role.yaml adds the other fixes; optional/cluster-read.yaml adds the
 *   StorageClass and kubelet reads. Without them those operations are forbidden, never a crash.
 * - Nothing the code never does is granted: every rule (and every verb of every rule) is removed
 *   in turn, and some operation that worked must then be forbidden.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { KubernetesError, type KubernetesPort } from "../../src/ports/kubernetes.ts";
import {
  STORY_CLAIM,
  STORY_CONTAINER,
  STORY_DEPLOYMENT,
} from "../../src/sandbox/simulated/simulated-kubernetes.ts";
import { installFlinkDeploymentCrd } from "../peers/kube-flink-crd.ts";
import { finishDeletions, settlePods } from "../peers/kube-kubelet.ts";
import type { KubePeerInfo } from "../peers/kube-peer.ts";
import { eventually, kube, kubeFetch, MERGE_PATCH } from "../peers/kube-rest.ts";
import {
  createNamespace,
  deleteNamespace,
  STORY_SELECTOR,
  seedOperatorStandalone,
  seedStory,
  serviceAccountKubeConfig,
} from "../peers/kube-story.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML manifests.
type Doc = Record<string, any>;
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const manifestsDir = fileURLToPath(new URL("../../manifests/", import.meta.url));
const ACCOUNT = "runbook-bot";

function docsOf(file: string): Doc[] {
  return parseAllDocuments(readFileSync(join(manifestsDir, file), "utf8"))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

/** The manifest's objects, moved into `namespace`; cluster-scoped names get a suffix. */
function rewritten(docs: Doc[], namespace: string): Doc[] {
  return docs.map((doc) => {
    const copy = structuredClone(doc);
    if (copy.metadata.namespace !== undefined) copy.metadata.namespace = namespace;
    else copy.metadata.name = `${copy.metadata.name}-${namespace}`;
    if (copy.roleRef?.kind === "ClusterRole") copy.roleRef.name = `${copy.roleRef.name}-${namespace}`;
    for (const s of copy.subjects ?? []) if (s.namespace !== undefined) s.namespace = namespace;
    return copy;
  });
}

const PLURAL: Record<string, string> = {
  ServiceAccount: "serviceaccounts",
  Role: "roles",
  RoleBinding: "rolebindings",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
};

function pathOf(doc: Doc): string {
  const plural = PLURAL[doc.kind as string];
  if (plural === undefined) throw new Error(`no path for ${doc.kind}`);
  const group = doc.apiVersion === "v1" ? "/api/v1" : `/apis/${doc.apiVersion}`;
  const ns = doc.metadata.namespace === undefined ? "" : `/namespaces/${doc.metadata.namespace}`;
  return `${group}${ns}/${plural}`;
}

async function apply(peer: KubePeerInfo, docs: Doc[]): Promise<void> {
  for (const doc of docs) await kube(peer, "POST", pathOf(doc), doc);
}

async function remove(peer: KubePeerInfo, docs: Doc[]): Promise<void> {
  for (const doc of docs) await kubeFetch(peer, "DELETE", `${pathOf(doc)}/${doc.metadata.name}`);
}

/** Whether the ServiceAccount may do verb on resource (a SubjectAccessReview, as the admin). */
async function allowed(
  peer: KubePeerInfo,
  namespace: string,
  attributes: { group: string; resource: string; verb: string; name?: string; subresource?: string },
): Promise<boolean> {
  const review = await kube<{ status: { allowed?: boolean } }>(
    peer,
    "POST",
    "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: `system:serviceaccount:${namespace}:${ACCOUNT}`,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
        resourceAttributes: { namespace, ...attributes },
      },
    },
  );
  return review.status.allowed === true;
}

/** Waits until the authorizer's caches show the first (verb, resource) of `rule` as `expected`. */
async function settled(peer: KubePeerInfo, namespace: string, rule: Rule, expected: boolean): Promise<void> {
  const [resource, subresource] = (rule.resources[0] ?? "").split("/");
  const verb = rule.verbs[0] ?? "get";
  await eventually(`RBAC ${verb} ${rule.resources[0]} -> ${expected}`, async () =>
    (await allowed(peer, namespace, {
      group: rule.apiGroups[0] ?? "",
      resource: resource ?? "",
      verb,
      ...(subresource ? { subresource } : {}),
      ...(rule.resourceNames?.[0] ? { name: rule.resourceNames[0] } : {}),
    })) === expected
      ? true
      : undefined,
  );
}

/** "degraded": answered, but with a part it was not allowed to read (said in the result). */
type Outcome = "ok" | "forbidden" | "degraded" | `error: ${string}`;

async function outcome(call: () => Promise<unknown>, op = ""): Promise<Outcome> {
  try {
    const value = await call();
    // volumeClaim answers without the StorageClass it may not read (allowsExpansion null).
    if (op === "volumeClaim" && (value as { allowsExpansion?: unknown }).allowsExpansion === null) {
      return "degraded";
    }
    // podLogs says per pod what it could not read.
    if (Array.isArray(value)) {
      const failed = value.find((v) => v !== null && typeof v === "object" && "error" in v && v.error);
      if (failed) return /forbidden/i.test(String((failed as { error: unknown }).error)) ? "forbidden" : "ok";
    }
    return "ok";
  } catch (error) {
    if (error instanceof KubernetesError && error.code === "forbidden") return "forbidden";
    // metrics.k8s.io is not served here (no metrics-server): authorised, then not found.
    if (error instanceof KubernetesError && error.code === "metrics-unavailable") return "ok";
    if (error instanceof KubernetesError) return `error: ${error.code}: ${error.message}`;
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Every KubernetesPort operation the bot performs, as its runbooks and actions call it.
 * The writes are repeatable (scale alternates, the claim grows a little each time).
 */
function operations(port: KubernetesPort, namespace: string): Record<string, () => Promise<unknown>> {
  let replicas = 4;
  let claimGi = 50;
  return {
    listPods: () => port.listPods(namespace, STORY_SELECTOR),
    podLogs: () => port.podLogs(namespace, STORY_SELECTOR, { tailLines: 5 }),
    podUsage: () => port.podUsage(namespace, STORY_SELECTOR),
    rolloutStatus: () => port.rolloutStatus(namespace, STORY_DEPLOYMENT),
    rolloutHistory: () => port.rolloutHistory(namespace, STORY_DEPLOYMENT),
    taskmanagerWorkload: () => port.taskmanagerWorkload(namespace, STORY_DEPLOYMENT, STORY_SELECTOR),
    volumeClaim: () => port.volumeClaim(namespace, STORY_CLAIM),
    volumeUsage: () => port.volumeUsage(namespace, STORY_SELECTOR),
    getScale: () => port.getScale(namespace, STORY_DEPLOYMENT),
    scaleDeployment: () => {
      replicas = replicas === 4 ? 5 : 4;
      return port.scaleDeployment(namespace, STORY_DEPLOYMENT, replicas);
    },
    restartRollout: () => port.restartRollout(namespace, STORY_DEPLOYMENT),
    undoRollout: () => port.undoRollout(namespace, STORY_DEPLOYMENT),
    setContainerResources: () =>
      port.setContainerResources(namespace, STORY_DEPLOYMENT, STORY_CONTAINER, {
        limits: { memory: `${8 + (claimGi % 3)}Gi` },
      }),
    deletePods: () => port.deletePods(namespace, STORY_SELECTOR),
    expandVolumeClaim: () => {
      claimGi += 1;
      return port.expandVolumeClaim(namespace, STORY_CLAIM, `${claimGi}Gi`);
    },
  };
}

/** One taskmanager layout in a namespace of its own, the manifests applied there. */
interface Layout {
  readonly namespace: string;
  readonly port: KubernetesPort;
  readonly ops: Record<string, () => Promise<unknown>>;
}

/**
 * What a kubelet would do between two rounds: finish the deletions and run the pods the
 * ReplicaSet controller made, so every round reads logs of scheduled pods.
 */
async function settle(peer: KubePeerInfo, namespace: string): Promise<void> {
  const answer = await kubeFetch(
    peer,
    "GET",
    `/apis/apps/v1/namespaces/${namespace}/deployments/${STORY_DEPLOYMENT}`,
  );
  if (answer.status !== 200) return;
  const replicas = (answer.body as { spec: { replicas: number } }).spec.replicas;
  await finishDeletions(peer, namespace, STORY_SELECTOR);
  await settlePods(peer, namespace, peer.node, { labelSelector: STORY_SELECTOR, expect: replicas });
}

async function runAll(peer: KubePeerInfo, layout: Layout): Promise<Record<string, Outcome>> {
  await settle(peer, layout.namespace);
  const out: Record<string, Outcome> = {};
  // One at a time: the writes change what the next read sees.
  for (const [name, call] of Object.entries(layout.ops)) out[name] = await outcome(call, name);
  return out;
}

const READS = [
  "listPods",
  "podLogs",
  "podUsage",
  "rolloutStatus",
  "rolloutHistory",
  "taskmanagerWorkload",
  "volumeClaim",
  "getScale",
];

const FD_PATH = (ns: string) => `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`;

/** Native mode: a FlinkDeployment "flink" and no taskmanager Deployment (Flink makes the pods). */
async function seedNative(peer: KubePeerInfo, namespace: string): Promise<void> {
  await kube(peer, "POST", FD_PATH(namespace), {
    apiVersion: "flink.apache.org/v1beta1",
    kind: "FlinkDeployment",
    metadata: { name: "flink" },
    spec: {
      image: "flink-job:1.4.3",
      flinkVersion: "v1_20",
      mode: "native",
      jobManager: { replicas: 1, resource: { cpu: 1, memory: "2Gi" } },
      taskManager: { replicas: 4, resource: { cpu: 2, memory: "8Gi" } },
      job: { jarURI: "local:///opt/flink/usrlib/job.jar", parallelism: 8, upgradeMode: "last-state" },
    },
  });
}

describe("the manifests' RBAC, as the bot's ServiceAccount on a real kube-apiserver", () => {
  const peer = inject("kubePeer");
  const layouts: Record<"deployment" | "operator" | "native", Layout> = {} as never;
  const clusterScoped: Doc[] = [];
  const role = (ns: string): Doc => rewritten(docsOf("role.yaml"), ns)[0]!;
  const remediation = (ns: string): Doc[] => rewritten(docsOf("optional/remediation-role.yaml"), ns);
  const clusterRead = (ns: string): Doc[] => rewritten(docsOf("optional/cluster-read.yaml"), ns);
  const all = () => Object.values(layouts);

  async function layout(namespace: string): Promise<Layout> {
    await apply(
      peer,
      ["serviceaccount.yaml", "role.yaml", "rolebinding.yaml"].flatMap((f) =>
        rewritten(docsOf(f), namespace),
      ),
    );
    const port = createKubernetes({
      kubeConfigYaml: await serviceAccountKubeConfig(peer, namespace, ACCOUNT),
      requestTimeoutMs: 10_000,
    });
    await settled(peer, namespace, role(namespace).rules[0] as Rule, true);
    return { namespace, port, ops: operations(port, namespace) };
  }

  /** Applies an optional file in every layout's namespace and waits until its rules are in force. */
  async function applyEverywhere(docsFor: (ns: string) => Doc[]): Promise<void> {
    for (const { namespace } of all()) {
      const docs = docsFor(namespace);
      await apply(peer, docs);
      clusterScoped.push(...docs.filter((d) => d.metadata.namespace === undefined));
      for (const rule of docs[0]!.rules as Rule[]) {
        for (const verb of rule.verbs) {
          await settled(peer, namespace, { ...rule, verbs: [verb] }, true);
        }
      }
    }
  }

  beforeAll(async () => {
    await installFlinkDeploymentCrd(peer);
    layouts.deployment = await layout((await seedStory(peer, "rbac")).namespace);
    const operatorNs = await createNamespace(peer, "rbac-op");
    await seedOperatorStandalone(peer, operatorNs);
    layouts.operator = await layout(operatorNs);
    const nativeNs = await createNamespace(peer, "rbac-native");
    await seedNative(peer, nativeNs);
    layouts.native = await layout(nativeNs);
  }, 180_000);

  afterAll(async () => {
    await remove(peer, clusterScoped);
    await Promise.all(all().map((l) => deleteNamespace(peer, l.namespace)));
  });

  it("role.yaml alone: every read and the scale work; the other fixes are forbidden, said, not thrown", async () => {
    const got = await runAll(peer, layouts.deployment);
    for (const read of READS) expect(got[read], read).toBe(read === "volumeClaim" ? "degraded" : "ok");
    expect(got.scaleDeployment).toBe("ok");
    expect(got.volumeUsage).toBe("forbidden");
    for (const write of [
      "restartRollout",
      "undoRollout",
      "setContainerResources",
      "deletePods",
      "expandVolumeClaim",
    ]) {
      expect(got[write], write).toBe("forbidden");
    }
  });

  it("role.yaml alone: the state volume claim is read; the StorageClass's expansion policy is unknown, not fatal", async () => {
    const claim = await layouts.deployment.port.volumeClaim(layouts.deployment.namespace, STORY_CLAIM);
    expect(claim).toMatchObject({
      name: STORY_CLAIM,
      phase: "Bound",
      storageClass: "gp3",
      allowsExpansion: null,
    });
  });

  it("role.yaml alone, operator mode: the FlinkDeployment scales (its scale subresource); restart and resources are forbidden", async () => {
    const { port, namespace } = layouts.operator;
    const scaled = await port.scaleDeployment(namespace, STORY_DEPLOYMENT, 6);
    expect(scaled).toMatchObject({ name: "flink", replicas: 6 });
    const fd = await kube<{ spec: { taskManager: { replicas: number } } }>(
      peer,
      "GET",
      `${FD_PATH(namespace)}/flink`,
    );
    expect(fd.spec.taskManager.replicas).toBe(6);
    expect(await port.getScale(namespace, STORY_DEPLOYMENT)).toMatchObject({ name: "flink", replicas: 6 });
    expect(await outcome(() => port.restartRollout(namespace, STORY_DEPLOYMENT))).toBe("forbidden");
    expect(
      await outcome(() =>
        port.setContainerResources(namespace, STORY_DEPLOYMENT, "flink-main-container", {
          limits: { memory: "12Gi" },
        }),
      ),
    ).toBe("forbidden");
    // Native mode: found by listing FlinkDeployments, scaled the same way.
    const native = layouts.native;
    expect(await native.port.taskmanagerWorkload(native.namespace, STORY_DEPLOYMENT)).toMatchObject({
      mode: "flink-operator",
      name: "flink",
    });
    expect(await native.port.scaleDeployment(native.namespace, STORY_DEPLOYMENT, 5)).toMatchObject({
      replicas: 5,
    });
  });

  it("role.yaml + optional/remediation-role.yaml: every fix works, as that file says (grow-PVC included)", async () => {
    await applyEverywhere(remediation);
    const got = await runAll(peer, layouts.deployment);
    for (const [name, result] of Object.entries(got)) {
      if (name !== "volumeUsage" && name !== "volumeClaim") expect(result, name).toBe("ok");
    }
    expect(got.volumeClaim).toBe("degraded");
    expect(got.volumeUsage).toBe("forbidden");
    const { port, namespace } = layouts.operator;
    expect(await outcome(() => port.restartRollout(namespace, STORY_DEPLOYMENT))).toBe("ok");
  });

  it("with optional/cluster-read.yaml too: the expansion policy and the kubelet's volume stats are read", async () => {
    await applyEverywhere(clusterRead);
    const claim = await layouts.deployment.port.volumeClaim(layouts.deployment.namespace, STORY_CLAIM);
    expect(claim.allowsExpansion).toBe(true);
    const got = await runAll(peer, layouts.deployment);
    for (const [name, result] of Object.entries(got)) {
      // The fake kubelet serves logs, not /stats/summary: authorised, then an answer of its own.
      if (name === "volumeUsage") expect(result).not.toBe("forbidden");
      else expect(result, name).toBe("ok");
    }
  });

  it("nothing the code never does is granted: without any one rule or verb, some operation is forbidden", async () => {
    const runEverywhere = async (): Promise<Record<string, Outcome>> => {
      const out: Record<string, Outcome> = {};
      for (const [name, l] of Object.entries(layouts)) {
        for (const [op, result] of Object.entries(await runAll(peer, l))) out[`${name}.${op}`] = result;
      }
      return out;
    };
    const baseline = await runEverywhere();
    const files: { name: string; rules: Rule[]; path: (ns: string) => string }[] = [
      {
        name: "role.yaml",
        rules: role("x").rules as Rule[],
        path: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/runbook-bot`,
      },
      {
        name: "optional/remediation-role.yaml",
        rules: remediation("x")[0]!.rules as Rule[],
        path: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/runbook-bot-remediation`,
      },
      {
        name: "optional/cluster-read.yaml",
        rules: clusterRead("x")[0]!.rules as Rule[],
        path: (ns) => `/apis/rbac.authorization.k8s.io/v1/clusterroles/runbook-bot-cluster-read-${ns}`,
      },
    ];
    const unused: string[] = [];
    const patchEverywhere = async (
      file: (typeof files)[number],
      rules: Rule[],
      rule: Rule,
      expected: boolean,
    ) => {
      for (const { namespace } of all()) {
        await kube(peer, "PATCH", file.path(namespace), { rules }, MERGE_PATCH);
        await settled(peer, namespace, rule, expected);
      }
    };
    for (const file of files) {
      for (const [i, rule] of file.rules.entries()) {
        for (const verb of rule.verbs) {
          const without = structuredClone(file.rules);
          const trimmed = { ...rule, verbs: rule.verbs.filter((v) => v !== verb) };
          if (trimmed.verbs.length > 0) without[i] = trimmed;
          else without.splice(i, 1);
          const one = { ...rule, verbs: [verb] };
          await patchEverywhere(file, without, one, false);
          const got = await runEverywhere();
          const broke = Object.entries(got).filter(
            ([op, r]) => (r === "forbidden" || r === "degraded") && baseline[op] !== r,
          );
          if (broke.length === 0) unused.push(`${file.name}: ${verb} ${rule.resources.join(",")}`);
          await patchEverywhere(file, file.rules, one, true);
        }
      }
    }
    expect(unused).toEqual([]);
  }, 300_000);
});

describe("manifests/ on disk", () => {
  it("names only files this test applies (a new manifest gets an RBAC test)", () => {
    const files = readdirSync(manifestsDir).concat(
      readdirSync(join(manifestsDir, "optional")).map((f) => `optional/${f}`),
    );
    const rbac = files.filter(
      (f) => f.endsWith(".yaml") && docsOf(f).some((d) => /Role|ServiceAccount/.test(d.kind)),
    );
    expect(rbac.sort()).toEqual(
      [
        "optional/cluster-read.yaml",
        "optional/remediation-role.yaml",
        "role.yaml",
        "rolebinding.yaml",
        "serviceaccount.yaml",
      ].sort(),
    );
  });
});
