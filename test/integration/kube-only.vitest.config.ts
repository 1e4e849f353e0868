/**
 * Runs the Kubernetes tests alone, without the repo's globalSetup (Kafka, moto):
 * `npx vitest run -c test/integration/kube-only.vitest.config.ts`.
 * Unit tests, the adapter on the API server peer, and the KubernetesPort contract suite.
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
    testTimeout: 30_000,
    pool: "forks",
  },
});
