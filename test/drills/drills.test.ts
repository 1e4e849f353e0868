/** Every drill scenario makes its runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { DRILLS } from "../../src/sandbox/drills/registry.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("drill scenarios", () => {
  it("have unique ids of the form <runbook>/<branch>", () => {
    const ids = DRILLS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of DRILLS) expect(d.id.startsWith(`${d.runbook}/`)).toBe(true);
  });

  it.each(DRILLS.map((d) => [d.id, d] as const))("%s reaches its branch", async (_id, scenario) => {
    const result = await runDrill(scenario, config);
    expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
    expect(result.report.conclusion.confidence).toBeDefined();
    // Every step ran and none of them crashed.
    expect(
      result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
    ).toBe(true);
  });
});
