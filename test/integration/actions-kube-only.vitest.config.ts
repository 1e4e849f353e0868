/**
 * Runs the Kubernetes and Flink action tests alone, with only the Kubernetes control plane peer
 * (the Flink and stand-in peers are local HTTP servers; no Kafka, no moto):
 * `npx vitest run -c test/integration/actions-kube-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/integration/actions-kubernetes.test.ts",
      "test/integration/actions-kubernetes-real.test.ts",
      "test/integration/actions-flink.test.ts",
    ],
    globalSetup: ["test/setup/kube-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
