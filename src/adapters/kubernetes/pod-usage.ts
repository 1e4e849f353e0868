/**
 * Joins the pods (their containers' limits) with metrics.k8s.io PodMetrics (their containers'
 * usage) into PodUsage rows. Pure: the adapter fetches, this computes.
 *
 * Pods without a metrics entry (just started, not yet scraped, Pending, Succeeded/Failed) are
 * omitted rather than reported as zero usage: a zero would read as "idle" in a finding.
 * Metrics entries without a matching pod (pod deleted since the scrape) are dropped as well.
 */

import { parseCpuMillicores, parseMemoryBytes } from "../../core/quantity.ts";
import type { PodUsage } from "../../ports/kubernetes.ts";

/** The parts of a v1 Pod this needs. */
export interface PodLimitsSource {
  readonly metadata?: { readonly name?: string | undefined } | undefined;
  readonly spec?:
    | {
        readonly containers: readonly {
          readonly name: string;
          readonly resources?:
            | { readonly limits?: { readonly [resource: string]: string } | undefined }
            | undefined;
        }[];
      }
    | undefined;
}

/** The parts of a metrics.k8s.io/v1beta1 PodMetrics this needs. */
export interface PodMetricsSource {
  readonly metadata?: { readonly name?: string } | undefined;
  readonly containers?: readonly { readonly name?: string; readonly usage?: Record<string, string> }[];
}

/** Sum of one resource over the containers; null when any container sets no limit for it. */
function sumLimits(
  containers: NonNullable<PodLimitsSource["spec"]>["containers"],
  resource: "cpu" | "memory",
  parse: (text: string) => number,
): number | null {
  if (containers.length === 0) return null;
  let total = 0;
  for (const container of containers) {
    const limit = container.resources?.limits?.[resource];
    if (limit === undefined) return null;
    total += parse(limit);
  }
  return total;
}

/** Narrows the untyped metrics list answer, rejecting anything that is not a PodMetricsList. */
export function podMetricsItems(body: unknown): PodMetricsSource[] {
  if (body === null || typeof body !== "object" || !Array.isArray((body as { items?: unknown }).items)) {
    throw new Error("metrics.k8s.io answered something that is not a PodMetricsList");
  }
  return (body as { items: PodMetricsSource[] }).items;
}

/** One row per pod that has both a spec and metrics, sorted by pod name. */
export function joinPodUsage(
  pods: readonly PodLimitsSource[],
  metrics: readonly PodMetricsSource[],
): PodUsage[] {
  const usageByPod = new Map<string, { cpu: number; memory: number }>();
  for (const item of metrics) {
    const name = item.metadata?.name;
    if (name === undefined) continue;
    let cpu = 0;
    let memory = 0;
    for (const container of item.containers ?? []) {
      cpu += parseCpuMillicores(container.usage?.cpu ?? "0");
      memory += parseMemoryBytes(container.usage?.memory ?? "0");
    }
    usageByPod.set(name, { cpu, memory });
  }
  const rows: PodUsage[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name;
    if (name === undefined) continue;
    const usage = usageByPod.get(name);
    if (usage === undefined) continue;
    const containers = pod.spec?.containers ?? [];
    rows.push({
      pod: name,
      cpuMillicores: usage.cpu,
      memoryBytes: usage.memory,
      cpuLimitMillicores: sumLimits(containers, "cpu", parseCpuMillicores),
      memoryLimitBytes: sumLimits(containers, "memory", parseMemoryBytes),
    });
  }
  return rows.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}
