import { describe, expect, it } from "vitest";
import {
  type ApprovalState,
  type ApprovalView,
  renderApproval,
  renderApprovalOutcome,
  renderApprovalRequest,
} from "../../../src/slack/render/index.ts";
import { UNICODE_SOUP } from "../../fixtures/reports/huge-report.ts";
import { allStrings, validateBlockKit } from "./block-kit-check.ts";
import { expectGoldenJson } from "./golden.ts";

const request: ApprovalView = {
  requestId: "apr_01JPD7Z4K9",
  actionLabel: "Scale taskmanagers",
  preview: "kubectl scale deployment/flink-taskmanager --replicas=8 in namespace flink: 4 -> 8",
  requesterId: "U123ONCALL",
  state: "requested",
  createdAt: "2025-03-14T09:14:00.000Z",
  expiresAt: "2025-03-14T09:29:00.000Z",
  approvals: [],
  computedFrom: "deployment flink/flink-taskmanager had 4 ready replicas",
  computedAt: "2025-03-14T09:13:58.000Z",
};

const approved = { userId: "U456SECOND", at: "2025-03-14T09:16:10.000Z" };

const outcomes: Record<Exclude<ApprovalState, "requested">, ApprovalView> = {
  approved: { ...request, state: "approved", approvals: [approved], decidedBy: approved.userId },
  executing: { ...request, state: "executing", approvals: [approved], decidedBy: approved.userId },
  succeeded: {
    ...request,
    state: "succeeded",
    approvals: [approved],
    decidedBy: approved.userId,
    result: { ok: true, message: "flink-taskmanager 4 -> 8 replicas" },
  },
  failed: {
    ...request,
    state: "failed",
    approvals: [approved],
    decidedBy: approved.userId,
    result: { ok: false, message: "precondition changed: deployment now has 6 replicas" },
  },
  "outcome-unknown": {
    ...request,
    state: "outcome-unknown",
    approvals: [approved],
    result: { ok: false, message: "Kubernetes API timed out after 10 s" },
  },
  rejected: { ...request, state: "rejected", decidedBy: "U789LEAD", decidedAt: "2025-03-14T09:15:00.000Z" },
  expired: { ...request, state: "expired" },
};

const date = (iso: string) =>
  `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${iso.slice(0, 16).replace("T", " ")} UTC>`;

describe("renderApprovalRequest", () => {
  it("renders the request as its golden file, within limits", () => {
    const msg = renderApprovalRequest(request);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expectGoldenJson("slack-approval-request", msg);
  });

  it("shows who asked, the exact preview, what it was computed from and the expiry", () => {
    const all = allStrings(renderApprovalRequest(request).blocks);
    expect(all.some((t) => t.includes("Requested by <@U123ONCALL>"))).toBe(true);
    expect(all).toContain(`\`\`\`\n${request.preview.replace(">", "&gt;")}\n\`\`\``);
    expect(all).toContain(
      `Computed from: deployment flink/flink-taskmanager had 4 ready replicas (observed ${date("2025-03-14T09:13:58.000Z")})`,
    );
    expect(all).toContain(`Expires ${date("2025-03-14T09:29:00.000Z")}`);
  });

  it("has Approve (primary, confirm dialog) and Reject (danger) buttons carrying the request id", () => {
    const actions = renderApprovalRequest(request).blocks.find((b) => b.type === "actions");
    if (actions?.type !== "actions") throw new Error("no actions block");
    expect(actions.block_id).toBe("approval:apr_01JPD7Z4K9");
    const [approve, reject] = actions.elements;
    expect(approve).toMatchObject({ action_id: "approve", value: request.requestId, style: "primary" });
    expect(approve?.confirm?.title.text).toBe("Scale taskmanagers?");
    expect(approve?.confirm?.text.text).toBe(`This will run: ${request.preview}`);
    expect(reject).toMatchObject({ action_id: "reject", value: request.requestId, style: "danger" });
    expect(reject?.confirm).toBeUndefined();
  });

  it("counts approvals when two are required", () => {
    const all = allStrings(
      renderApprovalRequest({ ...request, requiredApprovals: 2, approvals: [approved] }).blocks,
    );
    expect(all).toContain("Approvals: 1 of 2 (<@U456SECOND>)");
  });

  it("keeps a huge preview and label within the section and confirm-dialog limits", () => {
    const msg = renderApprovalRequest({
      ...request,
      actionLabel: UNICODE_SOUP.repeat(10),
      preview: UNICODE_SOUP.repeat(200),
      requestId: "r".repeat(300),
    });
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
  });

  it("never renders a non-id requester as a mention", () => {
    const all = allStrings(renderApprovalRequest({ ...request, requesterId: "<!channel>" }).blocks).join(
      "\n",
    );
    expect(all).toContain("Requested by &lt;!channel&gt;");
  });
});

describe("renderApprovalOutcome", () => {
  for (const [state, view] of Object.entries(outcomes)) {
    it(`replaces the buttons with a context line when ${state}`, () => {
      const msg = renderApprovalOutcome(view);
      expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
      expect(msg.blocks.some((b) => b.type === "actions")).toBe(false);
      expectGoldenJson(`slack-approval-${state}`, msg);
    });
  }

  it("says who approved, when, and what was executed", () => {
    const last = renderApprovalOutcome(outcomes.succeeded).blocks.at(-1);
    expect(last?.type === "context" && last.elements[0]?.text).toBe(
      `:white_check_mark: Approved by <@U456SECOND> at ${date(approved.at)}, executed: flink-taskmanager 4 -&gt; 8 replicas`,
    );
  });

  it("says who rejected, that it expired, or why it failed", () => {
    const line = (v: ApprovalView) => allStrings(renderApprovalOutcome(v).blocks).at(-1);
    expect(line(outcomes.rejected)).toBe(
      `:no_entry_sign: Rejected by <@U789LEAD> at ${date("2025-03-14T09:15:00.000Z")}`,
    );
    expect(line(outcomes.expired)).toBe(`:hourglass: Expired at ${date(request.expiresAt)} without approval`);
    expect(line(outcomes.failed)).toContain("Failed: precondition changed: deployment now has 6 replicas");
  });

  it("renderApproval picks buttons while requested and the outcome after", () => {
    expect(renderApproval(request).blocks.some((b) => b.type === "actions")).toBe(true);
    expect(renderApproval(outcomes.rejected).blocks.some((b) => b.type === "actions")).toBe(false);
  });
});

describe("risk tiers and the kill switch on the approval message", () => {
  const critical: ApprovalView = {
    ...request,
    actionLabel: "Reboot MSK broker",
    preview: "reboot MSK broker 2 of OrderProcessing",
    risk: "critical",
    requiredApprovals: 2,
  };

  it("shows the risk label and counts approvals for a critical request, keeping the buttons", () => {
    const msg = renderApprovalRequest({ ...critical, approvals: [approved] });
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    const all = allStrings(msg.blocks);
    expect(all.some((t) => t.includes("Risk: :red_circle: critical"))).toBe(true);
    expect(all.some((t) => t.includes("Approvals: 1 of 2 (<@U456SECOND>)"))).toBe(true);
    expect(msg.blocks.some((b) => b.type === "actions")).toBe(true);
  });

  it("labels low and high, and shows no count when one approval is enough", () => {
    for (const [risk, label] of [
      ["low", "Risk: :large_green_circle: low"],
      ["high", "Risk: :large_orange_circle: high"],
    ] as const) {
      const all = allStrings(renderApprovalRequest({ ...request, risk, requiredApprovals: 1 }).blocks);
      expect(all.some((t) => t.includes(label))).toBe(true);
      expect(all.some((t) => t.includes("Approvals:"))).toBe(false);
    }
  });

  it("says frozen: preview only while pending, and not once decided", () => {
    const pending = allStrings(renderApprovalRequest({ ...critical, frozen: true }).blocks);
    expect(pending.some((t) => t.startsWith(":ice_cube: *Frozen: preview only.*"))).toBe(true);
    const decided = allStrings(
      renderApprovalOutcome({ ...critical, state: "rejected", frozen: true }).blocks,
    );
    expect(decided.some((t) => t.includes("Frozen"))).toBe(false);
  });

  it("an expired critical request says it lacked enough approvals", () => {
    const line = allStrings(
      renderApprovalOutcome({ ...critical, state: "expired", approvals: [approved] }).blocks,
    ).at(-1);
    expect(line).toBe(`:hourglass: Expired at ${date(request.expiresAt)} without enough approvals`);
  });
});
