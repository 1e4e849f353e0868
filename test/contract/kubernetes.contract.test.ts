/**
 * The KubernetesPort contract against the real adapter (@kubernetes/client-node) on the local
 * Kubernetes API server peer (test/peers/kube-api-server.ts, default seed = the sandbox's story),
 * and against the simulated adapter the embedded sandbox uses.
 */
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKubernetes } from "../../src/sandbox/simulated/simulated-kubernetes.ts";
import { startKubeApiServer } from "../peers/kube-api-server.ts";
import { kubernetesContract } from "./kubernetes.contract.ts";

kubernetesContract("real adapter on the Kubernetes API server peer", async () => {
  const kube = await startKubeApiServer();
  return {
    port: createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 5_000 }),
    close: () => kube.stop(),
  };
});

kubernetesContract("simulated adapter (sandbox)", async () => ({
  port: new SimulatedKubernetes(new ConsumerLagScenario()),
  close: async () => {},
}));
