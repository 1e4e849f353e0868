import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import type { Store } from "../../../../src/store/store.ts";
import { at, incidentInput } from "../helpers.ts";
import type { StoreHarness } from "./harness.ts";

/** The contract on any store `h` opens. */
export function resultsContract(h: StoreHarness): void {
  function step(id: string, summary: string): StepReport {
    return {
      id,
      title: `Step ${id}`,
      status: "warning",
      summary,
      durationMs: 42,
      budgetSeconds: 60,
      findings: [
        {
          severity: "warning",
          title: "Lag is growing",
          evidence: [{ kind: "table", columns: ["partition", "lag"], rows: [["0", "60000"]] }],
          proposals: [{ action: "scale-taskmanagers", label: "Scale to 8", params: { replicas: 8 } }],
        },
      ],
    };
  }

  describe("step results and run reports", () => {
    let store: Store;
    let incidentId: string;
    beforeEach(async () => {
      store = await h.open();
      incidentId = (await store.openIncident(incidentInput())).incident.id;
    });
    afterEach(async () => {
      await store.close();
    });

    it("saves step reports as JSON and lists them in save order", async () => {
      await store.saveStepResult(incidentId, "run-1", step("assess", "lag 60K"), at(1));
      await store.saveStepResult(incidentId, "run-1", step("diagnose", "one slow task"), at(2));
      await store.saveStepResult(incidentId, "run-2", step("assess", "lag 10K"), at(3));
      const list = await store.listStepResults(incidentId);
      expect(list.map((r) => [r.runId, r.step.id, r.step.summary])).toEqual([
        ["run-1", "assess", "lag 60K"],
        ["run-1", "diagnose", "one slow task"],
        ["run-2", "assess", "lag 10K"],
      ]);
      expect(list[0]?.step).toEqual(step("assess", "lag 60K"));
      expect(list[0]?.savedAt).toEqual(at(1));
      expect(await store.listStepResults("inc-other")).toEqual([]);
    });

    it("saving the same step of the same run again replaces it in place", async () => {
      await store.saveStepResult(incidentId, "run-1", step("assess", "first"), at(1));
      await store.saveStepResult(incidentId, "run-1", step("diagnose", "d"), at(2));
      await store.saveStepResult(incidentId, "run-1", step("assess", "second"), at(3));
      const list = await store.listStepResults(incidentId);
      expect(list.map((r) => `${r.step.id}:${r.step.summary}`)).toEqual(["assess:second", "diagnose:d"]);
    });

    it("saves run reports", async () => {
      const report: RunReport = {
        runbook: "consumer-lag",
        title: "Consumer Lag High",
        startedAt: at(0).toISOString(),
        finishedAt: at(1).toISOString(),
        steps: [step("assess", "lag 60K")],
        conclusion: { summary: "Scale up", severity: "warning", suggestedActions: [] },
      };
      await store.saveRunReport(incidentId, "run-1", report, at(1));
      await store.saveRunReport(incidentId, "run-1", { ...report, title: "again" }, at(2));
      const list = await store.listRunReports(incidentId);
      expect(list).toHaveLength(1);
      expect(list[0]).toEqual({
        incidentId,
        runId: "run-1",
        report: { ...report, title: "again" },
        savedAt: at(2),
      });
    });

    it("refuses results for an incident that does not exist", async () => {
      await expect(store.saveStepResult("inc-missing", "run-1", step("assess", "x"))).rejects.toThrow(
        /FOREIGN KEY/i,
      );
    });
  });
}
