import { describe, expect, it } from "vitest";
import { renderReportJson, toReportJson } from "../../../src/cli/render/json.ts";
import type { RunReport } from "../../../src/core/runbook.ts";
import { consumerLagReport } from "../../fixtures/reports/consumer-lag-report.ts";
import { expectGoldenJson } from "./golden.ts";

describe("renderReportJson", () => {
  it("renders the consumer-lag report as its golden file", () => {
    const text = renderReportJson(consumerLagReport);
    expect(text.endsWith("}\n")).toBe(true);
    expectGoldenJson("json-consumer-lag", JSON.parse(text));
  });

  it("has exactly the contract's keys at each level", () => {
    const json = toReportJson(consumerLagReport);
    expect(Object.keys(json)).toEqual(["runbook", "startedAt", "finishedAt", "steps", "conclusion"]);
    for (const s of json.steps) {
      expect(Object.keys(s)).toEqual(["id", "title", "status", "summary", "findings", "durationMs"]);
    }
    expect(Object.keys(json.conclusion)).toEqual(["summary", "severity", "suggestedActions"]);
    expect(json.conclusion.suggestedActions).toEqual([
      {
        action: "scale-deployment",
        label: "Scale taskmanagers",
        params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8 },
      },
    ]);
  });

  it("keeps findings as the neutral objects", () => {
    const json = toReportJson(consumerLagReport);
    expect(json.steps.map((s) => s.findings)).toEqual(consumerLagReport.steps.map((s) => s.findings));
  });

  it("does not leak fields outside the contract", () => {
    const extra = {
      ...consumerLagReport,
      secret: "x",
      steps: consumerLagReport.steps.map((s) => ({ ...s, internal: 1 })),
    } as RunReport;
    const text = renderReportJson(extra);
    expect(text).not.toContain("secret");
    expect(text).not.toContain("internal");
    expect(text).not.toContain("budgetSeconds");
    expect(text).not.toContain('"title": "Consumer Lag High"');
  });
});
