import { describe, expect, it } from "vitest";
import { renderReportText } from "../../../src/cli/render/terminal.ts";
import type { Conclusion, RunReport } from "../../../src/core/runbook.ts";
import { confidenceLine } from "../../../src/slack/render/status-message.ts";

const base: Conclusion = { summary: "lag unknown.", severity: "warning", suggestedActions: [] };

describe("confidence, evidence and open branches", () => {
  it("are one context line in the status message", () => {
    expect(confidenceLine(base)).toBeUndefined();
    expect(
      confidenceLine({
        ...base,
        confidence: "low",
        evidence: ["RecordsOut is 70% of RecordsIn"],
        openBranches: ["Flink resource constraint (B)", "enrichment API slow (A)"],
      }),
    ).toBe(
      "Confidence: *low* · evidence: RecordsOut is 70% of RecordsIn · still possible: Flink resource constraint (B), enrichment API slow (A)",
    );
    expect(confidenceLine({ ...base, evidence: ["a < b & c"] })).toBe("evidence: a &lt; b &amp; c");
  });

  it("are printed under the conclusion in the terminal", () => {
    const report: RunReport = {
      runbook: "consumer-lag",
      title: "Consumer Lag High",
      startedAt: "2026-01-13T10:30:00.000Z",
      finishedAt: "2026-01-13T10:30:03.000Z",
      steps: [],
      conclusion: { ...base, confidence: "medium", evidence: ["x"], openBranches: ["y", "z"] },
    };
    const text = renderReportText(report);
    expect(text).toContain("  Confidence: medium\n  Evidence: x\n  Still possible: y, z\n");
  });
});
