/** Block Kit renderers of the neutral message model. Pure functions, no I/O. */
export type { ApprovalState, ApprovalView } from "./approval-message.ts";
export {
  APPROVE_ACTION_ID,
  approvalOutcomeLine,
  REJECT_ACTION_ID,
  renderApproval,
  renderApprovalOutcome,
  renderApprovalRequest,
} from "./approval-message.ts";
export type {
  ActionsBlock,
  Block,
  ButtonElement,
  ConfirmDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnText,
  PlainText,
  RenderedMessage,
  SectionBlock,
  TextObject,
} from "./block-kit.ts";
export { asKnownBlocks } from "./block-kit.ts";
export { renderError } from "./error-message.ts";
export type { LimitOptions } from "./limits.ts";
export { BLOCK_KIT_LIMITS, enforceBlockKitLimits, limitFallbackText } from "./limits.ts";
export { escapeCode, escapeMrkdwn } from "./mrkdwn.ts";
export type { ProposalButtonValue } from "./proposal-buttons.ts";
export { FORM_ACTION_PREFIX, PROPOSAL_ACTION_PREFIX } from "./proposal-buttons.ts";
export type { ProposalTraits, TraitsOf } from "./proposal-traits.ts";
export { proposalTraits } from "./proposal-traits.ts";
export type { RunbookListItem } from "./runbook-list.ts";
export { renderRunbookList } from "./runbook-list.ts";
export type { IncidentState, StatusView } from "./status-message.ts";
export { REPORT_ACTION_ID, RERUN_ACTION_ID, renderStatusMessage } from "./status-message.ts";
export type { StepMessageContext } from "./step-message.ts";
export { renderStepMessage } from "./step-message.ts";
