/** Every checkpoint-failure drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { checkpointFailureRunbook } from "../../src/runbooks/checkpoint-failure/index.ts";
import { checkpointFailureDrills } from "../../src/sandbox/drills/checkpoint-failure.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("checkpoint-failure drills", () => {
  it("cover every cause with ids of the form checkpoint-failure/<branch>", () => {
    const ids = checkpointFailureDrills.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of checkpointFailureDrills) expect(d.id.startsWith("checkpoint-failure/")).toBe(true);
    expect(new Set(checkpointFailureDrills.map((d) => d.expect.cause))).toEqual(
      new Set(["s3-access-denied", "kms-denied", "disk-full", "timeout", "job-down", "recovered", "unknown"]),
    );
  });

  it.each(checkpointFailureDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, scenario) => {
      const result = await runDrill(scenario, config, checkpointFailureRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBeDefined();
      expect(result.report.steps.map((s) => s.title)).toEqual([
        "Step 1: Assess",
        "Step 2: Identify Failure Type",
        "Step 3: Common Fixes",
        "Step 4: Verify Fix",
        "Step 5: Post-Incident",
      ]);
      for (const s of result.report.steps) {
        expect(
          s.findings.filter((f) => f.severity === "error").map((f) => `${f.title}: ${f.detail}`),
        ).toEqual([]);
      }
    },
  );
});
