/**
 * Runs the Kubernetes tests alone, with only the Kubernetes control plane peer (no Kafka, no moto):
 * `npx vitest run -c test/integration/kube-only.vitest.config.ts`.
 * Unit tests, the adapter on the real control plane and on the stand-in, and the KubernetesPort
 * contract suite.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/unit/kubernetes/**/*.test.ts",
      "test/integration/kubernetes-*.test.ts",
      "test/contract/kubernetes.contract.test.ts",
    ],
    globalSetup: ["test/setup/kube-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
