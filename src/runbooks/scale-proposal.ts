/**
 * The scale-taskmanagers proposal, shared by the runbooks whose fix is more taskmanagers
 * (consumer-lag's resource branch, latency-slo-breach's backpressure-cpu branch).
 */
import type { AppConfig } from "../config/schema.ts";
import type { Proposal } from "../core/finding.ts";
import { type ProbeResults, read } from "../core/runbook.ts";
import { podUsageProbe, scaleProbe } from "./taskmanager-probes.ts";

/** Current taskmanager replicas: the scale subresource, else the number of pods seen. */
export function currentReplicas(results: ProbeResults): number | undefined {
  const scale = read(results, scaleProbe);
  if (scale !== undefined) return scale.replicas;
  return read(results, podUsageProbe)?.length;
}

/** The seed doubles taskmanagers (4 -> 8), bounded by the configured maximum. */
export function proposedReplicas(current: number, config: AppConfig): number | undefined {
  const { maxReplicas, minReplicas } = config.actions.scaleTaskmanagers;
  const target = Math.min(maxReplicas, Math.max(current * 2, current + 1, minReplicas));
  return target > current ? target : undefined;
}

/** Scale the taskmanager deployment from its current replicas to the proposed ones; undefined when it cannot grow. */
export function scaleProposal(results: ProbeResults, config: AppConfig): Proposal | undefined {
  const current = currentReplicas(results);
  if (current === undefined) return undefined;
  const target = proposedReplicas(current, config);
  if (target === undefined) return undefined;
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "scale-taskmanagers",
    label: `Scale taskmanagers ${current} -> ${target}`,
    params: { namespace, deployment: taskmanagerDeployment, replicas: target, fromReplicas: current },
  };
}

/** Why no scale proposal is offered. */
export function cannotScaleText(config: AppConfig): string {
  return `The taskmanager deployment is already at the configured maximum (${config.actions.scaleTaskmanagers.maxReplicas}) or its replica count could not be read.`;
}
