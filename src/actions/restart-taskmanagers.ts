/**
 * Restart taskmanagers: `kubectl rollout restart deployment/flink-taskmanager` (a new
 * restartedAt annotation on the pod template: a rolling replacement of every pod), or, when the
 * Flink Kubernetes Operator manages the job, an increment of the FlinkDeployment's
 * spec.restartNonce (the operator redeploys it). Either way the job restarts from its last checkpoint.
 */
import { z } from "zod";
import type { KubernetesPort, TaskmanagerWorkload } from "../ports/kubernetes.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { count, parseParams, taskmanagerProblems } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    deployment: z.string().min(1),
  })
  .strict();

export type RestartParams = z.infer<typeof paramsSchema>;

/** Operator lifecycle states in which the operator is busy with the FlinkDeployment already. */
export const BUSY_LIFECYCLE: ReadonlySet<string> = new Set(["UPGRADING", "ROLLING_BACK", "DELETING"]);

/** `restartNonce 3 -> 4 on FlinkDeployment order-processing in namespace flink` */
export function nonceChange(workload: Pick<TaskmanagerWorkload, "name" | "namespace">, nonce: number | null) {
  const next = (nonce ?? 0) + 1;
  return `restartNonce ${nonce ?? "unset"} -> ${next} on FlinkDeployment ${workload.name} in namespace ${workload.namespace}`;
}

export function restartPreview(deployment: string, namespace: string, pods: number): string {
  return `rollout restart of ${deployment} (${count(pods, "pod")}) in namespace ${namespace}`;
}

/** The preview, or a refusal: paused deployment, operator already applying a change. */
async function plan(params: RestartParams, ctx: ActionContext): Promise<string> {
  const k8s: KubernetesPort = requirePort(ctx.ports.kubernetes, "Kubernetes");
  const { namespace, deployment } = params;
  const workload = await k8s.taskmanagerWorkload(
    namespace,
    deployment,
    ctx.config.pipeline.taskmanagerSelector,
  );
  if (workload.mode === "flink-operator") {
    const lifecycle = workload.flink?.lifecycleState ?? null;
    if (lifecycle !== null && BUSY_LIFECYCLE.has(lifecycle)) {
      throw new ActionRefusal(
        `FlinkDeployment ${workload.name} is ${lifecycle}: the operator is busy with it already; try again once it is STABLE`,
      );
    }
    return nonceChange(workload, workload.flink?.restartNonce ?? null);
  }
  const status = await k8s.rolloutStatus(namespace, deployment);
  if (status.paused) {
    throw new ActionRefusal(
      `${deployment} is paused: a restart would not roll out (kubectl refuses it too); resume it first`,
    );
  }
  return restartPreview(deployment, namespace, status.replicas);
}

export const restartTaskmanagers: ActionDefinition<RestartParams> = {
  id: "restart-taskmanagers",
  title: "Restart taskmanagers",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => taskmanagerProblems(p.namespace, p.deployment, config));
  },
  async prepare(params, ctx) {
    return { params, preview: await plan(params, ctx) };
  },
  async recheck(params, ctx) {
    return refusalOf(() => plan(params, ctx));
  },
  outcomeCheck(params) {
    return `the kubectl.kubernetes.io/restartedAt annotation of deployment ${params.namespace}/${params.deployment}'s pod template, and whether a new ReplicaSet rolled out`;
  },
  async execute(params, ctx) {
    const k8s = requirePort(ctx.ports.kubernetes, "Kubernetes");
    const result = await k8s.restartRollout(params.namespace, params.deployment);
    const { workload } = result;
    const message =
      workload.mode === "flink-operator"
        ? `restartNonce set to ${result.restartNonce ?? "?"} on FlinkDeployment ${workload.name} in namespace ${workload.namespace}: the operator redeploys the job`
        : `rollout restart of ${workload.name} in namespace ${workload.namespace} started (restartedAt ${result.restartedAt ?? "?"})`;
    return {
      message,
      details: {
        mode: workload.mode,
        kind: workload.kind,
        namespace: workload.namespace,
        name: workload.name,
        restartedAt: result.restartedAt,
        restartNonce: result.restartNonce,
      },
    };
  },
};
