/**
 * Roll back the taskmanagers: the seed's "Rollback if recent deployment" as
 * `kubectl rollout undo deployment/flink-taskmanager [--to-revision=N]`, to the previous revision
 * or a chosen one. The preview names both revisions with their images and change-cause; execution
 * is refused when the deployment moved to another revision since the request.
 */
import { z } from "zod";
import type { KubernetesPort, RolloutRevision } from "../ports/kubernetes.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { messageOf, parseParams, taskmanagerProblems } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    deployment: z.string().min(1),
    /** The revision to go back to; the previous one when absent. */
    toRevision: z.number().int().min(1).optional(),
    /** The revision current when the request was made; execution is refused if it changed since. */
    fromRevision: z.number().int().min(1).optional(),
  })
  .strict();

export type RollbackParams = z.infer<typeof paramsSchema>;

/** `revision 3 (flink-job:1.4.3, "deploy 1.4.3")` */
export function describeRevision(r: RolloutRevision): string {
  const images = r.images.length > 0 ? r.images.join(", ") : "no image";
  const cause = r.changeCause === null ? "no change-cause" : JSON.stringify(r.changeCause);
  return `revision ${r.revision} (${images}, ${cause})`;
}

export function rollbackPreview(
  params: Pick<RollbackParams, "namespace" | "deployment">,
  from: RolloutRevision,
  to: RolloutRevision,
): string {
  return `rollback ${params.deployment} in ${params.namespace}: ${describeRevision(from)} -> ${describeRevision(to)}`;
}

/** The current revision and the one to go to, from the history; a refusal when there is none. */
export function pickRevisions(
  history: readonly RolloutRevision[],
  deployment: string,
  toRevision: number | undefined,
): { current: RolloutRevision; target: RolloutRevision } {
  const current = history.find((r) => r.current);
  if (current === undefined) {
    throw new ActionRefusal(`${deployment} has no revision matching its current pod template`);
  }
  if (toRevision === undefined) {
    const earlier = history.filter((r) => r.revision < current.revision);
    const target = earlier.at(-1);
    if (target === undefined) {
      throw new ActionRefusal(`${deployment} has no revision before ${current.revision} to roll back to`);
    }
    return { current, target };
  }
  const target = history.find((r) => r.revision === toRevision);
  if (target === undefined) {
    const known = history.map((r) => r.revision).join(", ") || "none";
    throw new ActionRefusal(
      `revision ${toRevision} is not in the rollout history of ${deployment} (revisions: ${known})`,
    );
  }
  if (target.current) {
    throw new ActionRefusal(`${deployment} already runs revision ${toRevision}: nothing to roll back`);
  }
  return { current, target };
}

async function readRevisions(params: RollbackParams, ctx: ActionContext) {
  const k8s: KubernetesPort = requirePort(ctx.ports.kubernetes, "Kubernetes");
  const { namespace, deployment } = params;
  const workload = await k8s.taskmanagerWorkload(
    namespace,
    deployment,
    ctx.config.pipeline.taskmanagerSelector,
  );
  if (workload.mode === "flink-operator") {
    throw new ActionRefusal(
      `${deployment} is managed by FlinkDeployment ${workload.name}: there is no ReplicaSet history to roll back (the operator rolls back by itself when kubernetes.operator.deployment.rollback.enabled is set)`,
    );
  }
  const status = await k8s.rolloutStatus(namespace, deployment);
  if (status.paused) {
    throw new ActionRefusal(`${deployment} is paused: resume the rollout first (kubectl rollout resume)`);
  }
  return pickRevisions(await k8s.rolloutHistory(namespace, deployment), deployment, params.toRevision);
}

export const rollback: ActionDefinition<RollbackParams> = {
  id: "rollback",
  title: "Roll back taskmanagers",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => [
      ...taskmanagerProblems(p.namespace, p.deployment, config),
      ...(p.toRevision !== undefined && p.toRevision === p.fromRevision
        ? [`toRevision: ${p.toRevision} is the revision to roll back from`]
        : []),
    ]);
  },
  async prepare(params, ctx) {
    const { current, target } = await readRevisions(params, ctx);
    if (params.fromRevision !== undefined && params.fromRevision !== current.revision) {
      // The target was chosen relative to the revision the diagnosis saw: do not guess another.
      throw new ActionRefusal(
        `${params.deployment} runs revision ${current.revision} now, not the revision ${params.fromRevision} this was proposed for; run the diagnostics again`,
      );
    }
    return {
      params: { ...params, toRevision: target.revision, fromRevision: current.revision },
      preview: rollbackPreview(params, current, target),
    };
  },
  async recheck(params, ctx) {
    return refusalOf(async () => {
      const { current } = await readRevisions(params, ctx);
      if (params.fromRevision !== undefined && current.revision !== params.fromRevision) {
        throw new ActionRefusal(
          `${params.deployment} runs revision ${current.revision} now, not the revision ${params.fromRevision} this request was computed from`,
        );
      }
    });
  },
  outcomeCheck(params) {
    return `the rollout history of deployment ${params.namespace}/${params.deployment} (kubectl rollout history)${params.toRevision === undefined ? "" : `: revision ${params.toRevision}'s template as the newest if it applied`}`;
  },
  async execute(params, ctx) {
    const k8s = requirePort(ctx.ports.kubernetes, "Kubernetes");
    const { namespace, deployment } = params;
    const undone = await k8s.undoRollout(namespace, deployment, params.toRevision);
    // The write is done: a failing read afterwards must not turn it into a failure.
    const rollout = await k8s.rolloutStatus(namespace, deployment).then(
      (s) => s.message,
      (error: unknown) => `rollout status not readable: ${messageOf(error)}`,
    );
    const images = undone.images.join(", ");
    return {
      message: `${deployment} in ${namespace} rolled back from revision ${undone.fromRevision ?? "?"} to revision ${undone.toRevision} (${images}); ${rollout}`,
      details: {
        namespace,
        deployment,
        fromRevision: undone.fromRevision,
        toRevision: undone.toRevision,
        images: [...undone.images],
        changeCause: undone.changeCause,
        rollout,
      },
    };
  },
};
