/**
 * The manifests as the tests read them: the replicated variant (manifests/*.yaml, the default)
 * and the single-replica SQLite variant (manifests/single-replica-sqlite/ with the shared RBAC,
 * Service and NetworkPolicy of manifests/), each document parsed, with the Deployment's pod and
 * container and the ConfigMap's config.yaml through the real loader.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import { buildConfig, parseConfigText } from "../../../src/config/load-config.ts";
import type { AppConfig } from "../../../src/config/schema.ts";
import { validateExtraPatterns } from "../../../src/core/intake/index.ts";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const NAMESPACE = "flink";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, narrowed by the assertions of the tests.
export type Doc = Record<string, any>;

export type VariantName = "replicated" | "single-replica-sqlite";

/** The files each variant applies, relative to manifests/. */
export const VARIANT_FILES: Readonly<Record<VariantName, readonly string[]>> = {
  replicated: yamlFiles("manifests"),
  "single-replica-sqlite": [
    "serviceaccount.yaml",
    "role.yaml",
    "rolebinding.yaml",
    "service.yaml",
    "networkpolicy.yaml",
    ...yamlFiles("manifests/single-replica-sqlite").map((f) => `single-replica-sqlite/${f}`),
  ],
};

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
}

/** Every document of these files (relative to the repository root). */
export function loadDocs(files: readonly string[]): { file: string; doc: Doc }[] {
  return files
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(ROOT, file), "utf8")).map((document) => {
        expect(document.errors, file).toEqual([]);
        return { file, doc: document.toJS() as Doc | null };
      }),
    )
    .filter((d): d is { file: string; doc: Doc } => d.doc !== null);
}

export function loadVariant(name: VariantName) {
  const manifests = loadDocs(VARIANT_FILES[name].map((f) => `manifests/${f}`));
  const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  const one = (kind: string): Doc => {
    const docs = ofKind(kind);
    expect(docs, `${name}: ${kind}`).toHaveLength(1);
    return docs[0] as Doc;
  };
  return { name, manifests, ofKind, one };
}

/**
 * The env the Deployment gives the container, with a stand-in value for each Secret key: the value
 * of the example Secret of that name (manifests/examples/), else a placeholder naming the key.
 */
export function deploymentEnv(container: Doc): Record<string, string> {
  return Object.fromEntries(
    (container.env as Doc[]).map((e) => {
      const ref = e.valueFrom?.secretKeyRef;
      return [
        e.name as string,
        ref ? (exampleSecretValue(ref.name, ref.key) ?? `from-secret-${ref.name}-${ref.key}`) : e.value,
      ];
    }),
  );
}

function exampleSecretValue(name: string, key: string): string | undefined {
  const examples = join(ROOT, "manifests", "examples");
  if (!existsSync(examples)) return undefined;
  for (const file of readdirSync(examples).filter((f) => f.endsWith(".yaml"))) {
    for (const doc of parseAllDocuments(readFileSync(join(examples, file), "utf8"))) {
      const secret = doc.toJS() as Doc | null;
      if (secret?.kind === "Secret" && secret.metadata?.name === name) return secret.stringData?.[key];
    }
  }
  return undefined;
}

/** A ConfigMap's config.yaml through the real loader, with the container's environment. */
export function loadConfigMap(configMap: Doc, container: Doc): AppConfig {
  return buildConfig(
    parseConfigText(configMap.data["config.yaml"] as string, "configmap.yaml"),
    deploymentEnv(container),
    "configmap.yaml",
    (c) => validateExtraPatterns(c.alerts.extraPatterns),
  );
}
