/**
 * Every manifest of both variants (manifests/*.yaml, manifests/single-replica-sqlite/,
 * manifests/optional/, manifests/examples/) sent to the real kube-apiserver of the peers setup with
 * server-side dry-run and strict field validation: the server's schemas, defaulting and admission
 * judge them (a misspelled field, a wrong type or a missing required field fails), nothing is
 * stored. Each is moved into a namespace of this test (kube-manifests.ts's relocate).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadManifestFile, type Manifest, relocate } from "../peers/kube-manifests.ts";
import { kubeFetch } from "../peers/kube-rest.ts";
import { createNamespace, deleteNamespace } from "../peers/kube-story.ts";

const peer = inject("kubePeer");
const MANIFESTS = fileURLToPath(new URL("../../manifests", import.meta.url));

const PLURALS: Record<string, string> = {
  ConfigMap: "configmaps",
  Deployment: "deployments",
  NetworkPolicy: "networkpolicies",
  PersistentVolumeClaim: "persistentvolumeclaims",
  PodDisruptionBudget: "poddisruptionbudgets",
  Role: "roles",
  RoleBinding: "rolebindings",
  Secret: "secrets",
  Service: "services",
  ServiceAccount: "serviceaccounts",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
};
const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding"]);

/** Every YAML file under manifests/, relative to it. */
function manifestFiles(dir = MANIFESTS, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? manifestFiles(dir, join(prefix, e.name))
        : /\.ya?ml$/.test(e.name)
          ? [join(prefix, e.name)]
          : [],
    )
    .sort();
}

function collection(doc: Manifest, namespace: string): string {
  const plural = PLURALS[doc.kind as string];
  if (!plural) throw new Error(`no REST path known for kind ${doc.kind}`);
  const version = doc.apiVersion as string;
  const base = version.includes("/") ? `/apis/${version}` : `/api/${version}`;
  return CLUSTER_SCOPED.has(doc.kind as string)
    ? `${base}/${plural}`
    : `${base}/namespaces/${namespace}/${plural}`;
}

/** A dry-run create, strictly validated; the server's status and message. */
async function dryRunCreate(doc: Manifest, namespace: string): Promise<{ status: number; message: string }> {
  const moved = relocate(doc, namespace);
  const answer = await kubeFetch(
    peer,
    "POST",
    `${collection(moved, namespace)}?dryRun=All&fieldValidation=Strict`,
    moved,
  );
  const body = answer.body as { message?: string } | undefined;
  return { status: answer.status, message: body?.message ?? answer.text.slice(0, 300) };
}

const files = manifestFiles();
let namespace = "";
beforeAll(async () => {
  namespace = await createNamespace(peer, "manifests-dryrun");
});
afterAll(async () => {
  if (namespace) await deleteNamespace(peer, namespace);
});

describe("manifests on the real kube-apiserver (server-side dry-run, strict fields)", () => {
  it("finds both variants, the optional RBAC and the examples", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "deployment.yaml",
        "networkpolicy.yaml",
        "poddisruptionbudget.yaml",
        "service.yaml",
        "single-replica-sqlite/deployment.yaml",
        "optional/remediation-role.yaml",
        "examples/database-secret.yaml",
      ]),
    );
  });

  it.each(files)("%s is accepted", async (file) => {
    const docs = loadManifestFile(file);
    expect(docs.length, file).toBeGreaterThan(0);
    for (const doc of docs) {
      const { status, message } = await dryRunCreate(doc, namespace);
      expect(status, `${file} ${doc.kind}/${doc.metadata?.name}: ${message}`).toBe(201);
    }
  });

  it("nothing was stored", async () => {
    const answer = await kubeFetch(peer, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments`);
    expect((answer.body as { items: unknown[] }).items).toEqual([]);
  });

  it("refuses a schema error: the check can fail", async () => {
    const [deployment] = loadManifestFile("deployment.yaml");
    const misspelled = structuredClone(deployment) as Manifest;
    misspelled.spec.replicaz = 2;
    const unknown = await dryRunCreate(misspelled, namespace);
    expect(unknown.status).toBe(400);
    expect(unknown.message).toMatch(/unknown field "spec\.replicaz"/);

    const wrongType = structuredClone(deployment) as Manifest;
    wrongType.spec.template.spec.containers[0].livenessProbe.httpGet.port = { name: "ops" };
    expect((await dryRunCreate(wrongType, namespace)).status).toBe(400);

    const [pdb] = loadManifestFile("poddisruptionbudget.yaml");
    const both = structuredClone(pdb) as Manifest;
    both.spec.maxUnavailable = 1; // minAvailable and maxUnavailable together: invalid
    expect((await dryRunCreate(both, namespace)).status).toBe(422);
  });
});
