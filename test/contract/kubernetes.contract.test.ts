/**
 * The KubernetesPort contract against the real adapter (@kubernetes/client-node) on a real
 * kube-apiserver v1.34 with its controller manager (test/peers/kube-peer.ts: the story built in a
 * namespace of its own per test), on the stand-in API server (test/peers/kube-api-server.ts,
 * default seed), and against the simulated adapter the embedded sandbox uses.
 * The kubelet and metrics-server part runs where those are served: the stand-in and the sandbox.
 */
import { inject } from "vitest";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKubernetes } from "../../src/sandbox/simulated/simulated-kubernetes.ts";
import { startKubeApiServer } from "../peers/kube-api-server.ts";
import { deleteNamespace, seedStory } from "../peers/kube-story.ts";
import {
  type KubernetesContractSubject,
  kubeletContract,
  kubernetesContract,
} from "./kubernetes.contract.ts";

const STAND_IN_PODS = [0, 1, 2, 3].map((i) => `flink-taskmanager-${i}`);

kubernetesContract("real adapter on a real kube-apiserver", async () => {
  const peer = inject("kubePeer");
  const story = await seedStory(peer, "contract");
  return {
    port: createKubernetes({ kubeConfigYaml: peer.adminKubeConfigYaml, requestTimeoutMs: 5_000 }),
    namespace: story.namespace,
    pods: story.pods,
    close: () => deleteNamespace(peer, story.namespace),
  };
});

async function standIn(): Promise<KubernetesContractSubject> {
  const kube = await startKubeApiServer();
  return {
    port: createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 5_000 }),
    namespace: "flink",
    pods: STAND_IN_PODS,
    close: () => kube.stop(),
  };
}

async function simulated(): Promise<KubernetesContractSubject> {
  return {
    port: new SimulatedKubernetes(new ConsumerLagScenario()),
    namespace: "flink",
    pods: STAND_IN_PODS,
    close: async () => {},
  };
}

kubernetesContract("real adapter on the stand-in API server", standIn);
kubernetesContract("simulated adapter (sandbox)", simulated);
kubeletContract("real adapter on the stand-in API server", standIn);
kubeletContract("simulated adapter (sandbox)", simulated);
