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
import type { KubePeerInfo } from "../peers/kube-peer.ts";
import { eventually, kube, kubeFetch, MERGE_PATCH } from "../peers/kube-rest.ts";
import { deleteNamespace, STORY_SELECTOR, seedStory, serviceAccountKubeConfig } from "../peers/kube-story.ts";

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

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const value = await call();
    if (
      value !== null &&
      typeof value === "object" &&
      "allowsExpansion" in value &&
      value.allowsExpansion === null
    ) {
      return "degraded";
    }
    // A read that degrades instead of throwing says so in an `error` field of its items.
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

async function runAll(ops: Record<string, () => Promise<unknown>>): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  // One at a time: the writes change what the next read sees.
  for (const [name, call] of Object.entries(ops)) out[name] = await outcome(call);
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

describe("the manifests' RBAC, as the bot's ServiceAccount on a real kube-apiserver", () => {
  const peer = inject("kubePeer");
  let namespace = "";
  let port: KubernetesPort;
  let ops: Record<string, () => Promise<unknown>>;
  const applied: Doc[][] = [];
  const role = (): Doc => rewritten(docsOf("role.yaml"), namespace)[0]!;
  const remediation = (): Doc[] => rewritten(docsOf("optional/remediation-role.yaml"), namespace);
  const clusterRead = (): Doc[] => rewritten(docsOf("optional/cluster-read.yaml"), namespace);

  beforeAll(async () => {
    namespace = (await seedStory(peer, "rbac")).namespace;
    const base = ["serviceaccount.yaml", "role.yaml", "rolebinding.yaml"].flatMap((f) =>
      rewritten(docsOf(f), namespace),
    );
    await apply(peer, base);
    applied.push(base);
    port = createKubernetes({
      kubeConfigYaml: await serviceAccountKubeConfig(peer, namespace, ACCOUNT),
      requestTimeoutMs: 10_000,
    });
    ops = operations(port, namespace);
    await settled(peer, namespace, role().rules[0] as Rule, true);
  }, 120_000);

  afterAll(async () => {
    for (const docs of applied)
      await remove(
        peer,
        docs.filter((d) => d.metadata.namespace === undefined),
      );
    if (namespace) await deleteNamespace(peer, namespace);
  });

  it("role.yaml alone: every read and the scale work; the other fixes are forbidden, said, not thrown", async () => {
    const got = await runAll(ops);
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
    const claim = await port.volumeClaim(namespace, STORY_CLAIM);
    expect(claim).toMatchObject({
      name: STORY_CLAIM,
      phase: "Bound",
      storageClass: "gp3",
      allowsExpansion: null,
    });
  });

  it("role.yaml + optional/remediation-role.yaml: every fix works, as that file says (grow-PVC included)", async () => {
    const docs = remediation();
    await apply(peer, docs);
    applied.push(docs);
    for (const rule of docs[0]!.rules as Rule[]) await settled(peer, namespace, rule, true);
    const got = await runAll(ops);
    for (const [name, result] of Object.entries(got)) {
      if (name !== "volumeUsage" && name !== "volumeClaim") expect(result, name).toBe("ok");
    }
    expect(got.volumeClaim).toBe("degraded");
    expect(got.volumeUsage).toBe("forbidden");
  });

  it("with optional/cluster-read.yaml too: the expansion policy and the kubelet's volume stats are read", async () => {
    const docs = clusterRead();
    await apply(peer, docs);
    applied.push(docs);
    for (const rule of docs[0]!.rules as Rule[]) {
      await eventually("cluster-read bound", async () =>
        (await allowed(peer, namespace, {
          group: rule.apiGroups[0] ?? "",
          resource: (rule.resources[0] ?? "").split("/")[0] ?? "",
          verb: "get",
          ...(rule.resources[0]?.includes("/") ? { subresource: rule.resources[0].split("/")[1] } : {}),
        }))
          ? true
          : undefined,
      );
    }
    const claim = await port.volumeClaim(namespace, STORY_CLAIM);
    expect(claim.allowsExpansion).toBe(true);
    const got = await runAll(ops);
    for (const [name, result] of Object.entries(got)) {
      // The fake kubelet serves logs, not /stats/summary: authorised, then an answer of its own.
      if (name === "volumeUsage") expect(result).not.toBe("forbidden");
      else expect(result, name).toBe("ok");
    }
  });

  it("nothing the code never does is granted: without any one rule or verb, some operation is forbidden", async () => {
    const namespaced: { doc: Doc; path: string }[] = [
      { doc: role(), path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/runbook-bot` },
      {
        doc: remediation()[0]!,
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/runbook-bot-remediation`,
      },
      {
        doc: clusterRead()[0]!,
        path: `/apis/rbac.authorization.k8s.io/v1/clusterroles/runbook-bot-cluster-read-${namespace}`,
      },
    ];
    const unused: string[] = [];
    for (const { doc, path } of namespaced) {
      const rules = doc.rules as Rule[];
      for (const [i, rule] of rules.entries()) {
        for (const verb of rule.verbs) {
          const without = structuredClone(rules);
          const trimmed = { ...rule, verbs: rule.verbs.filter((v) => v !== verb) };
          if (trimmed.verbs.length > 0) without[i] = trimmed;
          else without.splice(i, 1);
          await kube(peer, "PATCH", path, { rules: without }, MERGE_PATCH);
          await settled(peer, namespace, { ...rule, verbs: [verb] }, false);
          const got = await runAll(ops);
          const broke = Object.entries(got).filter(([, r]) => r === "forbidden" || r === "degraded");
          if (broke.length === 0) unused.push(`${doc.metadata.name}: ${verb} ${rule.resources.join(",")}`);
          await kube(peer, "PATCH", path, { rules }, MERGE_PATCH);
          await settled(peer, namespace, { ...rule, verbs: [verb] }, true);
        }
      }
    }
    expect(unused).toEqual([]);
  }, 240_000);
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
