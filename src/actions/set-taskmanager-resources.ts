/**
 * Set taskmanager resources: the seed's `kubectl set resources deployment flink-taskmanager
 * --limits memory=16Gi --requests memory=8Gi` for one container, or, when the Flink Kubernetes
 * Operator manages the job, spec.taskManager.resource of the FlinkDeployment (one value for request
 * and limit). Every taskmanager is replaced and the job restarts from its last checkpoint: high risk.
 */
import { z } from "zod";
import { parseQuantity, QuantityError, scaledValue } from "../core/quantity.ts";
import type {
  ContainerResources,
  KubernetesPort,
  ResourceValues,
  TaskmanagerWorkload,
} from "../ports/kubernetes.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { count, parseParams, taskmanagerProblems } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const valuesSchema = z
  .object({
    /** A Kubernetes quantity: "2", "1500m". */
    cpu: z.string().min(1).optional(),
    /** A Kubernetes quantity: "8Gi". */
    memory: z.string().min(1).optional(),
  })
  .strict();

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    deployment: z.string().min(1),
    container: z.string().min(1),
    requests: valuesSchema.optional(),
    limits: valuesSchema.optional(),
  })
  .strict();

export type SetResourcesParams = z.infer<typeof paramsSchema>;

type Key = "cpu" | "memory";
const KEYS: readonly Key[] = ["cpu", "memory"];
/** CPU compares in millicores, memory in bytes. */
const SCALE: Record<Key, number> = { cpu: 3, memory: 0 };

function amount(text: string, key: Key): number | undefined {
  try {
    const value = scaledValue(parseQuantity(text), SCALE[key]);
    return value > 0 ? value : undefined;
  } catch (error) {
    if (error instanceof QuantityError) return undefined;
    throw error;
  }
}

/** Quantities that do not parse, requests above limits, nothing given. */
export function resourceProblems(p: Pick<SetResourcesParams, "requests" | "limits">): string[] {
  const problems: string[] = [];
  let given = 0;
  for (const kind of ["requests", "limits"] as const) {
    for (const key of KEYS) {
      const text = p[kind]?.[key];
      if (text === undefined) continue;
      given += 1;
      if (amount(text, key) === undefined) {
        problems.push(`${kind}.${key}: ${JSON.stringify(text)} is not a ${key} quantity greater than 0`);
      }
    }
  }
  if (given === 0) problems.push("requests / limits: give at least one cpu or memory value");
  for (const key of KEYS) {
    const request = p.requests?.[key];
    const limit = p.limits?.[key];
    if (request === undefined || limit === undefined) continue;
    const r = amount(request, key);
    const l = amount(limit, key);
    if (r !== undefined && l !== undefined && r > l) {
      problems.push(`requests.${key}: ${request} exceeds limits.${key} ${limit}`);
    }
  }
  return problems;
}

/** "limits memory 8Gi -> 12Gi, requests memory 12Gi" (no arrow where the current value is unknown). */
export function resourceChanges(
  p: Pick<SetResourcesParams, "requests" | "limits">,
  current: { readonly requests?: ResourceValues; readonly limits?: ResourceValues },
): string {
  const parts: string[] = [];
  for (const kind of ["limits", "requests"] as const) {
    for (const key of KEYS) {
      const next = p[kind]?.[key];
      if (next === undefined) continue;
      const before = current[kind]?.[key];
      parts.push(`${kind} ${key} ${before === undefined ? "" : `${before} -> `}${next}`);
    }
  }
  return parts.join(", ");
}

function definedValues(values: SetResourcesParams["limits"]): ResourceValues | undefined {
  const out: { cpu?: string; memory?: string } = {};
  for (const key of KEYS) {
    const value = values?.[key];
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The params as the port's ContainerResources (only the values given). */
export function requestedChange(p: Pick<SetResourcesParams, "requests" | "limits">): ContainerResources {
  const requests = definedValues(p.requests);
  const limits = definedValues(p.limits);
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/** Millicores as a quantity: 2000 -> "2", 1500 -> "1500m". */
export function millicoresQuantity(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** The operator's one value per resource: refused when request and limit differ. */
function operatorValues(p: SetResourcesParams, workload: TaskmanagerWorkload): ResourceValues {
  const out: { cpu?: string; memory?: string } = {};
  for (const key of KEYS) {
    const request = p.requests?.[key];
    const limit = p.limits?.[key];
    if (request !== undefined && limit !== undefined && request !== limit) {
      throw new ActionRefusal(
        `FlinkDeployment ${workload.name} has one ${key} value for request and limit (spec.taskManager.resource.${key}): ask for the same request and limit, not ${request} and ${limit}`,
      );
    }
    const value = limit ?? request;
    if (value !== undefined) out[key] = value;
  }
  return out;
}

async function plan(p: SetResourcesParams, ctx: ActionContext): Promise<string> {
  const k8s: KubernetesPort = requirePort(ctx.ports.kubernetes, "Kubernetes");
  const selector = ctx.config.pipeline.taskmanagerSelector;
  const workload = await k8s.taskmanagerWorkload(p.namespace, p.deployment, selector);
  if (workload.mode === "flink-operator") {
    const wanted = operatorValues(p, workload);
    const cpu = workload.flink?.taskManagerCpu ?? null;
    const memory = workload.flink?.taskManagerMemory ?? null;
    const current = {
      ...(cpu !== null ? { cpu: String(cpu) } : {}),
      ...(memory !== null ? { memory } : {}),
    };
    const changes = KEYS.filter((k) => wanted[k] !== undefined && wanted[k] !== current[k]);
    if (changes.length === 0) {
      throw new ActionRefusal(
        `FlinkDeployment ${workload.name} already has these resources: nothing to change`,
      );
    }
    const text = KEYS.filter((k) => wanted[k] !== undefined)
      .map((k) => `${k} ${current[k] === undefined ? "" : `${current[k]} -> `}${wanted[k]}`)
      .join(", ");
    return `FlinkDeployment ${workload.name} taskManager.resource in namespace ${p.namespace}: ${text} (the operator redeploys the job)`;
  }
  const pods = await k8s.listPods(p.namespace, selector);
  const containers = [...new Set(pods.flatMap((pod) => pod.containers.map((c) => c.name)))];
  if (pods.length > 0 && !containers.includes(p.container)) {
    throw new ActionRefusal(
      `the taskmanager pods have no container ${JSON.stringify(p.container)} (containers: ${containers.join(", ")})`,
    );
  }
  // The current values from the Deployment's pod template, the object the change patches (not
  // from metrics.k8s.io, which clusters without metrics-server do not serve).
  const current = (await k8s.containerResources(p.namespace, p.deployment, p.container)) ?? {};
  const limits: ResourceValues = current.limits ?? {};
  const onlyLimits = p.requests === undefined || KEYS.every((k) => p.requests?.[k] === undefined);
  const limitsUnchanged = KEYS.every(
    (k) =>
      p.limits?.[k] === undefined ||
      (limits[k] !== undefined && amount(limits[k], k) === amount(p.limits[k] ?? "", k)),
  );
  if (onlyLimits && limitsUnchanged) {
    throw new ActionRefusal(`container ${p.container} already has these limits: nothing to change`);
  }
  return `set resources of container ${p.container} in deployment ${p.deployment} (namespace ${p.namespace}): ${resourceChanges(p, current)}; replaces ${count(pods.length, "pod")}`;
}

export const setTaskmanagerResources: ActionDefinition<SetResourcesParams> = {
  id: "set-taskmanager-resources",
  title: "Set taskmanager resources",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => [
      ...taskmanagerProblems(p.namespace, p.deployment, config),
      ...resourceProblems(p),
    ]);
  },
  async prepare(params, ctx) {
    return { params, preview: await plan(params, ctx) };
  },
  async recheck(params, ctx) {
    return refusalOf(() => plan(params, ctx));
  },
  outcomeCheck(params) {
    return `the resources of container ${params.container} in deployment ${params.namespace}/${params.deployment}'s pod template`;
  },
  async execute(params, ctx) {
    const k8s = requirePort(ctx.ports.kubernetes, "Kubernetes");
    const change = requestedChange(params);
    const result = await k8s.setContainerResources(
      params.namespace,
      params.deployment,
      params.container,
      change,
    );
    const { workload } = result;
    const target =
      workload.mode === "flink-operator"
        ? `FlinkDeployment ${workload.name}`
        : `container ${result.container} of deployment ${workload.name}`;
    return {
      message: `${target} in namespace ${workload.namespace}: ${resourceChanges(params, result.before)}`,
      details: {
        mode: workload.mode,
        kind: workload.kind,
        namespace: workload.namespace,
        name: workload.name,
        container: result.container,
        before: { ...result.before },
        after: { ...result.after },
      },
    };
  },
};
