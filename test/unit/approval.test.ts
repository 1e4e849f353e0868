import { describe, expect, it } from "vitest";
import {
  type ApprovalEvent,
  type Approvers,
  approvedOnRequest,
  canApprove,
  canApproveTier,
  canReject,
  canRequest,
  canRequestTier,
  decideApproval,
  isAllowedChannel,
  isExpired,
  isTransitionAllowed,
  REQUEST_STATES,
  type RequestState,
  type RiskTier,
  requestDeadline,
  requesterMayApprove,
  requiredApprovals,
  riskTierOf,
  type TieredApproveInput,
  transition,
} from "../../src/core/approval.ts";

const created = new Date("2025-01-01T10:00:00.000Z");
const deadline = requestDeadline(created, 15);
const before = new Date("2025-01-01T10:05:00.000Z");
const atDeadline = deadline;
const after = new Date("2025-01-01T10:20:00.000Z");

const approve: ApprovalEvent = { kind: "approve", by: "U2" };
const reject: ApprovalEvent = { kind: "reject", by: "U2" };

describe("transition", () => {
  const cases: [RequestState, ApprovalEvent, Date, RequestState | string][] = [
    ["requested", approve, before, "approved"],
    ["requested", reject, before, "rejected"],
    ["requested", { kind: "expire" }, after, "expired"],
    ["requested", { kind: "expire" }, atDeadline, "expired"],
    ["requested", { kind: "expire" }, before, "request has not expired yet"],
    ["requested", approve, atDeadline, "request has expired"],
    ["requested", approve, after, "request has expired"],
    ["requested", reject, after, "request has expired"],
    ["requested", { kind: "start" }, before, "an action needs an approval before it runs"],
    ["requested", { kind: "succeed" }, before, "request is not executing"],
    ["approved", { kind: "start" }, before, "executing"],
    // Once approved, the deadline no longer matters: execution follows the approval.
    ["approved", { kind: "start" }, after, "executing"],
    ["approved", approve, before, "request is not awaiting approval"],
    ["approved", reject, before, "request is not awaiting approval"],
    ["approved", { kind: "expire" }, after, "request is not awaiting approval"],
    ["approved", { kind: "succeed" }, before, "request is not executing"],
    ["executing", { kind: "succeed" }, before, "succeeded"],
    ["executing", { kind: "fail" }, before, "failed"],
    ["executing", { kind: "interrupt" }, before, "outcome-unknown"],
    ["executing", { kind: "start" }, before, "request is not approved"],
    ["executing", approve, before, "request is not awaiting approval"],
    ["rejected", approve, before, "request is already final"],
    ["expired", approve, before, "request is already final"],
    ["succeeded", { kind: "start" }, before, "request is already final"],
    ["failed", { kind: "start" }, before, "request is already final"],
    ["outcome-unknown", { kind: "succeed" }, before, "request is already final"],
  ];

  it.each(cases)("%s + %o at %s -> %s", (state, event, now, expected) => {
    const result = transition({ state, expiresAt: deadline }, event, now);
    if (result.ok) {
      expect(result.to).toBe(expected);
      expect(result.from).toBe(state);
    } else {
      expect(result.reason).toBe(expected);
    }
  });
});

describe("isTransitionAllowed", () => {
  const edges = new Set([
    "requested>approved",
    "requested>rejected",
    "requested>expired",
    "approved>executing",
    "executing>succeeded",
    "executing>failed",
    "executing>outcome-unknown",
  ]);
  const pairs = REQUEST_STATES.flatMap((from) => REQUEST_STATES.map((to) => [from, to] as const));

  it.each(pairs)("%s -> %s", (from, to) => {
    expect(isTransitionAllowed(from, to)).toBe(edges.has(`${from}>${to}`));
  });

  it("never lets a request skip its approval", () => {
    expect(isTransitionAllowed("requested", "executing")).toBe(false);
    expect(isTransitionAllowed("requested", "succeeded")).toBe(false);
  });
});

describe("expiry", () => {
  it("puts the deadline expiryMinutes after creation", () => {
    expect(requestDeadline(created, 15).toISOString()).toBe("2025-01-01T10:15:00.000Z");
    expect(requestDeadline(created, 0.5).toISOString()).toBe("2025-01-01T10:00:30.000Z");
  });

  it.each([
    ["one ms before the deadline", new Date(deadline.getTime() - 1), false],
    ["at the deadline", deadline, true],
    ["after the deadline", after, true],
  ])("%s -> expired=%s", (_label, now, expected) => {
    expect(isExpired({ expiresAt: deadline }, now)).toBe(expected);
  });
});

const team: Approvers = { users: ["U1", "U2"], usergroupMembers: new Set(["U3"]) };

describe("canApprove", () => {
  const cases: [
    string,
    { approverId: string; requesterId: string; approvers: Approvers; allowSelfApproval: boolean },
    string | null,
  ][] = [
    [
      "listed user approves another's request",
      { approverId: "U2", requesterId: "U1", approvers: team, allowSelfApproval: false },
      null,
    ],
    [
      "user-group member approves",
      { approverId: "U3", requesterId: "U1", approvers: team, allowSelfApproval: false },
      null,
    ],
    [
      "user-group members as an array",
      {
        approverId: "U9",
        requesterId: "U1",
        approvers: { users: [], usergroupMembers: ["U9"] },
        allowSelfApproval: false,
      },
      null,
    ],
    [
      "stranger",
      { approverId: "U7", requesterId: "U1", approvers: team, allowSelfApproval: false },
      "not an authorised approver",
    ],
    [
      "self-approval refused",
      { approverId: "U1", requesterId: "U1", approvers: team, allowSelfApproval: false },
      "requester cannot approve their own request",
    ],
    [
      "self-approval allowed",
      { approverId: "U1", requesterId: "U1", approvers: team, allowSelfApproval: true },
      null,
    ],
    [
      "stranger approving own request is still a stranger",
      { approverId: "U7", requesterId: "U7", approvers: team, allowSelfApproval: true },
      "not an authorised approver",
    ],
    [
      "nobody configured",
      {
        approverId: "U1",
        requesterId: "U2",
        approvers: { users: [], usergroupMembers: [] },
        allowSelfApproval: true,
      },
      "no approvers are configured",
    ],
  ];

  it.each(cases)("%s", (_label, input, reason) => {
    expect(canApprove(input)).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe("canRequest", () => {
  const cases: [
    string,
    { requesterId: string; approvers: Approvers; allowSelfApproval: boolean },
    string | null,
  ][] = [
    ["listed user", { requesterId: "U1", approvers: team, allowSelfApproval: false }, null],
    ["user-group member", { requesterId: "U3", approvers: team, allowSelfApproval: false }, null],
    [
      "stranger",
      { requesterId: "U7", approvers: team, allowSelfApproval: false },
      "not an authorised requester",
    ],
    [
      "nobody configured",
      { requesterId: "U1", approvers: { users: [], usergroupMembers: new Set() }, allowSelfApproval: false },
      "no approvers are configured",
    ],
    [
      "sole approver without self-approval: nobody could approve",
      { requesterId: "U1", approvers: { users: ["U1"], usergroupMembers: ["U1"] }, allowSelfApproval: false },
      "no other approver is configured",
    ],
    [
      "sole approver with self-approval",
      { requesterId: "U1", approvers: { users: ["U1"], usergroupMembers: [] }, allowSelfApproval: true },
      null,
    ],
  ];

  it.each(cases)("%s", (_label, input, reason) => {
    expect(canRequest(input)).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe("canReject", () => {
  it.each([
    ["an approver", "U2", null],
    ["the requester withdrawing", "U1", null],
    ["a user-group member", "U3", null],
    ["a stranger", "U7", "only an approver or the requester can reject a request"],
  ] as const)("%s", (_label, actorId, reason) => {
    expect(canReject({ actorId, requesterId: "U1", approvers: team })).toEqual(
      reason === null ? { ok: true } : { ok: false, reason },
    );
  });
});

describe("decideApproval", () => {
  const policy = { approvers: team, allowSelfApproval: false };
  const pending = { state: "requested" as const, requesterId: "U1", expiresAt: deadline };

  it.each([
    ["second approver in time", pending, "U2", before, null],
    ["after the deadline", pending, "U2", after, "request has expired"],
    ["the requester", pending, "U1", before, "requester cannot approve their own request"],
    ["a stranger", pending, "U7", before, "not an authorised approver"],
    // State before policy: a late clicker learns it is no longer pending, whoever they are.
    [
      "already approved",
      { ...pending, state: "approved" as const },
      "U7",
      before,
      "request is not awaiting approval",
    ],
    [
      "already expired, then clicked",
      { ...pending, state: "expired" as const },
      "U2",
      after,
      "request is already final",
    ],
  ])("%s", (_label, request, approverId, now, reason) => {
    expect(decideApproval(request, approverId, policy, now)).toEqual(
      reason === null ? { ok: true, to: "approved" } : { ok: false, reason },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Risk tiers

describe("riskTierOf", () => {
  it.each([
    ["declared low, no override", "scale-taskmanagers", "low", {}, "low"],
    ["declared critical, no override", "reboot-broker", "critical", {}, "critical"],
    ["nothing declared: high", "new-action", undefined, {}, "high"],
    ["override raises", "scale-taskmanagers", "low", { "scale-taskmanagers": "high" }, "high"],
    ["override lowers", "reboot-broker", "critical", { "reboot-broker": "high" }, "high"],
    ["another action's override does not apply", "rollback", "high", { "scale-taskmanagers": "low" }, "high"],
  ] as const)("%s", (_label, id, declared, overrides, expected) => {
    expect(riskTierOf(id, declared, overrides)).toBe(expected);
  });
});

describe("tier rules", () => {
  it.each([
    ["low", 1, true, true, true],
    ["high", 1, false, true, false],
    ["critical", 2, false, false, false],
  ] as const)(
    "%s: %i approval(s); requester counts: %s (self-approval %s); approved on request: %s",
    (tier, n, selfOff, selfOn, onRequest) => {
      expect(requiredApprovals(tier)).toBe(n);
      expect(requesterMayApprove(tier, false)).toBe(selfOff);
      expect(requesterMayApprove(tier, true)).toBe(selfOn);
      expect(approvedOnRequest(tier)).toBe(onRequest);
    },
  );
});

describe("canApproveTier", () => {
  const base = { requesterId: "U1", approvers: team, allowSelfApproval: false, approvedBy: [] as string[] };
  const cases: [
    string,
    Partial<TieredApproveInput> & { approverId: string; tier: RiskTier },
    string | null,
  ][] = [
    ["low: the requester's own click", { approverId: "U1", tier: "low" }, null],
    ["low: another approver", { approverId: "U2", tier: "low" }, null],
    ["low: a stranger", { approverId: "U7", tier: "low" }, "not an authorised approver"],
    ["high: another approver", { approverId: "U2", tier: "high" }, null],
    ["high: the requester", { approverId: "U1", tier: "high" }, "requester cannot approve their own request"],
    [
      "high: the requester with self-approval",
      { approverId: "U1", tier: "high", allowSelfApproval: true },
      null,
    ],
    ["critical: first approver", { approverId: "U2", tier: "critical" }, null],
    ["critical: second, distinct approver", { approverId: "U3", tier: "critical", approvedBy: ["U2"] }, null],
    [
      "critical: the same approver again",
      { approverId: "U2", tier: "critical", approvedBy: ["U2"] },
      "you have already approved this request",
    ],
    [
      "critical: the requester, even with self-approval",
      { approverId: "U1", tier: "critical", allowSelfApproval: true },
      "requester cannot approve their own request",
    ],
    ["critical: a stranger", { approverId: "U7", tier: "critical" }, "not an authorised approver"],
    [
      "critical: nobody configured",
      { approverId: "U2", tier: "critical", approvers: { users: [], usergroupMembers: [] } },
      "no approvers are configured",
    ],
  ];
  it.each(cases)("%s", (_label, input, reason) => {
    expect(canApproveTier({ ...base, ...input })).toEqual(
      reason === null ? { ok: true } : { ok: false, reason },
    );
  });
});

describe("canRequestTier", () => {
  const two: Approvers = { users: ["U1", "U2"], usergroupMembers: [] };
  const alone: Approvers = { users: ["U1"], usergroupMembers: [] };
  const cases: [string, RiskTier, Approvers, boolean, string | null][] = [
    ["low: a sole approver may request (their click executes)", "low", alone, false, null],
    [
      "low: a stranger may not",
      "low",
      { users: ["U2"], usergroupMembers: [] },
      false,
      "not an authorised requester",
    ],
    ["high: one other approver is enough", "high", two, false, null],
    ["high: alone without self-approval", "high", alone, false, "no other approver is configured"],
    ["high: alone with self-approval", "high", alone, true, null],
    ["critical: two others (one from a user group)", "critical", team, false, null],
    ["critical: only one other", "critical", two, false, "fewer than two other approvers are configured"],
    [
      "critical: self-approval does not help",
      "critical",
      two,
      true,
      "fewer than two other approvers are configured",
    ],
  ];
  it.each(cases)("%s", (_label, tier, approvers, allowSelfApproval, reason) => {
    expect(canRequestTier({ requesterId: "U1", approvers, allowSelfApproval, tier })).toEqual(
      reason === null ? { ok: true } : { ok: false, reason },
    );
  });
});

describe("decideApproval with tiers", () => {
  const pending: {
    state: "requested";
    requesterId: string;
    expiresAt: Date;
    approvals: readonly { by: string }[];
  } = { state: "requested", requesterId: "U1", expiresAt: deadline, approvals: [] };
  const policy = (tier: RiskTier, allowSelfApproval = false) => ({
    approvers: team,
    allowSelfApproval,
    tier,
  });
  const cases: [string, typeof pending, string, ReturnType<typeof policy>, string][] = [
    ["low: the requester's click approves", pending, "U1", policy("low"), "approved"],
    ["high: a second person approves", pending, "U2", policy("high"), "approved"],
    ["high: the requester, self-approval allowed", pending, "U1", policy("high", true), "approved"],
    [
      "critical: the first approval is recorded, still requested",
      pending,
      "U2",
      policy("critical"),
      "requested",
    ],
    [
      "critical: the second distinct approval approves",
      { ...pending, approvals: [{ by: "U2" }] },
      "U3",
      policy("critical"),
      "approved",
    ],
    [
      "critical: the same person twice",
      { ...pending, approvals: [{ by: "U2" }] },
      "U2",
      policy("critical"),
      "you have already approved this request",
    ],
    [
      "critical: the requester",
      pending,
      "U1",
      policy("critical", true),
      "requester cannot approve their own request",
    ],
    ["critical: past the deadline", pending, "U2", policy("critical"), "request has expired"],
  ];
  it.each(cases)("%s", (label, request, approverId, p, expected) => {
    const now = label.includes("deadline") ? after : before;
    const decision = decideApproval(request, approverId, p, now);
    if (expected === "approved" || expected === "requested")
      expect(decision).toEqual({ ok: true, to: expected });
    else expect(decision).toEqual({ ok: false, reason: expected });
  });

  it("an approval with no tier given is high (one approval by another person)", () => {
    expect(decideApproval(pending, "U2", { approvers: team, allowSelfApproval: false }, before)).toEqual({
      ok: true,
      to: "approved",
    });
  });
});

describe("isAllowedChannel", () => {
  it.each([
    ["by id", ["C0INCIDENT"], { id: "C0INCIDENT" }, true],
    ["by name", ["incidents"], { id: "C0INCIDENT", name: "incidents" }, true],
    ["by #name, any case", ["#Incidents"], { id: "C0INCIDENT", name: "incidents" }, true],
    ["a name without the channel's name in the click", ["incidents"], { id: "C0INCIDENT" }, false],
    ["another channel", ["incidents", "C0OPS"], { id: "C0GENERAL", name: "general" }, false],
    ["the emulator's ids", ["C_INCIDENTS"], { id: "C_INCIDENTS" }, true],
    ["an id is not matched case-insensitively", ["c0incident"], { id: "C0INCIDENT", name: "other" }, false],
  ] as const)("%s -> %s", (_label, list, channel, expected) => {
    expect(isAllowedChannel(list, channel)).toBe(expected);
  });
});
