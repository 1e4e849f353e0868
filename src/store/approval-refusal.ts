/** Why an approval was not recorded, read from the request as it now stands (every adapter). */
import type { ActionRequest, RecordApprovalOutcome } from "./store.ts";

export function approvalRefusal(
  current: ActionRequest,
  by: string,
): Extract<RecordApprovalOutcome, { recorded: false }> {
  const reason =
    current.state !== "requested"
      ? "not-pending"
      : current.approvals.some((a) => a.by === by)
        ? "already-approved"
        : "expired";
  return { recorded: false, reason, current };
}
