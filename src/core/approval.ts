/**
 * Approvals as a state machine plus the policy of who may request and approve. Pure: no I/O.
 *
 *   requested -> approved | rejected | expired
 *   approved  -> executing
 *   executing -> succeeded | failed | outcome-unknown
 *
 * An action always needs an approval step: `requested -> executing` is not an edge. The store
 * persists the state and makes every edge a conditional write (see src/store/store.ts), so a
 * double click or two bot processes racing cannot take the same edge twice.
 */

export type RequestState =
  | "requested"
  | "approved"
  | "rejected"
  | "expired"
  | "executing"
  | "succeeded"
  | "failed"
  | "outcome-unknown";

export const REQUEST_STATES: readonly RequestState[] = [
  "requested",
  "approved",
  "rejected",
  "expired",
  "executing",
  "succeeded",
  "failed",
  "outcome-unknown",
];

/** States with no way out. */
export const FINAL_REQUEST_STATES: ReadonlySet<RequestState> = new Set<RequestState>([
  "rejected",
  "expired",
  "succeeded",
  "failed",
  "outcome-unknown",
]);

/** What can happen to a request. */
export type ApprovalEvent =
  | { readonly kind: "approve"; readonly by: string }
  | { readonly kind: "reject"; readonly by: string }
  /** The expiry sweep: only a request whose deadline has passed may expire. */
  | { readonly kind: "expire" }
  /** The executor starts running the approved action. */
  | { readonly kind: "start" }
  | { readonly kind: "succeed" }
  | { readonly kind: "fail" }
  /** The bot died (or lost track) while executing: nobody knows whether the action took effect. */
  | { readonly kind: "interrupt" };

export type ApprovalEventKind = ApprovalEvent["kind"];

/** The edges of the machine: from state, by event, to state. */
const EDGES: Readonly<Record<RequestState, Partial<Record<ApprovalEventKind, RequestState>>>> = {
  requested: { approve: "approved", reject: "rejected", expire: "expired" },
  approved: { start: "executing" },
  executing: { succeed: "succeeded", fail: "failed", interrupt: "outcome-unknown" },
  rejected: {},
  expired: {},
  succeeded: {},
  failed: {},
  "outcome-unknown": {},
};

/** Whether `from -> to` is an edge of the machine (the store refuses any other write). */
export function isTransitionAllowed(from: RequestState, to: RequestState): boolean {
  return Object.values(EDGES[from]).includes(to);
}

/** The deadline of a request created at `createdAt` under `approvals.expiryMinutes`. */
export function requestDeadline(createdAt: Date, expiryMinutes: number): Date {
  return new Date(createdAt.getTime() + expiryMinutes * 60_000);
}

/** A request is expired from its deadline on (the deadline itself included). */
export function isExpired(request: { readonly expiresAt: Date }, now: Date): boolean {
  return now.getTime() >= request.expiresAt.getTime();
}

/** What `transition` needs to know about a request. */
export interface RequestSnapshot {
  readonly state: RequestState;
  readonly expiresAt: Date;
}

export type TransitionRefusal =
  | "request has expired"
  | "request has not expired yet"
  | "request is not awaiting approval"
  | "an action needs an approval before it runs"
  | "request is not approved"
  | "request is not executing"
  | "request is already final";

export type TransitionResult =
  | { readonly ok: true; readonly from: RequestState; readonly to: RequestState }
  | { readonly ok: false; readonly reason: TransitionRefusal };

/**
 * The next state of `request` after `event` at `now`, or why the event is refused.
 * Approving or rejecting a request past its deadline is refused with "request has expired":
 * the caller then expires it (event `expire`).
 */
export function transition(request: RequestSnapshot, event: ApprovalEvent, now: Date): TransitionResult {
  const from = request.state;
  const to = EDGES[from][event.kind];
  if (to === undefined) return { ok: false, reason: refusalFor(from, event.kind) };
  if ((event.kind === "approve" || event.kind === "reject") && isExpired(request, now)) {
    return { ok: false, reason: "request has expired" };
  }
  if (event.kind === "expire" && !isExpired(request, now)) {
    return { ok: false, reason: "request has not expired yet" };
  }
  return { ok: true, from, to };
}

function refusalFor(from: RequestState, kind: ApprovalEventKind): TransitionRefusal {
  if (FINAL_REQUEST_STATES.has(from)) return "request is already final";
  switch (kind) {
    case "approve":
    case "reject":
    case "expire":
      return "request is not awaiting approval";
    case "start":
      return from === "requested" ? "an action needs an approval before it runs" : "request is not approved";
    case "succeed":
    case "fail":
    case "interrupt":
      return "request is not executing";
  }
}

// ---------------------------------------------------------------------------------------------
// Policy: who may request, approve and reject.

/** The people allowed to request and approve: `approvals.users` plus members of `approvals.usergroups`. */
export interface Approvers {
  readonly users: readonly string[];
  /** Members of the configured Slack user groups, resolved by the Slack layer. */
  readonly usergroupMembers: ReadonlySet<string> | readonly string[];
}

export type PolicyRefusal =
  | "no approvers are configured"
  | "not an authorised approver"
  | "not an authorised requester"
  | "requester cannot approve their own request"
  | "no other approver is configured"
  | "only an approver or the requester can reject a request";

export type PolicyDecision = { readonly ok: true } | { readonly ok: false; readonly reason: PolicyRefusal };

const ALLOWED: PolicyDecision = { ok: true };

/** Everyone in `approvals.users` or in a configured user group. */
export function approverSet(approvers: Approvers): ReadonlySet<string> {
  return new Set([...approvers.users, ...approvers.usergroupMembers]);
}

export interface ApproveInput {
  readonly approverId: string;
  readonly requesterId: string;
  readonly approvers: Approvers;
  readonly allowSelfApproval: boolean;
}

export function canApprove(input: ApproveInput): PolicyDecision {
  const set = approverSet(input.approvers);
  if (set.size === 0) return { ok: false, reason: "no approvers are configured" };
  if (!set.has(input.approverId)) return { ok: false, reason: "not an authorised approver" };
  if (!input.allowSelfApproval && input.approverId === input.requesterId) {
    return { ok: false, reason: "requester cannot approve their own request" };
  }
  return ALLOWED;
}

export interface RequestInput {
  readonly requesterId: string;
  readonly approvers: Approvers;
  readonly allowSelfApproval: boolean;
}

/**
 * Requesters are the same people as approvers. A request nobody could approve is refused up
 * front: with self-approval off, someone other than the requester must be an approver.
 */
export function canRequest(input: RequestInput): PolicyDecision {
  const set = approverSet(input.approvers);
  if (set.size === 0) return { ok: false, reason: "no approvers are configured" };
  if (!set.has(input.requesterId)) return { ok: false, reason: "not an authorised requester" };
  if (!input.allowSelfApproval && [...set].every((id) => id === input.requesterId)) {
    return { ok: false, reason: "no other approver is configured" };
  }
  return ALLOWED;
}

export interface RejectInput {
  readonly actorId: string;
  readonly requesterId: string;
  readonly approvers: Approvers;
}

/** Approvers may reject; the requester may withdraw their own request. */
export function canReject(input: RejectInput): PolicyDecision {
  if (input.actorId === input.requesterId) return ALLOWED;
  if (approverSet(input.approvers).has(input.actorId)) return ALLOWED;
  return { ok: false, reason: "only an approver or the requester can reject a request" };
}

export interface ApprovalPolicy {
  readonly approvers: Approvers;
  readonly allowSelfApproval: boolean;
}

export type ApprovalDecision =
  | { readonly ok: true; readonly to: "approved" }
  | { readonly ok: false; readonly reason: TransitionRefusal | PolicyRefusal };

/**
 * The whole check for an Approve click: the request's state first (so a late clicker learns
 * "request is not awaiting approval"), then its deadline, then the policy.
 */
export function decideApproval(
  request: RequestSnapshot & { readonly requesterId: string },
  approverId: string,
  policy: ApprovalPolicy,
  now: Date,
): ApprovalDecision {
  const step = transition(request, { kind: "approve", by: approverId }, now);
  if (!step.ok) return step;
  const allowed = canApprove({
    approverId,
    requesterId: request.requesterId,
    approvers: policy.approvers,
    allowSelfApproval: policy.allowSelfApproval,
  });
  if (!allowed.ok) return allowed;
  return { ok: true, to: "approved" };
}
