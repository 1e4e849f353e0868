/**
 * The repo's manifests/ applied to the real control plane, moved into a test's namespace: every
 * namespaced object's metadata.namespace and every binding subject's namespace become that
 * namespace, cluster-scoped objects (ClusterRole, ClusterRoleBinding) get the namespace as a name
 * suffix so parallel tests do not collide. Rules can be left out to show each one is needed.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubePeerInfo } from "./kube-peer.ts";
import { eventually, kube } from "./kube-rest.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of several kinds.
export type Manifest = Record<string, any>;

/** The documents of manifests/<file>, in order. */
export function loadManifestFile(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(repoRoot, "manifests", file), "utf8"))
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
}

const PATHS: Record<string, (ns: string) => string> = {
  ServiceAccount: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
  Role: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  RoleBinding: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  ClusterRole: () => "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  ClusterRoleBinding: () => "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
};

/** The manifest moved into `namespace` (see the header). */
export function relocate(doc: Manifest, namespace: string): Manifest {
  const copy = structuredClone(doc);
  const clusterScoped = copy.kind === "ClusterRole" || copy.kind === "ClusterRoleBinding";
  if (clusterScoped) copy.metadata.name = `${copy.metadata.name}-${namespace}`;
  else copy.metadata.namespace = namespace;
  if (copy.kind === "ClusterRoleBinding") copy.roleRef.name = `${copy.roleRef.name}-${namespace}`;
  for (const subject of copy.subjects ?? []) {
    if (subject.namespace !== undefined) subject.namespace = namespace;
  }
  return copy;
}

/** Creates the RBAC objects of the given documents in `namespace` and waits until RBAC honours them. */
export async function applyRbac(
  peer: KubePeerInfo,
  namespace: string,
  docs: readonly Manifest[],
): Promise<void> {
  const relocated = docs.filter((d) => PATHS[d.kind] !== undefined).map((d) => relocate(d, namespace));
  for (const doc of relocated) await kube(peer, "POST", PATHS[doc.kind]!(namespace), doc);
  // The authorizer works from informer caches: wait until every rule is in effect.
  const account = relocated.find((d) => d.kind === "ServiceAccount")?.metadata.name ?? "runbook-bot";
  const user = `system:serviceaccount:${namespace}:${account}`;
  for (const doc of relocated.filter((d) => d.kind === "Role" || d.kind === "ClusterRole")) {
    for (const rule of (doc.rules ?? []) as RbacRule[]) {
      const [resource = "", subresource] = rule.resources[0]!.split("/");
      const attributes = {
        ...(doc.kind === "Role" ? { namespace } : {}),
        verb: rule.verbs[0],
        group: rule.apiGroups[0],
        resource,
        ...(subresource !== undefined ? { subresource } : {}),
        ...(rule.resourceNames?.[0] !== undefined ? { name: rule.resourceNames[0] } : {}),
      };
      await eventually(`RBAC to grant ${user} ${JSON.stringify(attributes)}`, async () => {
        const review = await kube<{ status: { allowed: boolean } }>(
          peer,
          "POST",
          "/apis/authorization.k8s.io/v1/subjectaccessreviews",
          {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: {
              user,
              groups: [
                "system:serviceaccounts",
                `system:serviceaccounts:${namespace}`,
                "system:authenticated",
              ],
              resourceAttributes: attributes,
            },
          },
        );
        return review.status.allowed ? true : undefined;
      });
    }
  }
}
