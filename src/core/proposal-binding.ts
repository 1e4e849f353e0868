/**
 * Buttons are bound to proposals: a click's action and params count only when they are exactly a
 * fix the bot proposed for that incident (a step's finding or a run's conclusion, as stored). Any
 * other value goes through the action's form, which validates it itself. Pure.
 */
import type { Proposal } from "./finding.ts";
import type { RunReport, StepReport } from "./runbook.ts";

/** Every proposal the stored steps and run reports of one incident made. */
export function proposalsOf(
  steps: readonly StepReport[],
  reports: readonly RunReport[],
): Pick<Proposal, "action" | "params">[] {
  const out: Pick<Proposal, "action" | "params">[] = [];
  for (const step of steps) for (const f of step.findings) out.push(...f.proposals);
  for (const report of reports) {
    for (const step of report.steps) for (const f of step.findings) out.push(...f.proposals);
    out.push(...report.conclusion.suggestedActions);
  }
  return out;
}

/**
 * A value as canonical JSON: keys sorted, undefined members dropped (as JSON.stringify drops
 * them, so a button's value and the stored proposal compare equal). Undefined for a value JSON
 * cannot hold exactly (a function, a non-finite number, a cycle).
 */
export function canonicalJson(value: unknown, seen: Set<object> = new Set()): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case "object": {
      if (seen.has(value)) return undefined;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          const items = value.map((v) => canonicalJson(v === undefined ? null : v, seen));
          return items.some((i) => i === undefined) ? undefined : `[${items.join(",")}]`;
        }
        const parts: string[] = [];
        for (const key of Object.keys(value).sort()) {
          const member = (value as Record<string, unknown>)[key];
          if (member === undefined) continue;
          const json = canonicalJson(member, seen);
          if (json === undefined) return undefined;
          parts.push(`${JSON.stringify(key)}:${json}`);
        }
        return `{${parts.join(",")}}`;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return undefined;
  }
}

/** Whether `action` with `params` is exactly one of `proposals` (same action, same params). */
export function matchesProposal(
  proposals: readonly Pick<Proposal, "action" | "params">[],
  action: string,
  params: unknown,
): boolean {
  const wanted = canonicalJson(params);
  if (wanted === undefined) return false;
  return proposals.some((p) => p.action === action && canonicalJson(p.params) === wanted);
}
