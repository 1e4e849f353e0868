/** Scale taskmanagers: the seed's `kubectl scale deployment flink-taskmanager --replicas=N`, via the scale subresource. */
import { z } from "zod";
import { formatIssues } from "../config/load-config.ts";
import { type ActionDefinition, ActionRefusal } from "./action.ts";

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    deployment: z.string().min(1),
    replicas: z.number().int(),
    /** Replicas when the request was made; execution is refused if they changed since. */
    fromReplicas: z.number().int().min(0).optional(),
  })
  .strict();

export type ScaleParams = z.infer<typeof paramsSchema>;

export const scaleTaskmanagers: ActionDefinition<ScaleParams> = {
  id: "scale-taskmanagers",
  title: "Scale taskmanagers",
  // A production change: a second person approves (the two-person rule of the product); lower it
  // per deployment with approvals.riskTiers.
  risk: "high",
  parse(raw, config) {
    const parsed = paramsSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
    const p = parsed.data;
    const { minReplicas, maxReplicas } = config.actions.scaleTaskmanagers;
    const problems: string[] = [];
    if (p.replicas < minReplicas || p.replicas > maxReplicas) {
      problems.push(`replicas: ${p.replicas} is outside the allowed ${minReplicas}..${maxReplicas}`);
    }
    if (p.namespace !== config.pipeline.namespace || p.deployment !== config.pipeline.taskmanagerDeployment) {
      problems.push(
        `deployment: only ${config.pipeline.namespace}/${config.pipeline.taskmanagerDeployment} may be scaled, not ${p.namespace}/${p.deployment}`,
      );
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, params: p };
  },
  async prepare(params, { ports }) {
    const scale = await ports.kubernetes!.getScale(params.namespace, params.deployment);
    if (scale.replicas === params.replicas) {
      throw new ActionRefusal(
        `${params.deployment} already has ${params.replicas} replicas: nothing to change`,
      );
    }
    return {
      params: { ...params, fromReplicas: scale.replicas },
      preview: `${params.deployment}: ${scale.replicas} -> ${params.replicas} replicas in namespace ${params.namespace}`,
    };
  },
  async recheck(params, { ports }) {
    const scale = await ports.kubernetes!.getScale(params.namespace, params.deployment);
    if (params.fromReplicas !== undefined && scale.replicas !== params.fromReplicas) {
      return `${params.deployment} now has ${scale.replicas} replicas, not the ${params.fromReplicas} this request was computed from`;
    }
    if (scale.replicas === params.replicas)
      return `${params.deployment} already has ${params.replicas} replicas`;
    return undefined;
  },
  outcomeCheck(params) {
    return `spec.replicas of deployment ${params.namespace}/${params.deployment} (${params.replicas} if it applied${params.fromReplicas === undefined ? "" : `, ${params.fromReplicas} if not`})`;
  },
  async settle(params, { ports }) {
    const scale = await ports.kubernetes!.getScale(params.namespace, params.deployment);
    return {
      applied: scale.replicas === params.replicas,
      detail: `${scale.replicas} taskmanager${scale.replicas === 1 ? "" : "s"} (spec.replicas of ${params.namespace}/${params.deployment})`,
    };
  },
  async execute(params, { ports }) {
    const before = params.fromReplicas;
    const after = await ports.kubernetes!.scaleDeployment(
      params.namespace,
      params.deployment,
      params.replicas,
    );
    return {
      message: `${params.deployment} scaled${before === undefined ? "" : ` ${before} ->`} ${after.replicas} replicas in namespace ${params.namespace}`,
      details: {
        namespace: params.namespace,
        deployment: params.deployment,
        replicas: after.replicas,
        from: before ?? null,
      },
    };
  },
};
