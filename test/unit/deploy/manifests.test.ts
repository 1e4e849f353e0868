/**
 * manifests/: least-privilege RBAC in one namespace (checked against the Kubernetes adapter's
 * calls), a hardened single-replica Deployment, and a ConfigMap the real loader accepts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { buildConfig, parseConfigText } from "../../../src/config/load-config.ts";
import type { AppConfig } from "../../../src/config/schema.ts";
import { validateExtraPatterns } from "../../../src/core/intake/index.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const NAMESPACE = "flink";
const ACCOUNT = "runbook-bot";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, narrowed by the assertions below.
type Doc = Record<string, any>;

function loadManifests(): { file: string; doc: Doc }[] {
  const dir = join(root, "manifests");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((document) => {
        expect(document.errors, file).toEqual([]);
        return { file, doc: document.toJS() as Doc | null };
      }),
    )
    .filter((d): d is { file: string; doc: Doc } => d.doc !== null);
}

const manifests = loadManifests();
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const one = (kind: string): Doc => {
  const docs = ofKind(kind);
  expect(docs, kind).toHaveLength(1);
  return docs[0]!;
};

const role = one("Role");
const binding = one("RoleBinding");
const account = one("ServiceAccount");
const configMap = one("ConfigMap");
const deployment = one("Deployment");
const pod = deployment.spec.template.spec as Doc;
const container = (pod.containers as Doc[])[0]!;

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

/** The env the Deployment gives the container, with a stand-in value for each Secret key. */
function deploymentEnv(): Record<string, string> {
  return Object.fromEntries(
    (container.env as Doc[]).map((e) => [
      e.name as string,
      e.valueFrom?.secretKeyRef
        ? `from-secret-${e.valueFrom.secretKeyRef.name}-${e.valueFrom.secretKeyRef.key}`
        : e.value,
    ]),
  );
}

const configText = configMap.data["config.yaml"] as string;
let loaded: AppConfig | undefined;
/** The ConfigMap's config.yaml through the real loader; a problem fails the test that asks. */
function loadedConfig(): AppConfig {
  loaded ??= buildConfig(
    parseConfigText(configText, "configmap.yaml"),
    deploymentEnv(),
    "configmap.yaml",
    (c) => validateExtraPatterns(c.alerts.extraPatterns),
  );
  return loaded;
}

describe("manifests", () => {
  it("are well-formed objects, all in the flink namespace", () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "PersistentVolumeClaim",
      "Role",
      "RoleBinding",
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

describe("Deployment", () => {
  it("runs one replica (SQLite store), replaced with Recreate", () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
  });

  it("uses the ServiceAccount and mounts its token for the API calls", () => {
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  it("has a hardened security context", () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(10001);
    expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    expect(pod.containers).toHaveLength(1);
    const sc = container.securityContext as Doc;
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.privileged ?? false).toBe(false);
    expect(sc.runAsNonRoot).toBe(true);
    expect(sc.capabilities).toEqual({ drop: ["ALL"] });
    for (const volume of pod.volumes as Doc[]) expect(volume.hostPath, volume.name).toBeUndefined();
  });

  it("runs as the image's user", () => {
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    const user = [...dockerfile.matchAll(/^USER\s+(\d+)/gm)].at(-1)?.[1];
    expect(Number(user)).toBe(pod.securityContext.runAsUser);
  });

  it("sets resource requests and limits", () => {
    for (const kind of ["requests", "limits"]) {
      expect(container.resources[kind].cpu, kind).toBeTruthy();
      expect(container.resources[kind].memory, kind).toBeTruthy();
    }
  });

  it("takes the Slack tokens from the runbook-bot-slack Secret, never from literal values", () => {
    const env = container.env as Doc[];
    for (const name of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]) {
      const entry = env.find((e) => e.name === name);
      expect(entry?.valueFrom?.secretKeyRef?.name, name).toBe("runbook-bot-slack");
      expect(entry?.value, name).toBeUndefined();
    }
    for (const entry of env.filter((e) => /TOKEN|SECRET|PASSWORD/.test(e.name as string))) {
      expect(entry.valueFrom?.secretKeyRef, entry.name).toBeDefined();
    }
    expect(container.envFrom).toBeUndefined();
    expect(JSON.stringify(manifests)).not.toMatch(/xox[abp]-[A-Za-z0-9]|xapp-\d-[A-Za-z0-9]/);
  });

  it("has writable /data (the store) and /tmp (temporary files) on a read-only root", () => {
    const mounts = container.volumeMounts as Doc[];
    const volume = (mountPath: string) => {
      const mount = mounts.find((m) => m.mountPath === mountPath);
      expect(mount, mountPath).toBeDefined();
      expect(mount?.readOnly ?? false, mountPath).toBe(false);
      return (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
    };
    const data = volume("/data");
    expect(data?.persistentVolumeClaim ?? data?.emptyDir).toBeDefined();
    if (data?.persistentVolumeClaim) {
      const claims = ofKind("PersistentVolumeClaim").map((c) => c.metadata.name);
      expect(claims).toContain(data.persistentVolumeClaim.claimName);
    }
    expect(volume("/tmp")?.emptyDir).toBeDefined();
    expect(loadedConfig().store.path.startsWith("/data/")).toBe(true);
  });

  it("mounts the ConfigMap where the command reads it", () => {
    expect(container.args).toEqual(["serve", "--config", "/etc/runbook-bot/config.yaml"]);
    const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === "/etc/runbook-bot");
    expect(mount?.readOnly).toBe(true);
    const volume = (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
    expect(volume?.configMap?.name).toBe(configMap.metadata.name);
    expect(volume?.configMap?.items).toEqual([{ key: "config.yaml", path: "config.yaml" }]);
  });
});

describe("ConfigMap", () => {
  it("holds a config.yaml the real loader accepts with the Deployment's environment", () => {
    expect(Object.keys(configMap.data)).toEqual(["config.yaml"]);
    expect(loadedConfig().secrets.slackBotToken).toBeDefined();
    expect(loadedConfig().secrets.slackAppToken).toBeDefined();
  });

  it("uses in-cluster credentials, Socket Mode and the /data store", () => {
    const config = loadedConfig();
    expect(config.kubernetes?.inCluster).toBe(true);
    expect(config.slack.mode).toBe("socket");
    expect(config.store.path).toBe("/data/runbook-bot.db");
  });

  it("gets every variable it names from the Deployment", () => {
    const config = loadedConfig();
    const sasl = config.kafka?.sasl;
    const passwordEnv = sasl && "passwordEnv" in sasl ? sasl.passwordEnv : undefined;
    if (passwordEnv) {
      expect(config.secrets.kafkaPassword).toBeDefined();
      const entry = (container.env as Doc[]).find((e) => e.name === passwordEnv);
      expect(entry?.valueFrom?.secretKeyRef, passwordEnv).toBeDefined();
    }
  });

  it("configures approvers, so that fixes can be requested", () => {
    const { approvals } = loadedConfig();
    expect(approvals.users.length + approvals.usergroups.length).toBeGreaterThan(0);
    expect(approvals.allowSelfApproval).toBe(false);
  });

  it("holds no secret values", () => {
    expect(configText).not.toMatch(/xox[abp]-|xapp-|password:\s*\S/);
  });
});
