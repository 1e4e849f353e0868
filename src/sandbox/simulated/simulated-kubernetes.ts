/** Kubernetes in the sandbox: the taskmanager deployment of the consumer-lag scenario. */
import type { DeploymentScale, KubernetesPort, PodUsage } from "../../ports/kubernetes.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

const CPU_LIMIT_M = 2000;
const MEM_LIMIT = 8 * 2 ** 30;

export class SimulatedKubernetes implements KubernetesPort {
  readonly describeTarget = "simulated Kubernetes (sandbox)";
  /** Every scale the bot made, for the sandbox's terminal and tests. */
  readonly scaleRequests: { namespace: string; deployment: string; replicas: number }[] = [];
  constructor(
    private readonly scenario: ConsumerLagScenario,
    private readonly namespace = "flink",
    private readonly deployment = "flink-taskmanager",
  ) {}

  async podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]> {
    if (namespace !== this.namespace || !labelSelector.includes("flink-taskmanager")) return [];
    const cpu = this.scenario.cpuFraction();
    return Array.from({ length: this.scenario.taskmanagers }, (_, i) => ({
      pod: `${this.deployment}-${i}`,
      cpuMillicores: Math.round(CPU_LIMIT_M * (cpu - (i % 3) * 0.02)),
      memoryBytes: Math.round(MEM_LIMIT * (0.78 + (i % 2) * 0.03)),
      cpuLimitMillicores: CPU_LIMIT_M,
      memoryLimitBytes: MEM_LIMIT,
    }));
  }

  private check(namespace: string, deployment: string): void {
    if (namespace !== this.namespace || deployment !== this.deployment) {
      throw new Error(`deployment ${namespace}/${deployment} not found`);
    }
  }

  async getScale(namespace: string, deployment: string): Promise<DeploymentScale> {
    this.check(namespace, deployment);
    const n = this.scenario.taskmanagers;
    return { namespace, name: deployment, replicas: n, currentReplicas: n };
  }

  async scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale> {
    this.check(namespace, deployment);
    this.scaleRequests.push({ namespace, deployment, replicas });
    this.scenario.scale(replicas);
    return { namespace, name: deployment, replicas, currentReplicas: replicas };
  }
}
