/** The Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager from the Go module proxy), once per run. */
import type { TestProject } from "vitest/node";
import { provideKubePeer, startKubePeer } from "../peers/kube-peer.ts";
import { acquirePeer } from "./shared-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { peer: kube, release } = await acquirePeer("kube", startKubePeer);
  provideKubePeer(project, kube);
  return release;
}
