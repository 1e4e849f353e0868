/**
 * The Flink Kubernetes Operator's FlinkDeployment (flink.apache.org/v1beta1), pure parts:
 * reading its spec/status, deciding whether taskmanager pods belong to it, and the merge patches
 * for replicas (spec.taskManager.replicas), restart (spec.restartNonce) and resources
 * (spec.taskManager.resource: cpu as a number of cores, memory as a string).
 *
 * The operator labels taskmanager pods app=<name>, component=taskmanager (native mode adds
 * type=flink-native-kubernetes) and reports status.taskManager.labelSelector; in native mode the
 * taskmanager pods' owner is the jobmanager Deployment named like the FlinkDeployment, and in
 * standalone mode the <name>-taskmanager Deployment is owned by the FlinkDeployment.
 */

import { parseCpuMillicores, parseQuantity, QuantityError } from "../../core/quantity.ts";
import {
  type ContainerResources,
  type FlinkDeploymentInfo,
  KubernetesError,
} from "../../ports/kubernetes.ts";

export const FLINK_GROUP = "flink.apache.org";
export const FLINK_VERSION = "v1beta1";
export const FLINK_PLURAL = "flinkdeployments";

export interface RawFlinkDeployment {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: {
    restartNonce?: number;
    job?: { parallelism?: number };
    taskManager?: { replicas?: number; resource?: { cpu?: number; memory?: string } };
  };
  status?: {
    jobStatus?: { state?: string };
    lifecycleState?: string;
    jobManagerDeploymentStatus?: string;
    reconciliationStatus?: { state?: string };
    taskManager?: { replicas?: number; labelSelector?: string };
    error?: string;
  };
}

export function flinkDeploymentItems(body: unknown): RawFlinkDeployment[] {
  if (body === null || typeof body !== "object" || !Array.isArray((body as { items?: unknown }).items)) {
    throw new KubernetesError("server-error", "the API answered something that is not a FlinkDeploymentList");
  }
  return (body as { items: RawFlinkDeployment[] }).items;
}

export function flinkDeploymentInfo(fd: RawFlinkDeployment): FlinkDeploymentInfo {
  const status = fd.status ?? {};
  const resource = fd.spec?.taskManager?.resource;
  return {
    name: fd.metadata?.name ?? "",
    jobState: status.jobStatus?.state ?? null,
    lifecycleState: status.lifecycleState ?? null,
    reconciliationState: status.reconciliationStatus?.state ?? null,
    jobManagerStatus: status.jobManagerDeploymentStatus ?? null,
    parallelism: fd.spec?.job?.parallelism ?? null,
    taskManagerReplicas: fd.spec?.taskManager?.replicas ?? null,
    taskManagerCpu: typeof resource?.cpu === "number" ? resource.cpu : null,
    taskManagerMemory: resource?.memory ?? null,
    restartNonce: fd.spec?.restartNonce ?? null,
    error: status.error ?? null,
  };
}

/** Equality requirements of a simple selector ("a=b,c==d"); null when it uses other operators. */
function equalities(selector: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  for (const part of selector
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^=!<>\s(]+)\s*==?\s*([^=!\s]*)$/.exec(part);
    if (!match) return null;
    pairs.push([match[1]!, match[2]!]);
  }
  return pairs;
}

export interface PodIdentity {
  readonly labels: Readonly<Record<string, string>>;
  readonly owners: readonly { readonly kind: string; readonly name: string }[];
}

/** Whether a pod is one of this FlinkDeployment's taskmanagers. */
export function isFlinkTaskmanager(fd: RawFlinkDeployment, pod: PodIdentity): boolean {
  const name = fd.metadata?.name;
  if (name === undefined) return false;
  const reported = fd.status?.taskManager?.labelSelector;
  const pairs = reported ? equalities(reported) : null;
  if (pairs && pairs.length > 0 && pairs.every(([k, v]) => pod.labels[k] === v)) return true;
  if (pod.labels.app === name && pod.labels.component === "taskmanager") return true;
  return pod.owners.some(
    (o) =>
      (o.kind === "Deployment" && (o.name === name || o.name === `${name}-taskmanager`)) ||
      (o.kind === "FlinkDeployment" && o.name === name),
  );
}

/** A Deployment name the operator would own for this FlinkDeployment's taskmanagers. */
export function matchesTaskmanagerName(fd: RawFlinkDeployment, deployment: string): boolean {
  const name = fd.metadata?.name;
  return name !== undefined && (deployment === name || deployment === `${name}-taskmanager`);
}

/** Cores as the CRD's number (spec.taskManager.resource.cpu): "1500m" -> 1.5. */
export function cpuCores(text: string): number {
  return parseCpuMillicores(text) / 1000;
}

/**
 * spec.taskManager.resource from our ContainerResources: the operator sets both request and limit
 * from one value, so limits win over requests and the two must not disagree.
 */
export function flinkResource(resources: ContainerResources): { cpu?: number; memory?: string } {
  const pick = (key: "cpu" | "memory") => {
    const limit = resources.limits?.[key];
    const request = resources.requests?.[key];
    if (limit !== undefined && request !== undefined && limit !== request) {
      throw new KubernetesError(
        "invalid",
        `a FlinkDeployment has one ${key} value for request and limit (spec.taskManager.resource.${key}); got request ${request} and limit ${limit}`,
      );
    }
    return limit ?? request;
  };
  const cpu = pick("cpu");
  const memory = pick("memory");
  try {
    if (memory !== undefined) parseQuantity(memory);
    return {
      ...(cpu !== undefined ? { cpu: cpuCores(cpu) } : {}),
      ...(memory !== undefined ? { memory } : {}),
    };
  } catch (error) {
    if (error instanceof QuantityError) throw new KubernetesError("invalid", error.message);
    throw error;
  }
}
