import { describe, expect, it } from "vitest";
import { renderReportText, renderStepText } from "../../../src/cli/render/terminal.ts";
import type { Proposal } from "../../../src/core/finding.ts";
import { consumerLagReport } from "../../fixtures/reports/consumer-lag-report.ts";
import { hugeReport } from "../../fixtures/reports/huge-report.ts";
import { expectGoldenText } from "./golden.ts";

/** What the action registry's preview would say for the scale action. */
const describeProposal = (p: Proposal) =>
  p.action === "scale-deployment"
    ? `deployment ${String(p.params.deployment)}: 4 -> ${String(p.params.replicas)}`
    : undefined;

describe("renderReportText", () => {
  it("renders the consumer-lag report as its golden file", () => {
    expectGoldenText("terminal-consumer-lag", renderReportText(consumerLagReport, { describeProposal }));
  });

  it("renders colours only when asked", () => {
    const plain = renderReportText(consumerLagReport);
    const colored = renderReportText(consumerLagReport, { color: true, describeProposal });
    expect(plain).not.toContain("\x1b[");
    expect(colored).toContain("\x1b[31m✖\x1b[0m");
    expectGoldenText("terminal-consumer-lag-color", colored);
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\x1b\[\d+m/g, "")).toBe(
      renderReportText(consumerLagReport, { describeProposal }),
    );
  });

  it("shows statuses, timing, findings, evidence, conclusion and actions", () => {
    const text = renderReportText(consumerLagReport, { describeProposal });
    expect(text).toContain("✖ Assess  2.1 s of a 60 s budget");
    expect(text).toContain("⚠ Identify bottleneck  4.9 s of a 2 min budget");
    expect(text).toContain("✖ Root cause  1 min 12 s of a 60 s budget, over budget");
    expect(text).toContain("! Verify");
    expect(text).toContain("! could not reach Kafka at b1:9092: connection refused after 5s");
    expect(text).toContain("    orders.raw          1  1,180,500   1,235,500  55,000");
    expect(text).toMatch(
      /Consumer lag \(orders-enricher\) {2}[▁▂▃▄▅▆▇█]{30} {2}min 12,000 records · max 95,000 records/,
    );
    expect(text).toContain("    │ 2025-03-14 09:11:40,004 INFO");
    expect(text).toContain("Conclusion: ✖ orders-enricher is CPU-bound");
    expect(text).toContain(
      "Suggested actions:\n  → Scale taskmanagers (deployment flink-taskmanager: 4 -> 8)\n",
    );
  });

  it("describes proposals by their params by default", () => {
    expect(renderReportText(consumerLagReport)).toContain(
      "→ Scale taskmanagers (namespace: flink, deployment: flink-taskmanager, replicas: 8)",
    );
  });

  it("strips terminal control sequences from remote content", () => {
    const step = consumerLagReport.steps[0];
    if (step === undefined) throw new Error("fixture");
    const text = renderStepText({
      ...step,
      summary: "evil \x1b]0;pwned\x07 \x1b[2J done",
      findings: [
        {
          severity: "info",
          title: "t\r",
          evidence: [{ kind: "log", lines: ["a\x1b[31mred"] }],
          proposals: [],
        },
      ],
    });
    expect(text).not.toContain("\x1b");
    expect(text).not.toContain("\x07");
    expect(text).not.toContain("\r");
  });

  it("renders the huge report in full (all 500 rows), ending with a newline", () => {
    const text = renderReportText(hugeReport);
    expect(text.split("\n").filter((l) => l.includes("orders.raw"))).toHaveLength(500);
    expect(text).toContain("… 12 more rows");
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("renderStepText", () => {
  it("renders one step for the live terminal", () => {
    const step = consumerLagReport.steps[1];
    if (step === undefined) throw new Error("fixture");
    expectGoldenText("terminal-step-identify-bottleneck", renderStepText(step));
  });
});
