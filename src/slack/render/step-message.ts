/** One thread reply per finished step: status, timing vs budget, summary, findings, buttons. */

import type { Finding, Proposal } from "../../core/finding.ts";
import type { StepReport } from "../../core/runbook.ts";
import { describeStepTiming } from "../../core/text/format-quantity.ts";
import type { Block, RenderedMessage } from "./block-kit.ts";
import { context, section } from "./block-kit.ts";
import { STATUS_EMOJI } from "./emoji.ts";
import { renderEvidence } from "./evidence.ts";
import { enforceBlockKitLimits, limitFallbackText } from "./limits.ts";
import { bold, escapeMrkdwn } from "./mrkdwn.ts";
import { proposalButtons } from "./proposal-buttons.ts";
import type { TraitsOf } from "./proposal-traits.ts";

export interface StepMessageContext {
  readonly runbookTitle: string;
  readonly incidentId: string;
  /** Runbook id, for the "full report: runbook-bot diagnose <id>" note when blocks are cut. */
  readonly runbookId?: string;
  /** Tiers and forms of the proposed actions (default: the registry's, without config overrides). */
  readonly traits?: TraitsOf;
}

function findingBlocks(f: Finding): Block[] {
  const title = `${STATUS_EMOJI[f.severity]} ${bold(f.title)}`;
  const detail = f.detail === undefined || f.detail.trim() === "" ? "" : `\n${escapeMrkdwn(f.detail)}`;
  return [section(title + detail), ...f.evidence.flatMap(renderEvidence)];
}

/** The proposal buttons (and notes about ones too large to be buttons) for a list of proposals. */
export function proposalBlocks(
  proposals: readonly Proposal[],
  incidentId: string,
  extra: Block[] = [],
  traits?: TraitsOf,
): Block[] {
  const { buttons, notes } = proposalButtons(proposals, incidentId, traits);
  const out: Block[] = [];
  if (buttons.length > 0) out.push({ type: "actions", elements: buttons });
  if (notes.length > 0) out.push(context(...notes));
  return [...out, ...extra];
}

export function renderStepMessage(step: StepReport, ctx: StepMessageContext): RenderedMessage {
  const timing = describeStepTiming(step.durationMs, step.budgetSeconds);
  const timingText = timing.overBudget ? `:hourglass: ${timing.text} — *over budget*` : `_${timing.text}_`;
  const headline = `${STATUS_EMOJI[step.status]} ${bold(step.title)} · ${timingText}`;
  const summary = step.summary.trim() === "" ? "" : `\n${escapeMrkdwn(step.summary)}`;
  const blocks: Block[] = [section(headline + summary), ...step.findings.flatMap(findingBlocks)];
  blocks.push(
    ...proposalBlocks(
      step.findings.flatMap((f) => f.proposals),
      ctx.incidentId,
      [],
      ctx.traits,
    ),
  );
  const text = `${STATUS_EMOJI[step.status]} ${escapeMrkdwn(ctx.runbookTitle)} · ${escapeMrkdwn(step.title)}: ${escapeMrkdwn(step.summary)}`;
  return {
    text: limitFallbackText(text),
    blocks: enforceBlockKitLimits(
      blocks,
      ctx.runbookId === undefined ? {} : { fullReportCommand: `runbook-bot diagnose ${ctx.runbookId}` },
    ),
  };
}
