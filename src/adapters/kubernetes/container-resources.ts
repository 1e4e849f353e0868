/**
 * kubectl set resources for one container, pure: validation of the quantities, the merged
 * result (what the container will have), and the strategic merge patch (containers merge by name).
 */

import { parseQuantity, QuantityError, scaledValue } from "../../core/quantity.ts";
import { type ContainerResources, KubernetesError, type ResourceValues } from "../../ports/kubernetes.ts";

export interface RawResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

function values(source: Record<string, string> | undefined): ResourceValues {
  return {
    ...(source?.cpu !== undefined ? { cpu: source.cpu } : {}),
    ...(source?.memory !== undefined ? { memory: source.memory } : {}),
  };
}

export function toContainerResources(raw: RawResources | undefined): ContainerResources {
  const requests = values(raw?.requests);
  const limits = values(raw?.limits);
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function merged(a: ResourceValues | undefined, b: ResourceValues | undefined): ResourceValues | undefined {
  const result = { ...(a ?? {}), ...(b ?? {}) };
  return Object.keys(result).length > 0 ? result : undefined;
}

/** What the container has after the change: given values replace, others stay. */
export function mergeResources(before: ContainerResources, change: ContainerResources): ContainerResources {
  const requests = merged(before.requests, change.requests);
  const limits = merged(before.limits, change.limits);
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/** Validates the change and the result (quantities parse, requests <= limits). */
export function checkResources(change: ContainerResources, after: ContainerResources): void {
  const given = [
    ...Object.entries(change.requests ?? {}).map(([k, v]) => [`requests.${k}`, v] as const),
    ...Object.entries(change.limits ?? {}).map(([k, v]) => [`limits.${k}`, v] as const),
  ];
  if (given.length === 0) throw new KubernetesError("invalid", "no requests or limits given");
  for (const [field, text] of given) {
    try {
      const quantity = parseQuantity(String(text));
      if (quantity.coefficient <= 0n) throw new QuantityError(String(text), "must be greater than 0");
    } catch (error) {
      if (error instanceof QuantityError) throw new KubernetesError("invalid", `${field}: ${error.message}`);
      throw error;
    }
  }
  for (const key of ["cpu", "memory"] as const) {
    const request = after.requests?.[key];
    const limit = after.limits?.[key];
    if (request === undefined || limit === undefined) continue;
    const scale = key === "cpu" ? 3 : 0;
    if (scaledValue(parseQuantity(request), scale) > scaledValue(parseQuantity(limit), scale)) {
      throw new KubernetesError(
        "invalid",
        `requests.${key} ${request} would exceed limits.${key} ${limit}; a request must be less than or equal to its limit`,
      );
    }
  }
}

/** The strategic merge patch kubectl set resources sends for one container of a Deployment. */
export function resourcesPatch(container: string, change: ContainerResources): unknown {
  const resources: Record<string, ResourceValues> = {};
  if (change.requests && Object.keys(change.requests).length > 0) resources.requests = { ...change.requests };
  if (change.limits && Object.keys(change.limits).length > 0) resources.limits = { ...change.limits };
  return { spec: { template: { spec: { containers: [{ name: container, resources }] } } } };
}
