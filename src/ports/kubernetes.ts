/** Kubernetes, in our words. */

export interface PodUsage {
  readonly pod: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  /** Sum of the containers' limits; null when any container has none. */
  readonly cpuLimitMillicores: number | null;
  readonly memoryLimitBytes: number | null;
}

export interface DeploymentScale {
  readonly namespace: string;
  readonly name: string;
  /** Desired replicas (spec.replicas of the scale subresource). */
  readonly replicas: number;
  /** Observed replicas (status.replicas of the scale subresource). */
  readonly currentReplicas: number;
}

export interface KubernetesPort {
  readonly describeTarget: string;
  /** CPU and memory of the pods matching a label selector (metrics.k8s.io), against their limits. */
  podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]>;
  /** Reads the scale subresource of a deployment. */
  getScale(namespace: string, deployment: string): Promise<DeploymentScale>;
  /** Sets spec.replicas through the scale subresource; resolves with the scale the server answered. */
  scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale>;
}
