/**
 * manifests/: least-privilege RBAC in one namespace (checked against the Kubernetes adapter's
 * calls). The Deployments and ConfigMaps of both variants: manifests-deployment.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type Doc, loadConfigMap, loadVariant, NAMESPACE } from "./manifest-files.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const ACCOUNT = "runbook-bot";
const { manifests, one } = loadVariant("replicated");
const role = one("Role");
const binding = one("RoleBinding");
const account = one("ServiceAccount");
const deployment = one("Deployment");
const loadedConfig = () => loadConfigMap(one("ConfigMap"), deployment.spec.template.spec.containers[0]);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
const canonical = (r: Rule) =>
  JSON.stringify({
    apiGroups: [...r.apiGroups].sort(),
    resources: [...r.resources].sort(),
    verbs: [...r.verbs].sort(),
    resourceNames: [...(r.resourceNames ?? [])].sort(),
  });

const TM = "flink-taskmanager";
const PVC = "flink-state-pvc";

const EXPECTED_RULES: Rule[] = [
  { apiGroups: ["apps"], resources: ["deployments"], resourceNames: [TM], verbs: ["get"] },
  { apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: [TM], verbs: ["get", "patch"] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: [""], resources: ["persistentvolumeclaims"], resourceNames: [PVC], verbs: ["get"] },
  { apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["list"] },
  { apiGroups: ["flink.apache.org"], resources: ["flinkdeployments"], verbs: ["get", "list"] },
  { apiGroups: ["flink.apache.org"], resources: ["flinkdeployments/scale"], verbs: ["patch"] },
];

/** Where each permission is granted: the default Role, or one of the optional files. */
type Grant = "role" | "remediation" | "cluster";

interface Permission {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly name?: string;
  readonly grant: Grant;
}

/**
 * Every request the Kubernetes adapter can make, by client-node method (typed APIs) or by
 * custom-object plural (the adapter reads apps objects raw through CustomObjectsApi).
 */
const ADAPTER_PERMISSIONS: Record<string, readonly Permission[]> = {
  listNamespacedPod: [{ group: "", resource: "pods", verb: "list", grant: "role" }],
  readNamespacedPodLog: [{ group: "", resource: "pods/log", verb: "get", grant: "role" }],
  deleteNamespacedPod: [{ group: "", resource: "pods", verb: "delete", grant: "remediation" }],
  readNamespacedDeploymentScale: [
    { group: "apps", resource: "deployments/scale", verb: "get", name: TM, grant: "role" },
  ],
  patchNamespacedDeploymentScale: [
    { group: "apps", resource: "deployments/scale", verb: "patch", name: TM, grant: "role" },
  ],
  patchNamespacedDeployment: [
    { group: "apps", resource: "deployments", verb: "patch", name: TM, grant: "remediation" },
  ],
  readNamespacedPersistentVolumeClaim: [
    { group: "", resource: "persistentvolumeclaims", verb: "get", name: PVC, grant: "role" },
  ],
  patchNamespacedPersistentVolumeClaim: [
    { group: "", resource: "persistentvolumeclaims", verb: "patch", name: PVC, grant: "remediation" },
  ],
  readStorageClass: [{ group: "storage.k8s.io", resource: "storageclasses", verb: "get", grant: "cluster" }],
  connectGetNodeProxyWithPath: [{ group: "", resource: "nodes/proxy", verb: "get", grant: "cluster" }],
  "plural:deployments": [{ group: "apps", resource: "deployments", verb: "get", name: TM, grant: "role" }],
  "plural:replicasets": [{ group: "apps", resource: "replicasets", verb: "list", grant: "role" }],
  "plural:pods": [{ group: "metrics.k8s.io", resource: "pods", verb: "list", grant: "role" }],
  "plural:flinkdeployments": [
    { group: "flink.apache.org", resource: "flinkdeployments", verb: "get", grant: "role" },
    { group: "flink.apache.org", resource: "flinkdeployments", verb: "list", grant: "role" },
    { group: "flink.apache.org", resource: "flinkdeployments", verb: "patch", grant: "remediation" },
    { group: "flink.apache.org", resource: "flinkdeployments/scale", verb: "patch", grant: "role" },
  ],
};

/** The client-node API methods and custom-object plurals used anywhere in the adapter. */
function adapterCalls(): string[] {
  const dir = join(root, "src/adapters/kubernetes");
  const source = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  const methods = [
    ...source.matchAll(
      /\.((?:list|read|patch|delete|create|replace|connectGet)(?:Namespaced|Node|Storage|Persistent)\w*)\(/g,
    ),
  ].map((m) => m[1]!);
  const plurals = [...source.matchAll(/plural: "([a-z]+)"/g)].map((m) => `plural:${m[1]!}`);
  if (/FLINK_PLURAL = "flinkdeployments"/.test(source)) plurals.push("plural:flinkdeployments");
  return [...new Set([...methods.filter((m) => !/CustomObject/.test(m)), ...plurals])].sort();
}

function grants(rules: readonly Rule[], need: Permission): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(need.group) &&
      r.resources.includes(need.resource) &&
      r.verbs.includes(need.verb) &&
      (!r.resourceNames || (need.name !== undefined && r.resourceNames.includes(need.name))),
  );
}

function optionalDocs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(join(root, "manifests/optional", file), "utf8"))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

describe("manifests", () => {
  it("are well-formed objects, all in the flink namespace", () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    for (const { file, doc } of manifests) {
      expect(doc.apiVersion, file).toBeTruthy();
      expect(doc.metadata?.name, file).toBeTruthy();
      expect(doc.metadata?.namespace, `${file} ${doc.kind}`).toBe(NAMESPACE);
    }
  });
});

describe("Role", () => {
  it("has exactly the expected rules", () => {
    expect(role.apiVersion).toBe("rbac.authorization.k8s.io/v1");
    expect((role.rules as Rule[]).map(canonical).sort()).toEqual(EXPECTED_RULES.map(canonical).sort());
  });

  it("has no wildcards and no verbs that create, change or delete objects", () => {
    const text = JSON.stringify(role.rules);
    expect(text).not.toContain("*");
    const verbs = new Set((role.rules as Rule[]).flatMap((r) => r.verbs));
    for (const verb of [
      "create",
      "update",
      "delete",
      "deletecollection",
      "escalate",
      "bind",
      "impersonate",
    ]) {
      expect(verbs.has(verb), verb).toBe(false);
    }
    // The only write: the TaskManager replica count (a scale subresource). A FlinkDeployment
    // patch could change any field (restart, resources), so it is remediation's.
    for (const rule of role.rules as Rule[]) {
      if (rule.verbs.includes("patch")) {
        expect(["deployments/scale", "flinkdeployments/scale"]).toContain(rule.resources.join());
        if (rule.resources.includes("deployments/scale")) {
          expect(rule.resourceNames).toEqual([loadedConfig().pipeline.taskmanagerDeployment]);
        }
      }
    }
  });

  it("names the Deployment the config scales", () => {
    expect(role.metadata.namespace).toBe(loadedConfig().pipeline.namespace);
    const named = (role.rules as Rule[]).filter((r) => r.resourceNames && r.apiGroups.includes("apps"));
    expect(named.length).toBeGreaterThan(0);
    for (const rule of named)
      expect(rule.resourceNames).toEqual([loadedConfig().pipeline.taskmanagerDeployment]);
  });

  it("grants every call the Kubernetes adapter makes, here or in the optional files", () => {
    const calls = adapterCalls();
    expect(calls.length).toBeGreaterThan(5);
    const unknown = calls.filter((c) => ADAPTER_PERMISSIONS[c] === undefined);
    expect(unknown, "add these calls to ADAPTER_PERMISSIONS").toEqual([]);
    const stale = Object.keys(ADAPTER_PERMISSIONS).filter((c) => !calls.includes(c));
    expect(stale, "the adapter no longer makes these calls").toEqual([]);
    const remediation = optionalDocs("remediation-role.yaml").find((d) => d.kind === "Role")!;
    const cluster = optionalDocs("cluster-read.yaml").find((d) => d.kind === "ClusterRole")!;
    const rulesOf: Record<Grant, Rule[]> = {
      role: role.rules as Rule[],
      remediation: remediation.rules as Rule[],
      cluster: cluster.rules as Rule[],
    };
    for (const call of calls) {
      for (const need of ADAPTER_PERMISSIONS[call]!) {
        expect(
          grants(rulesOf[need.grant], need),
          `${call} needs ${need.verb} ${need.group || "core"}/${need.resource} (${need.grant})`,
        ).toBe(true);
      }
    }
  });
});

describe("optional RBAC", () => {
  it("binds the remediation Role and the cluster reads to the same ServiceAccount", () => {
    for (const [file, kind] of [
      ["remediation-role.yaml", "RoleBinding"],
      ["cluster-read.yaml", "ClusterRoleBinding"],
    ] as const) {
      const docs = optionalDocs(file);
      const rules = docs.find((d) => d.kind === (kind === "RoleBinding" ? "Role" : "ClusterRole"))!;
      const bind = docs.find((d) => d.kind === kind)!;
      expect(bind.roleRef.name).toBe(rules.metadata.name);
      expect(bind.subjects).toEqual([{ kind: "ServiceAccount", name: ACCOUNT, namespace: NAMESPACE }]);
      expect(JSON.stringify(rules.rules)).not.toContain("*");
      const verbs = new Set((rules.rules as Rule[]).flatMap((r) => r.verbs));
      for (const verb of ["create", "update", "deletecollection", "escalate", "bind", "impersonate"]) {
        expect(verbs.has(verb), `${file} ${verb}`).toBe(false);
      }
    }
  });
});

describe("RoleBinding", () => {
  it("binds that Role to that ServiceAccount in the same namespace", () => {
    expect(binding.metadata.namespace).toBe(role.metadata.namespace);
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace },
    ]);
    expect(account.metadata.name).toBe(ACCOUNT);
    expect(account.metadata.namespace).toBe(NAMESPACE);
  });
});
