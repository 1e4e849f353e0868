/**
 * Every drill scenario, run once: it makes its runbook reach the branch it is written for, and
 * golden files pin the rendered thread (the terminal report and the Block Kit of the status message
 * and each step). Run times are zeroed (the only thing that varies); everything else comes from the
 * drill's virtual clock and the simulated platform. `UPDATE_GOLDEN=1` rewrites the goldens after a
 * deliberate change; review the diff.
 */
import { describe, expect, it } from "vitest";
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

/** The golden files of one drill's thread. */
function expectGoldenThread(id: string, scenarioRunbook: string, report: RunReport): void {
  const name = `drills/${id.replace("/", "--")}`;
  expectGoldenText(name, renderReportText(report));
  const incidentId = "inc-drill";
  const runbook = findRunbook(scenarioRunbook);
  if (!runbook) throw new Error(`no runbook ${scenarioRunbook}`);
  const status = renderStatusMessage({
    incidentId,
    runbook,
    alert: runbook.alert,
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
}

describe("drill scenarios", () => {
  it("have unique ids of the form <runbook>/<branch>", () => {
    const ids = DRILLS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of DRILLS) expect(d.id.startsWith(`${d.runbook}/`)).toBe(true);
  });

  it.each(DRILLS.map((d) => [d.id, d] as const))(
    "%s reaches its branch; its thread is golden",
    async (id, scenario) => {
      const result = await runDrill(scenario, config);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBeDefined();
      // Every step ran and none of them crashed.
      expect(
        result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
      ).toBe(true);
      expectGoldenThread(id, scenario.runbook, withoutTimings(result.report));
    },
  );
});
