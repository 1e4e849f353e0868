/**
 * Approval request messages: who asked, the exact change, the state it was computed from,
 * when it expires, and Approve/Reject buttons; once decided, the buttons give way to a
 * context line saying who decided and what happened.
 */

import type { RequestState, RiskTier } from "../../core/approval.ts";
import { truncateText } from "../../core/text/truncate-text.ts";
import type { Block, ConfirmDialog, RenderedMessage } from "./block-kit.ts";
import { button, context, plain, section } from "./block-kit.ts";
import { BLOCK_KIT_LIMITS, enforceBlockKitLimits, limitFallbackText, truncateMrkdwn } from "./limits.ts";
import { bold, escapeCode, escapeMrkdwn, fence, mention, slackDate } from "./mrkdwn.ts";

/** The persisted approval state machine (src/core/approval.ts). */
export type ApprovalState = RequestState;

export interface ApprovalView {
  readonly requestId: string;
  /** The action's label, e.g. "Scale taskmanagers". */
  readonly actionLabel: string;
  /** The exact change, e.g. "kubectl scale deployment/flink-taskmanager --replicas=8 in namespace flink: 4 -> 8". */
  readonly preview: string;
  readonly requesterId: string;
  readonly state: ApprovalState;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly approvals: readonly { readonly userId: string; readonly at: string }[];
  /** Approvals needed before it executes (default 1). */
  readonly requiredApprovals?: number;
  /** The action's risk tier, shown as a label. */
  readonly risk?: RiskTier;
  /** Actions are frozen (kill switch): shown as a preview only; Approve executes nothing. */
  readonly frozen?: boolean;
  /** The observed state the preview was computed from, e.g. "deployment flink/flink-taskmanager had 4 replicas". */
  readonly computedFrom?: string;
  /** When that state was observed. */
  readonly computedAt?: string;
  /** Who approved (last) or rejected. */
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly result?: { readonly ok: boolean; readonly message: string };
}

const RISK_LABEL: Readonly<Record<RiskTier, string>> = {
  low: ":large_green_circle: low",
  high: ":large_orange_circle: high",
  critical: ":red_circle: critical",
};

export const APPROVE_ACTION_ID = "approve";
export const REJECT_ACTION_ID = "reject";

function approvalsLine(view: ApprovalView): string | undefined {
  const required = view.requiredApprovals ?? 1;
  if (required <= 1) return undefined;
  const who = view.approvals.map((a) => mention(a.userId)).join(", ");
  return `Approvals: ${view.approvals.length} of ${required}${who === "" ? "" : ` (${who})`}`;
}

/** The part shared by the request and the outcome: title, requester, preview, computed-from. */
function bodyBlocks(view: ApprovalView, pending: boolean): Block[] {
  const title = pending
    ? `:lock: Approval needed: ${bold(view.actionLabel)}`
    : `:lock: Approval request: ${bold(view.actionLabel)}`;
  const head = `${title}\nRequested by ${mention(view.requesterId)} at ${slackDate(view.createdAt)}`;
  const meta: string[] = [];
  if (view.computedFrom !== undefined && view.computedFrom.trim() !== "") {
    const at = view.computedAt === undefined ? "" : ` (observed ${slackDate(view.computedAt)})`;
    meta.push(`Computed from: ${escapeMrkdwn(view.computedFrom)}${at}`);
  }
  if (view.risk !== undefined) meta.push(`Risk: ${RISK_LABEL[view.risk]}`);
  if (pending) meta.push(`Expires ${slackDate(view.expiresAt)}`);
  const approvals = approvalsLine(view);
  if (approvals !== undefined) meta.push(approvals);
  const blocks: Block[] = [
    section(head),
    section(truncateMrkdwn(fence(escapeCode(view.preview)), BLOCK_KIT_LIMITS.sectionText)),
  ];
  if (pending && view.frozen === true) {
    blocks.push(
      section(
        ":ice_cube: *Frozen: preview only.* Actions are frozen; Approve executes nothing until they are unfrozen.",
      ),
    );
  }
  if (meta.length > 0) blocks.push(context(...meta));
  return blocks;
}

function approveConfirm(view: ApprovalView): ConfirmDialog {
  return {
    title: plain(truncateText(`${view.actionLabel}?`, BLOCK_KIT_LIMITS.confirmTitle)),
    text: plain(truncateText(`This will run: ${view.preview}`, BLOCK_KIT_LIMITS.confirmText)),
    confirm: plain("Approve"),
    deny: plain("Cancel"),
    style: "primary",
  };
}

/** The request with Approve (confirm dialog) and Reject buttons; both carry the request id. */
export function renderApprovalRequest(view: ApprovalView): RenderedMessage {
  const blocks: Block[] = [
    ...bodyBlocks(view, true),
    {
      type: "actions",
      block_id: `approval:${view.requestId}`,
      elements: [
        button("Approve", APPROVE_ACTION_ID, view.requestId, {
          style: "primary",
          confirm: approveConfirm(view),
        }),
        button("Reject", REJECT_ACTION_ID, view.requestId, { style: "danger" }),
      ],
    },
  ];
  const text = `Approval needed: ${escapeMrkdwn(view.actionLabel)}`;
  return { text: limitFallbackText(text), blocks: enforceBlockKitLimits(blocks) };
}

/** "Approved by <@U1>, <@U2> at <date>" from the approvals (or decidedBy). */
function approvedBy(view: ApprovalView): string {
  const users =
    view.approvals.length > 0 ? view.approvals.map((a) => a.userId) : [view.decidedBy ?? "unknown"];
  const at = view.decidedAt ?? view.approvals[view.approvals.length - 1]?.at;
  return `Approved by ${users.map(mention).join(", ")}${at === undefined ? "" : ` at ${slackDate(at)}`}`;
}

function resultMessage(view: ApprovalView, fallback: string): string {
  const m = view.result?.message.trim() ?? "";
  return m === "" ? fallback : escapeMrkdwn(m);
}

/** The one-line outcome that replaces the buttons. */
export function approvalOutcomeLine(view: ApprovalView): string {
  const decidedAt = view.decidedAt === undefined ? "" : ` at ${slackDate(view.decidedAt)}`;
  switch (view.state) {
    case "requested":
      return `:hourglass_flowing_sand: Waiting for approval until ${slackDate(view.expiresAt)}`;
    case "approved":
      return `:white_check_mark: ${approvedBy(view)}, about to execute`;
    case "executing":
      return `:gear: ${approvedBy(view)}, executing…`;
    case "succeeded":
      return `:white_check_mark: ${approvedBy(view)}, executed: ${resultMessage(view, "done")}`;
    case "failed":
      return `:x: ${approvedBy(view)}. Failed: ${resultMessage(view, "no details")}`;
    case "outcome-unknown":
      return `:grey_question: ${approvedBy(view)}. Outcome unknown: ${resultMessage(view, "no answer")}; check before retrying`;
    case "rejected":
      return `:no_entry_sign: Rejected by ${mention(view.decidedBy ?? "unknown")}${decidedAt}`;
    case "expired":
      return `:hourglass: Expired at ${slackDate(view.expiresAt)} without ${view.requiredApprovals !== undefined && view.requiredApprovals > 1 ? "enough approvals" : "approval"}`;
    default: {
      const unknown: never = view.state;
      throw new Error(`unknown approval state: ${String(unknown)}`);
    }
  }
}

/** The request after a decision: same body, the buttons replaced by the outcome line. */
export function renderApprovalOutcome(view: ApprovalView): RenderedMessage {
  const line = approvalOutcomeLine(view);
  const blocks: Block[] = [...bodyBlocks(view, false), context(line)];
  const text = `${escapeMrkdwn(view.actionLabel)}: ${line}`;
  return { text: limitFallbackText(text), blocks: enforceBlockKitLimits(blocks) };
}

/** The right message for the approval's state: buttons while requested, the outcome after. */
export function renderApproval(view: ApprovalView): RenderedMessage {
  return view.state === "requested" ? renderApprovalRequest(view) : renderApprovalOutcome(view);
}
