/**
 * The check behind "buttons are bound to proposals": a proposal or Preview button's action and
 * params must be exactly a fix the bot stored for that incident (its steps' findings and its runs'
 * conclusions). Values of one's own go through the action's form, which validates them itself.
 */
import type { Proposal } from "../core/finding.ts";
import { matchesProposal, proposalsOf } from "../core/proposal-binding.ts";
import type { Store } from "../store/store.ts";

/** How a request reached the desk: a button carries a proposal, a form a person's own values. */
export type RequestSource = "button" | "form";

export const UNBOUND_REASON =
  "this button does not match a fix the bot proposed in this incident's thread (use the form to choose other values)";

/** Undefined when `proposal` is one the bot stored for `incidentId`; else the reason to refuse. */
export async function unboundReason(
  store: Store,
  incidentId: string,
  proposal: Pick<Proposal, "action" | "params">,
): Promise<string | undefined> {
  const [steps, reports] = await Promise.all([
    store.listStepResults(incidentId),
    store.listRunReports(incidentId),
  ]);
  const stored = proposalsOf(
    steps.map((s) => s.step),
    reports.map((r) => r.report),
  );
  return matchesProposal(stored, proposal.action, proposal.params) ? undefined : UNBOUND_REASON;
}
