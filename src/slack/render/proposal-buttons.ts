/**
 * Proposals -> buttons. Buttons are data: the value carries `{action, params, incidentId}`
 * as JSON for the action listener; the action_id is `proposal:<action>:<index>`. Each proposal
 * button is followed by its Preview button (`preview:<action>:<index>`, same value), which shows
 * the exact change to the clicker without requesting anything, and, for an action that takes a
 * value, by its form button (`form:<action>:<index>`, same value: "Other replica count…") that
 * opens a modal. When the runbook could not compute the value, the proposal's own button opens the
 * form (and there is nothing to preview). High and critical risk proposals carry a confirm dialog.
 */

import type { Proposal } from "../../core/finding.ts";
import { cutText, truncateText } from "../../core/text/truncate-text.ts";
import type { ButtonElement, ConfirmDialog } from "./block-kit.ts";
import { button, plain } from "./block-kit.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import { type ProposalTraits, proposalTraits, type TraitsOf } from "./proposal-traits.ts";

/** What a proposal button's value decodes to. */
export interface ProposalButtonValue {
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly incidentId: string;
}

export const PROPOSAL_ACTION_PREFIX = "proposal:";
export const PREVIEW_ACTION_PREFIX = "preview:";
export const FORM_ACTION_PREFIX = "form:";

const RISK_NOTE = {
  high: "high risk: nothing changes until another authorised person approves it",
  critical: "critical risk: nothing changes until two other authorised people approve it",
} as const;

/** The confirm dialog of a high or critical risk proposal, naming the change; none for low risk. */
export function proposalConfirm(label: string, traits: ProposalTraits): ConfirmDialog | undefined {
  if (traits.risk !== "high" && traits.risk !== "critical") return undefined;
  const title = `${traits.title ?? "Request this change"}?`;
  return {
    title: plain(truncateText(title, BLOCK_KIT_LIMITS.confirmTitle)),
    text: plain(
      truncateText(
        `Request: ${label}.\n\nThis posts an approval request (${RISK_NOTE[traits.risk]}).`,
        BLOCK_KIT_LIMITS.confirmText,
      ),
    ),
    confirm: plain("Request it"),
    deny: plain("Cancel"),
    style: "danger",
  };
}

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

export function proposalButtons(
  proposals: readonly Proposal[],
  incidentId: string,
  traitsOf: TraitsOf = proposalTraits(),
): ProposalButtons {
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
    const traits = traitsOf(p);
    const buttonText = truncateText(label, BLOCK_KIT_LIMITS.buttonText);
    if (traits.formButton !== undefined && traits.needsValue === true) {
      // Nothing to request or preview without the value: the button asks for it.
      buttons.push(button(buttonText, idFor(FORM_ACTION_PREFIX), json));
      continue;
    }
    const confirm = proposalConfirm(label, traits);
    buttons.push(
      button(buttonText, idFor(PROPOSAL_ACTION_PREFIX), json, confirm === undefined ? {} : { confirm }),
    );
    // With several proposals in a row, each Preview (and each form button) names its fix.
    const previewLabel = unique.length === 1 ? "Preview" : `Preview: ${label}`;
    buttons.push(
      button(truncateText(previewLabel, BLOCK_KIT_LIMITS.buttonText), idFor(PREVIEW_ACTION_PREFIX), json),
    );
    if (traits.formButton !== undefined) {
      const formLabel =
        unique.length === 1 ? traits.formButton : `${traits.formButton.replace(/…$/, "")}: ${label}`;
      buttons.push(
        button(truncateText(formLabel, BLOCK_KIT_LIMITS.buttonText), idFor(FORM_ACTION_PREFIX), json),
      );
    }
  }
  return { buttons, notes };
}
