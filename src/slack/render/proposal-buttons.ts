/**
 * Proposals -> buttons. Buttons are data: the value carries `{action, params, incidentId}`
 * as JSON for the action listener; the action_id is `proposal:<action>:<index>`.
 */
import { cutText, truncateText } from "../../cli/render/truncate-text.ts";
import type { Proposal } from "../../core/finding.ts";
import type { ButtonElement } from "./block-kit.ts";
import { button } from "./block-kit.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** What a proposal button's value decodes to. */
export interface ProposalButtonValue {
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly incidentId: string;
}

export const PROPOSAL_ACTION_PREFIX = "proposal:";

export interface ProposalButtons {
  readonly buttons: ButtonElement[];
  /** mrkdwn lines about proposals that could not become buttons. */
  readonly notes: string[];
}

/** Same action with the same params proposed twice (by two findings) is one button. */
function dedupe(proposals: readonly Proposal[]): Proposal[] {
  const seen = new Set<string>();
  return proposals.filter((p) => {
    const key = JSON.stringify([p.action, p.params]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function proposalButtons(proposals: readonly Proposal[], incidentId: string): ProposalButtons {
  const buttons: ButtonElement[] = [];
  const notes: string[] = [];
  for (const p of dedupe(proposals)) {
    const value: ProposalButtonValue = { action: p.action, params: p.params, incidentId };
    const json = JSON.stringify(value);
    if (json.length > BLOCK_KIT_LIMITS.buttonValue) {
      notes.push(
        `:warning: “${escapeMrkdwn(cutText(p.label, 75))}” cannot be offered as a button: its parameters are too large (${json.length} > ${BLOCK_KIT_LIMITS.buttonValue} chars)`,
      );
      continue;
    }
    const index = `:${buttons.length}`;
    const actionId =
      PROPOSAL_ACTION_PREFIX +
      cutText(p.action, BLOCK_KIT_LIMITS.actionId - PROPOSAL_ACTION_PREFIX.length - index.length) +
      index;
    const label = p.label.trim() === "" ? p.action : p.label;
    buttons.push(button(truncateText(label, BLOCK_KIT_LIMITS.buttonText), actionId, json));
  }
  return { buttons, notes };
}
