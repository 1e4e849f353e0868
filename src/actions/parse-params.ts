/**
 * What every action's parse does: the zod schema first, then the action's own checks (scope:
 * only the pipeline's namespace, deployment, claim, stream and cluster may be touched; limits).
 */
import type { z } from "zod";
import { formatIssues } from "../config/load-config.ts";
import type { AppConfig } from "../config/schema.ts";
import type { ParseResult } from "./action.ts";

export function parseParams<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  check: (params: z.infer<S>) => string[],
): ParseResult<z.infer<S>> {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
  const problems = check(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, params: parsed.data };
}

/** A problem when `namespace` is not the pipeline's. */
export function namespaceProblems(namespace: string, config: AppConfig): string[] {
  const allowed = config.pipeline.namespace;
  return namespace === allowed ? [] : [`namespace: only ${allowed} may be touched, not ${namespace}`];
}

/** A problem when the deployment is not the pipeline's taskmanager Deployment. */
export function taskmanagerProblems(namespace: string, deployment: string, config: AppConfig): string[] {
  const { namespace: ns, taskmanagerDeployment } = config.pipeline;
  if (namespace === ns && deployment === taskmanagerDeployment) return [];
  return [`deployment: only ${ns}/${taskmanagerDeployment} may be touched, not ${namespace}/${deployment}`];
}

/** "4 pods", "1 pod". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The message of an error, for results and refusals. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
