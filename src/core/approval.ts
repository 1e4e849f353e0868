/**
 * Approvals as a state machine plus the policy of who may request and approve. Pure: no I/O.
 *
 *   requested -> approved | rejected | expired
 *   approved  -> executing
 *   executing -> succeeded | failed | outcome-unknown
 *
 * `requested -> approved` is taken by the last approval the request's risk tier needs (one for low
 * and high, two distinct people for critical); earlier approvals are recorded while the request
 * stays `requested` (see decideApproval and the store's recordApproval).
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
  /** The action's risk tier (default high: one approval by someone other than the requester). */
  readonly tier?: RiskTier;
}

/**
 * `to: "approved"`: this approval is the last one needed, the request moves on to execution;
 * `to: "requested"`: it is recorded and the request waits for more (critical needs two).
 */
export type ApprovalDecision =
  | { readonly ok: true; readonly to: "approved" | "requested" }
  | { readonly ok: false; readonly reason: TransitionRefusal | PolicyRefusal | TierRefusal };

/**
 * The whole check for an Approve click: the request's state first (so a late clicker learns
 * "request is not awaiting approval"), then its deadline, then the policy of its tier, then
 * whether this approval completes the count.
 */
export function decideApproval(
  request: RequestSnapshot & {
    readonly requesterId: string;
    readonly approvals?: readonly { readonly by: string }[];
  },
  approverId: string,
  policy: ApprovalPolicy,
  now: Date,
): ApprovalDecision {
  const step = transition(request, { kind: "approve", by: approverId }, now);
  if (!step.ok) return step;
  const tier = policy.tier ?? "high";
  const approvedBy = (request.approvals ?? []).map((a) => a.by);
  const allowed = canApproveTier({
    approverId,
    requesterId: request.requesterId,
    approvers: policy.approvers,
    allowSelfApproval: policy.allowSelfApproval,
    tier,
    approvedBy,
  });
  if (!allowed.ok) return allowed;
  return { ok: true, to: approvedBy.length + 1 >= requiredApprovals(tier) ? "approved" : "requested" };
}

// ---------------------------------------------------------------------------------------------
// Risk tiers: how many approvals an action needs, and from whom.

/**
 * How much harm a wrong or badly timed execution can do, and so who must agree to it:
 * - low: one click by an authorised responder; the requester's own click executes it;
 * - high: one approval by an authorised person other than the requester (`allowSelfApproval`
 *   relaxes this for high only);
 * - critical: two approvals by two distinct authorised people, neither of them the requester.
 */
export type RiskTier = "low" | "high" | "critical";

export const RISK_TIERS: readonly RiskTier[] = ["low", "high", "critical"];

/** The tier an action runs under: the config's override, else the action's declared risk, else high. */
export function riskTierOf(
  actionId: string,
  declared: RiskTier | undefined,
  overrides: Readonly<Record<string, RiskTier>>,
): RiskTier {
  return overrides[actionId] ?? declared ?? "high";
}

/** Approvals needed before a request of this tier moves to `approved`. */
export function requiredApprovals(tier: RiskTier): number {
  return tier === "critical" ? 2 : 1;
}

/** Whether the requester's approval counts under this tier. */
export function requesterMayApprove(tier: RiskTier, allowSelfApproval: boolean): boolean {
  if (tier === "low") return true;
  if (tier === "high") return allowSelfApproval;
  return false;
}

/** Whether a request of this tier is approved by the requester's own click (no second step). */
export function approvedOnRequest(tier: RiskTier): boolean {
  return tier === "low";
}

/** One line for people: "high risk: a second person approves". */
export function describeTier(tier: RiskTier, allowSelfApproval = false): string {
  switch (tier) {
    case "low":
      return "low risk: one click by an authorised responder";
    case "high":
      return allowSelfApproval
        ? "high risk: one approval (the requester may approve)"
        : "high risk: a second person approves";
    case "critical":
      return "critical risk: two other people approve";
  }
}

export type TierRefusal =
  | "fewer than two other approvers are configured"
  | "you have already approved this request";

export interface TieredApproveInput extends ApproveInput {
  readonly tier: RiskTier;
  /** Who has approved so far. */
  readonly approvedBy: readonly string[];
}

/** canApprove under a risk tier: who may approve, and that each approver counts once. */
export function canApproveTier(
  input: TieredApproveInput,
): { ok: true } | { ok: false; reason: PolicyRefusal | TierRefusal } {
  const set = approverSet(input.approvers);
  if (set.size === 0) return { ok: false, reason: "no approvers are configured" };
  if (!set.has(input.approverId)) return { ok: false, reason: "not an authorised approver" };
  if (input.approverId === input.requesterId && !requesterMayApprove(input.tier, input.allowSelfApproval)) {
    return { ok: false, reason: "requester cannot approve their own request" };
  }
  if (input.approvedBy.includes(input.approverId)) {
    return { ok: false, reason: "you have already approved this request" };
  }
  return ALLOWED;
}

/**
 * canRequest under a risk tier. Requesters are the approvers; a request nobody could approve is
 * refused up front: high (without self-approval) needs one other approver, critical two.
 */
export function canRequestTier(
  input: RequestInput & { readonly tier: RiskTier },
): { ok: true } | { ok: false; reason: PolicyRefusal | TierRefusal } {
  const set = approverSet(input.approvers);
  if (set.size === 0) return { ok: false, reason: "no approvers are configured" };
  if (!set.has(input.requesterId)) return { ok: false, reason: "not an authorised requester" };
  const others = [...set].filter((id) => id !== input.requesterId).length;
  if (input.tier === "high" && !input.allowSelfApproval && others === 0) {
    return { ok: false, reason: "no other approver is configured" };
  }
  if (input.tier === "critical" && others < 2) {
    return { ok: false, reason: "fewer than two other approvers are configured" };
  }
  return ALLOWED;
}

// ---------------------------------------------------------------------------------------------
// Where buttons are honoured.

/** Normalises a channel entry of the config: `#incidents` -> `incidents`; ids stay as they are. */
function channelKey(entry: string): string {
  const v = entry.trim().replace(/^#/, "");
  return /^[CGD][A-Z0-9_]{2,}$/.test(v) ? v : v.toLowerCase();
}

/**
 * Whether a button pressed in `channel` (its id, and its name when Slack sent one) may act:
 * `allowList` holds channel ids (C0123) and names (incidents, #incidents).
 */
export function isAllowedChannel(
  allowList: readonly string[],
  channel: { readonly id: string; readonly name?: string | undefined },
): boolean {
  const keys = new Set(allowList.map(channelKey));
  if (keys.has(channel.id)) return true;
  return channel.name !== undefined && channel.name !== "" && keys.has(channel.name.toLowerCase());
}
