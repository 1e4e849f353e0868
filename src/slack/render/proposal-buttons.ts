/**
 * Proposals -> buttons. Buttons are data: the value carries `{action, params, incidentId}`
 * as JSON for the action listener; the action_id is `proposal:<action>:<index>`. Each proposal
 * button is followed by its Preview button (`preview:<action>:<index>`, same value), which shows
 * the exact change to the clicker without requesting anything.
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
export const PREVIEW_ACTION_PREFIX = "preview:";

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
  const unique = dedupe(proposals);
  let index = 0;
  for (const p of unique) {
    const value: ProposalButtonValue = { action: p.action, params: p.params, incidentId };
    const json = JSON.stringify(value);
    if (json.length > BLOCK_KIT_LIMITS.buttonValue) {
      notes.push(
        `:warning: “${escapeMrkdwn(cutText(p.label, 75))}” cannot be offered as a button: its parameters are too large (${json.length} > ${BLOCK_KIT_LIMITS.buttonValue} chars)`,
      );
      continue;
    }
    const suffix = `:${index}`;
    index += 1;
    const idFor = (prefix: string) =>
      prefix + cutText(p.action, BLOCK_KIT_LIMITS.actionId - prefix.length - suffix.length) + suffix;
    const label = p.label.trim() === "" ? p.action : p.label;
    buttons.push(
      button(truncateText(label, BLOCK_KIT_LIMITS.buttonText), idFor(PROPOSAL_ACTION_PREFIX), json),
    );
    // With several proposals in a row, each Preview names its fix.
    const previewLabel = unique.length === 1 ? "Preview" : `Preview: ${label}`;
    buttons.push(
      button(truncateText(previewLabel, BLOCK_KIT_LIMITS.buttonText), idFor(PREVIEW_ACTION_PREFIX), json),
    );
  }
  return { buttons, notes };
}
