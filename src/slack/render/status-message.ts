/**
 * The incident thread's status message, kept current with chat.update: what fired, the
 * incident state, progress of the diagnosis, the conclusion and its suggested actions.
 */

import type { RunbookMeta } from "../../core/catalog.ts";
import type { Conclusion } from "../../core/runbook.ts";
import { elapsedBetween, formatDuration, formatElapsed } from "../../core/text/format-quantity.ts";
import type { Block, ButtonElement, RenderedMessage } from "./block-kit.ts";
import { button, context, header, mrkdwn } from "./block-kit.ts";
import { RUNBOOK_SEVERITY_EMOJI, STATUS_EMOJI } from "./emoji.ts";
import { enforceBlockKitLimits, limitFallbackText } from "./limits.ts";
import { escapeMrkdwn, inlineCode, slackDate } from "./mrkdwn.ts";
import { proposalButtons } from "./proposal-buttons.ts";
import type { TraitsOf } from "./proposal-traits.ts";

/**
 * running: diagnostics in progress; firing: diagnosed, alert still firing; acknowledged: a
 * person took it; remediating: an approved fix is executing; resolved: the alert cleared;
 * failed: the diagnosis itself could not run.
 */
export type IncidentState = "running" | "firing" | "acknowledged" | "remediating" | "resolved" | "failed";

export interface StatusView {
  readonly incidentId: string;
  readonly runbook: RunbookMeta;
  /** The alert as it arrived (its text or name), shown next to the runbook's alert name. */
  readonly alert: string;
  readonly state: IncidentState;
  readonly startedAt: string;
  readonly resolvedAt?: string;
  readonly fireCount: number;
  /** When it last fired (shown with the count once it fired again). */
  readonly lastFiredAt?: string;
  readonly progress: {
    readonly done: number;
    readonly total: number;
    /** Title of the step running now. */
    readonly current?: string;
    /** How long the whole run took, once done. */
    readonly durationMs?: number;
  };
  readonly conclusion?: Conclusion;
  /** Where the alert came from, e.g. "alertmanager", "cloudwatch", "manual". */
  readonly source?: string;
}

export const RERUN_ACTION_ID = "rerun";
/** "Write post-incident": the post-incident report as a file in the thread (value: the incident id). */
export const REPORT_ACTION_ID = "write-report";

/** "Confidence: high · evidence: ... · still possible: ..." for a conclusion that says so. */
export function confidenceLine(c: Conclusion): string | undefined {
  const parts: string[] = [];
  if (c.confidence !== undefined) parts.push(`Confidence: *${c.confidence}*`);
  if (c.evidence !== undefined && c.evidence.length > 0)
    parts.push(`evidence: ${c.evidence.map(escapeMrkdwn).join("; ")}`);
  if (c.openBranches !== undefined && c.openBranches.length > 0) {
    parts.push(`still possible: ${c.openBranches.map(escapeMrkdwn).join(", ")}`);
  }
  return parts.length === 0 ? undefined : parts.join(" · ");
}

function stateLabel(view: StatusView): string {
  switch (view.state) {
    case "running":
      return ":hourglass_flowing_sand: Diagnosing";
    case "firing":
      return ":rotating_light: Firing";
    case "acknowledged":
      return ":eyes: Acknowledged";
    case "remediating":
      return ":gear: Remediating";
    case "resolved": {
      const ms = view.resolvedAt === undefined ? undefined : elapsedBetween(view.startedAt, view.resolvedAt);
      return ms === undefined
        ? ":white_check_mark: Resolved"
        : `:white_check_mark: Resolved after ${formatElapsed(ms)}`;
    }
    case "failed":
      return ":x: Diagnosis failed";
    default: {
      const unknown: never = view.state;
      throw new Error(`unknown incident state: ${String(unknown)}`);
    }
  }
}

function isDone(view: StatusView): boolean {
  return view.progress.total > 0 ? view.progress.done >= view.progress.total : view.conclusion !== undefined;
}

function progressText(view: StatusView): string {
  const { done, total, current, durationMs } = view.progress;
  if (isDone(view))
    return durationMs === undefined
      ? `done, ${total}/${total} steps`
      : `done in ${formatDuration(durationMs)}`;
  const now = current === undefined || current.trim() === "" ? "" : ` · ${escapeMrkdwn(current)}`;
  return `${done}/${total} steps${now}`;
}

const fired = (n: number, last?: string) =>
  n === 1 ? "once" : last === undefined ? `${n} times` : `${n} times, last ${slackDate(last)}`;

export function renderStatusMessage(
  view: StatusView,
  opts: { readonly traits?: TraitsOf } = {},
): RenderedMessage {
  const rb = view.runbook;
  const sevEmoji = RUNBOOK_SEVERITY_EMOJI[rb.severity];
  const alertLine =
    view.alert.trim() === "" || view.alert === rb.alert
      ? inlineCode(rb.alert)
      : `${inlineCode(rb.alert)} ${escapeMrkdwn(view.alert)}`;
  const state = stateLabel(view);
  const progress = progressText(view);
  const severity = rb.severity.charAt(0).toUpperCase() + rb.severity.slice(1);
  const blocks: Block[] = [
    header(`${sevEmoji} ${rb.title}`),
    {
      type: "section",
      text: mrkdwn(alertLine),
      fields: [
        mrkdwn(`*State*\n${state}`),
        mrkdwn(`*Severity*\n${sevEmoji} ${severity}`),
        mrkdwn(`*Started*\n${slackDate(view.startedAt)}`),
        mrkdwn(`*Fired*\n${fired(view.fireCount, view.lastFiredAt)}`),
        mrkdwn(`*Progress*\n${progress}`),
      ],
    },
  ];

  const c = view.conclusion;
  if (c !== undefined) {
    blocks.push({
      type: "section",
      text: mrkdwn(`${STATUS_EMOJI[c.severity]} *Conclusion:* ${escapeMrkdwn(c.summary)}`),
    });
    const how = confidenceLine(c);
    if (how !== undefined) blocks.push(context(how));
  }

  const { buttons, notes } = proposalButtons(c?.suggestedActions ?? [], view.incidentId, opts.traits);
  const all: ButtonElement[] = [...buttons];
  if (isDone(view)) {
    all.push(button("Re-run diagnostics", RERUN_ACTION_ID, view.incidentId));
    all.push(button("Write post-incident", REPORT_ACTION_ID, view.incidentId));
  }
  // One row; the limits pass splits it when there are more than 25 buttons.
  if (all.length > 0) blocks.push({ type: "actions", elements: all });
  if (notes.length > 0) blocks.push(context(...notes));

  const meta = [`Incident ${inlineCode(view.incidentId)}`, `runbook ${inlineCode(rb.id)}`];
  if (view.source !== undefined && view.source.trim() !== "")
    meta.push(`source: ${escapeMrkdwn(view.source)}`);
  blocks.push(context(meta.join(" · ")));

  const plainState = state.replace(/:[a-z_]+: /, "");
  const conclusionText = c === undefined ? "" : ` — ${escapeMrkdwn(c.summary)}`;
  const text = `${sevEmoji} ${escapeMrkdwn(rb.title)} (${escapeMrkdwn(rb.alert)}): ${plainState}, ${progress}${conclusionText}`;
  return { text: limitFallbackText(text), blocks: enforceBlockKitLimits(blocks) };
}
