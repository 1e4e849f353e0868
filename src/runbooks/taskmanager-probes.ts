/**
 * Probes of the taskmanagers shared by the runbooks that weigh a scale-out (consumer-lag,
 * latency-slo-breach): the pods' CPU and memory and the deployment's replicas.
 */
import { probe } from "../core/runbook.ts";
import type { DeploymentScale, PodUsage } from "../ports/kubernetes.ts";

export const podUsageProbe = probe<PodUsage[]>({
  id: "pod-usage",
  title: "read taskmanager pod CPU and memory",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podUsage(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

export const scaleProbe = probe<DeploymentScale>({
  id: "taskmanager-scale",
  title: "read the taskmanager deployment's replicas",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.getScale(config.pipeline.namespace, config.pipeline.taskmanagerDeployment),
});
