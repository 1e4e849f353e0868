/**
 * Golden files pin the rendered thread of every drill scenario: the terminal report and the Block
 * Kit of the status message and each step. Run times are zeroed (the only thing that varies);
 * everything else comes from the drill's virtual clock and the simulated platform.
 * `UPDATE_GOLDEN=1` rewrites them after a deliberate change; review the diff.
 */
import { describe, it } from "vitest";
import { renderReportText } from "../../src/cli/render/terminal.ts";
import { configSchema } from "../../src/config/schema.ts";
import { findRunbook } from "../../src/core/catalog.ts";
import type { RunReport } from "../../src/core/runbook.ts";
import { DRILLS } from "../../src/sandbox/drills/registry.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";
import { renderStatusMessage, renderStepMessage } from "../../src/slack/render/index.ts";
import { expectGoldenJson, expectGoldenText } from "../unit/render/golden.ts";

const config = { ...configSchema.parse({}), secrets: {} };

function withoutTimings(report: RunReport): RunReport {
  const zeroed = { ...report, steps: report.steps.map((s) => ({ ...s, durationMs: 0 })) };
  // "could not ... (after 3ms)": how long a failing probe took is wall-clock time.
  return JSON.parse(JSON.stringify(zeroed).replace(/\(after \d+(\.\d+)?m?s\)/g, "(after 0ms)")) as RunReport;
}

describe("drill threads (golden)", () => {
  it.each(DRILLS.map((d) => [d.id, d] as const))("%s", async (id, scenario) => {
    const report = withoutTimings((await runDrill(scenario, config)).report);
    const name = `drills/${id.replace("/", "--")}`;
    expectGoldenText(name, renderReportText(report));
    const incidentId = "inc-drill";
    const status = renderStatusMessage({
      incidentId,
      runbook: findRunbook(scenario.runbook)!,
      alert: findRunbook(scenario.runbook)!.alert,
      state: "firing",
      startedAt: report.startedAt,
      fireCount: 1,
      progress: { done: report.steps.length, total: report.steps.length, durationMs: 0 },
      conclusion: report.conclusion,
      source: "alertmanager",
    });
    const steps = report.steps.map((step) =>
      renderStepMessage(step, { runbookTitle: report.title, incidentId, runbookId: report.runbook }),
    );
    expectGoldenJson(name, { status, steps });
  });
});
