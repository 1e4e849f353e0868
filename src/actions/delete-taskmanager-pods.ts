/**
 * Delete taskmanager pods: the seed's `kubectl delete pod -l app=flink-taskmanager`. All of them go
 * at once (unlike a rolling restart), their controller recreates them and the job restarts from its
 * last checkpoint: higher risk, for a stuck job that a restart does not unstick.
 */
import { z } from "zod";
import type { KubernetesPort } from "../ports/kubernetes.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { count, namespaceProblems, parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    /** Label selector of the pods; only the pipeline's taskmanager selector is allowed. */
    selector: z.string().min(1),
  })
  .strict();

export type DeletePodsParams = z.infer<typeof paramsSchema>;

/** Pod names in a preview: the first few, then how many more. */
const NAMES_SHOWN = 6;

export function deletePodsPreview(params: DeletePodsParams, pods: readonly string[]): string {
  const shown = pods.slice(0, NAMES_SHOWN).join(", ");
  const more = pods.length > NAMES_SHOWN ? ` and ${pods.length - NAMES_SHOWN} more` : "";
  return `delete ${count(pods.length, "pod")} matching ${params.selector} in namespace ${params.namespace} (${shown}${more}) at once; their controller recreates them and the job restarts from its last checkpoint`;
}

async function podNames(params: DeletePodsParams, ctx: ActionContext): Promise<string[]> {
  const k8s: KubernetesPort = requirePort(ctx.ports.kubernetes, "Kubernetes");
  const pods = await k8s.listPods(params.namespace, params.selector);
  if (pods.length === 0) {
    throw new ActionRefusal(
      `no pod matches ${params.selector} in namespace ${params.namespace}: nothing to delete`,
    );
  }
  return pods.map((p) => p.name).sort();
}

export const deleteTaskmanagerPods: ActionDefinition<DeletePodsParams> = {
  id: "delete-taskmanager-pods",
  title: "Delete taskmanager pods",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => {
      const allowed = config.pipeline.taskmanagerSelector;
      return [
        ...namespaceProblems(p.namespace, config),
        ...(p.selector.trim() === allowed
          ? []
          : [`selector: only the taskmanager pods (${allowed}) may be deleted, not ${p.selector}`]),
      ];
    });
  },
  async prepare(params, ctx) {
    const normalized = { ...params, selector: params.selector.trim() };
    return { params: normalized, preview: deletePodsPreview(normalized, await podNames(normalized, ctx)) };
  },
  async recheck(params, ctx) {
    return refusalOf(() => podNames(params, ctx));
  },
  outcomeCheck(params) {
    return `the pods matching ${params.selector} in namespace ${params.namespace}: new names and ages if it applied`;
  },
  async execute(params, ctx) {
    const k8s = requirePort(ctx.ports.kubernetes, "Kubernetes");
    const deleted = await k8s.deletePods(params.namespace, params.selector);
    return {
      message: `deleted ${count(deleted.pods.length, "pod")} matching ${params.selector} in namespace ${params.namespace}${deleted.pods.length > 0 ? ` (${deleted.pods.join(", ")})` : ""}`,
      details: { namespace: params.namespace, selector: params.selector, pods: [...deleted.pods] },
    };
  },
};
