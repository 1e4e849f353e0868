/** Every dlq-spike drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { dlqSpikeRunbook } from "../../src/runbooks/dlq-spike/index.ts";
import { dlqSpikeDrills } from "../../src/sandbox/drills/dlq-spike.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("dlq-spike drills", () => {
  it("have unique ids of the form dlq-spike/<branch>", () => {
    const ids = dlqSpikeDrills.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of dlqSpikeDrills) {
      expect(d.runbook).toBe("dlq-spike");
      expect(d.id.startsWith("dlq-spike/")).toBe(true);
    }
  });

  it("cover every cause the runbook can conclude", () => {
    const causes = new Set(dlqSpikeDrills.map((d) => d.expect.cause));
    expect([...causes].sort()).toEqual(
      [
        "below-threshold",
        "duplicate",
        "external-api-error",
        "mixed",
        "parse-error-deployment",
        "parse-error-schema-change",
        "parse-error-traffic-pattern",
        "parse-error-undetermined",
        "timeout",
        "unknown",
        "validation-error",
      ].sort(),
    );
  });

  it.each(dlqSpikeDrills.map((d) => [d.id, d] as const))("%s reaches its branch", async (_id, scenario) => {
    const result = await runDrill(scenario, config, dlqSpikeRunbook);
    expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
    expect(result.report.conclusion.confidence).toBeDefined();
    expect(result.report.conclusion.evidence?.length).toBeGreaterThan(0);
    expect(result.report.steps.map((s) => s.title)).toEqual([
      "Step 1: Assess",
      "Step 2: Classify",
      "Step 3: Root Cause",
      "Step 4: Immediate Fix",
      "Step 5: Verify",
      "Step 6: Post-Incident",
    ]);
    expect(
      result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
    ).toBe(true);
  });
});
