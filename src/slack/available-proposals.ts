/**
 * Buttons only for fixes the bot can run: a proposal whose action is not (yet) in the action
 * registry becomes a line of text with its parameters, so nobody presses a button that can only
 * be refused.
 */
import { findAction } from "../actions/registry.ts";
import type { Finding, Proposal } from "../core/finding.ts";
import type { Conclusion, StepReport } from "../core/runbook.ts";

function describe(p: Proposal): string {
  const params = Object.entries(p.params)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== "object")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
  return `${p.label}${params ? ` (${params})` : ""}`;
}

function split(proposals: readonly Proposal[]): { runnable: Proposal[]; manual: string[] } {
  const runnable = proposals.filter((p) => findAction(p.action) !== undefined);
  const manual = proposals.filter((p) => findAction(p.action) === undefined).map(describe);
  return { runnable, manual };
}

function withManualNote(finding: Finding): Finding {
  const { runnable, manual } = split(finding.proposals);
  if (manual.length === 0) return finding;
  return {
    ...finding,
    proposals: runnable,
    evidence: [
      ...finding.evidence,
      { kind: "markdown", text: `Fix to run by hand (no button for it yet): ${manual.join("; ")}` },
    ],
  };
}

export function stepWithAvailableProposals(step: StepReport): StepReport {
  return { ...step, findings: step.findings.map(withManualNote) };
}

export function conclusionWithAvailableProposals(c: Conclusion): {
  conclusion: Conclusion;
  manual: string[];
} {
  const { runnable, manual } = split(c.suggestedActions);
  return { conclusion: { ...c, suggestedActions: runnable }, manual };
}
