/**
 * What the proposal buttons need to know about an action besides the proposal itself: its title,
 * the tier it runs under (a confirm dialog for high and critical) and its form (a "Choose…" button,
 * or the proposal's own button opening the form when the runbook could not compute the value).
 * Pure: the action registry is data, the tiers come from the config passed in.
 */
import { findAction } from "../../actions/registry.ts";
import { type RiskTier, riskTierOf } from "../../core/approval.ts";
import type { Proposal } from "../../core/finding.ts";

export interface ProposalTraits {
  /** The action's title ("Roll back taskmanagers"). */
  readonly title?: string;
  readonly risk?: RiskTier;
  /** The label of the button opening the action's form; absent when it takes no value. */
  readonly formButton?: string;
  /** The proposal lacks the value the form asks for: its own button opens the form. */
  readonly needsValue?: boolean;
}

export type TraitsOf = (proposal: Proposal) => ProposalTraits;

/** Traits from the action registry, with the config's `approvals.riskTiers` over the declared risks. */
export function proposalTraits(riskTiers: Readonly<Record<string, RiskTier>> = {}): TraitsOf {
  return (p) => {
    const def = findAction(p.action);
    if (def === undefined) return {};
    return {
      title: def.title,
      risk: riskTierOf(def.id, def.risk, riskTiers),
      ...(def.form === undefined
        ? {}
        : { formButton: def.form.buttonLabel, needsValue: def.form.needsValue(p.params) }),
    };
  };
}
