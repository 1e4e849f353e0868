/** Every checkpoint-duration drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { checkpointDurationRunbook } from "../../src/runbooks/checkpoint-duration/index.ts";
import { checkpointDurationDrills } from "../../src/sandbox/drills/checkpoint-duration.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("checkpoint-duration drills", () => {
  it("cover every cause with ids of the form checkpoint-duration/<branch>", () => {
    const ids = checkpointDurationDrills.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of checkpointDurationDrills) expect(d.id.startsWith("checkpoint-duration/")).toBe(true);
    expect(new Set(checkpointDurationDrills.map((d) => d.expect.cause))).toEqual(
      new Set(["state-leak", "network-slow", "compaction", "below-threshold", "unknown"]),
    );
  });

  it.each(checkpointDurationDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, scenario) => {
      const result = await runDrill(scenario, config, checkpointDurationRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBeDefined();
      expect(result.report.steps.map((s) => [s.title, s.budgetSeconds])).toEqual([
        ["Step 1: Assess", 60],
        ["Step 2: Root Cause", 120],
        ["Step 3: Fix", undefined],
        ["Step 4: Verify", undefined],
      ]);
      for (const s of result.report.steps) {
        expect(
          s.findings.filter((f) => f.severity === "error").map((f) => `${f.title}: ${f.detail}`),
        ).toEqual([]);
      }
    },
  );
});
