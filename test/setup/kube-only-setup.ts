/**
 * Global setup that starts only the Kubernetes control plane (no Kafka, no moto), for running the
 * Kubernetes tests on their own: `npx vitest run -c test/integration/kube-only.vitest.config.ts`.
 */
import type { TestProject } from "vitest/node";
import { provideKubePeer, startKubePeer } from "../peers/kube-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kube = await startKubePeer();
  provideKubePeer(project, kube);
  return () => kube.stop();
}
