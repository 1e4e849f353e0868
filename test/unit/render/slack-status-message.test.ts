import { describe, expect, it } from "vitest";
import { findRunbook } from "../../../src/core/catalog.ts";
import { renderStatusMessage, type StatusView } from "../../../src/slack/render/index.ts";
import { consumerLagReport, INCIDENT_ID } from "../../fixtures/reports/consumer-lag-report.ts";
import { hugeReport } from "../../fixtures/reports/huge-report.ts";
import { allStrings, validateBlockKit } from "./block-kit-check.ts";
import { expectGoldenJson } from "./golden.ts";

const runbook = findRunbook("consumer-lag");
if (runbook === undefined) throw new Error("consumer-lag missing from the catalog");

const running: StatusView = {
  incidentId: INCIDENT_ID,
  runbook,
  alert: "kafka-consumer-lag-high",
  state: "running",
  startedAt: "2025-03-14T09:12:00.000Z",
  fireCount: 1,
  progress: { done: 3, total: 5, current: "Fix" },
  source: "alertmanager",
};

const done: StatusView = {
  ...running,
  alert: "Lag 95000 > 50000 on group orders-enricher",
  state: "firing",
  fireCount: 3,
  progress: { done: 5, total: 5, durationMs: 84_732 },
  conclusion: consumerLagReport.conclusion,
};

const resolved: StatusView = { ...done, state: "resolved", resolvedAt: "2025-03-14T09:24:31.000Z" };

const field = (view: StatusView, name: string) =>
  allStrings(renderStatusMessage(view).blocks).find((t) => t.startsWith(`*${name}*\n`));

describe("renderStatusMessage", () => {
  it.each([
    ["running", running],
    ["done", done],
    ["resolved", resolved],
  ] as const)("renders the %s status as its golden file, within limits", (name, view) => {
    const msg = renderStatusMessage(view);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expectGoldenJson(`slack-status-${name}`, msg);
  });

  it("shows the title with the severity emoji and the alert", () => {
    const msg = renderStatusMessage(done);
    expect(msg.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":large_orange_circle: Consumer Lag High", emoji: true },
    });
    expect(allStrings(msg.blocks)).toContain(
      "`kafka-consumer-lag-high` Lag 95000 &gt; 50000 on group orders-enricher",
    );
  });

  it("shows progress while running and no re-run button", () => {
    expect(field(running, "Progress")).toBe("*Progress*\n3/5 steps · Fix");
    expect(field(running, "Fired")).toBe("*Fired*\nonce");
    expect(renderStatusMessage(running).blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("shows the run time, conclusion, suggested actions, re-run and post-incident buttons when done", () => {
    expect(field(done, "Progress")).toBe("*Progress*\ndone in 1 min 24 s");
    expect(field(done, "Fired")).toBe("*Fired*\n3 times");
    const msg = renderStatusMessage(done);
    expect(
      allStrings(msg.blocks).some((t) =>
        t.startsWith(":red_circle: *Conclusion:* orders-enricher is CPU-bound"),
      ),
    ).toBe(true);
    const actions = msg.blocks.find((b) => b.type === "actions");
    const buttons = actions?.type === "actions" ? actions.elements : [];
    expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
      ["proposal:scale-deployment:0", "Scale taskmanagers"],
      ["preview:scale-deployment:0", "Preview"],
      ["rerun", "Re-run diagnostics"],
      ["write-report", "Write post-incident"],
    ]);
    expect(buttons[2]?.value).toBe(INCIDENT_ID);
    expect(buttons[3]?.value).toBe(INCIDENT_ID);
    expect(msg.text).toContain("Firing, done in 1 min 24 s");
  });

  it('says "Resolved after 12 min"', () => {
    expect(field(resolved, "State")).toBe("*State*\n:white_check_mark: Resolved after 12 min");
  });

  it("shows the start as a Slack date with a UTC fallback", () => {
    expect(field(running, "Started")).toBe(
      `*Started*\n<!date^${Date.parse("2025-03-14T09:12:00Z") / 1000}^{date_short_pretty} {time}|2025-03-14 09:12 UTC>`,
    );
  });

  it("stays within limits with 41 suggested actions and a huge conclusion", () => {
    const msg = renderStatusMessage({ ...done, conclusion: hugeReport.conclusion });
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    const buttons = msg.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    expect(buttons).toHaveLength(84); // 41 proposals, each with its Preview, Re-run and Write post-incident
    expect(buttons.at(-1)?.action_id).toBe("write-report");
  });
});
