/** Every memory-usage drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { memoryUsageRunbook } from "../../src/runbooks/memory-usage/index.ts";
import { memoryUsageDrills } from "../../src/sandbox/drills/memory-usage.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

function drill(id: string) {
  const scenario = memoryUsageDrills.find((d) => d.id === `memory-usage/${id}`);
  if (!scenario) throw new Error(`no drill ${id}`);
  return runDrill(scenario, config, memoryUsageRunbook);
}

describe("memory-usage drills", () => {
  it("cover every branch once, with ids of the form memory-usage/<cause>", () => {
    const causes = memoryUsageDrills.map((d) => d.expect.cause).sort();
    expect(causes).toEqual(
      ["backpressure-buffers", "below-threshold", "heap-leak", "spike", "state-growth", "unknown"].sort(),
    );
    for (const d of memoryUsageDrills) expect(d.id).toBe(`memory-usage/${d.expect.cause}`);
  });

  it.each(memoryUsageDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, scenario) => {
      const result = await runDrill(scenario, config, memoryUsageRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBeDefined();
      expect(result.report.conclusion.evidence?.length).toBeGreaterThan(0);
      expect(result.report.steps.map((s) => s.title)).toEqual([
        "Step 1: Assess",
        "Step 2: Determine Cause",
        "Step 3: Fix Based on Cause",
        "Step 4: Immediate Mitigation",
        "Step 5: Verify Fix",
      ]);
      expect(
        result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
      ).toBe(true);
    },
  );

  it("heap-leak doubles the 8Gi limit as the seed does and says what a restart costs", async () => {
    const { report } = await drill("heap-leak");
    expect(report.conclusion.confidence).toBe("high");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "set-taskmanager-resources",
        label: "Set taskmanager memory: limit 8Gi -> 16Gi, request 8Gi",
        params: {
          namespace: "flink",
          deployment: "flink-taskmanager",
          container: "taskmanager",
          requests: { memory: "8Gi" },
          limits: { memory: "16Gi" },
        },
      },
      {
        action: "restart-taskmanagers",
        label: "Restart taskmanagers (state reloads from the last checkpoint)",
        params: { namespace: "flink", deployment: "flink-taskmanager" },
      },
    ]);
    const mitigation = report.steps.find((s) => s.id === "mitigation")!;
    const restart = mitigation.findings.find((f) =>
      f.proposals.some((p) => p.action === "restart-taskmanagers"),
    );
    expect(restart?.detail).toMatch(
      /reloads 1\.1 GiB of state from checkpoint \d+ \(completed \d\d:\d\d:\d\d UTC, \d+ s before this run\)/,
    );
    const fix = report.steps.find((s) => s.id === "fix-by-cause")!;
    expect(JSON.stringify(fix.findings)).toContain("jmap -dump:live,format=b,file=/tmp/heap.dump 1");
  });

  it("state-growth finds the silent windows and does not offer a restart", async () => {
    const { report } = await drill("state-growth");
    const fix = report.steps.find((s) => s.id === "fix-by-cause")!;
    expect(fix.findings.map((f) => f.title)).toContain(
      'No "window emitted" line in 15 min on 8 of 8 taskmanager(s)',
    );
    const mitigation = report.steps.find((s) => s.id === "mitigation")!;
    expect(mitigation.findings.map((f) => f.title)).toContain("A restart does not help here");
  });

  it("unknown lists the branches it could not check", async () => {
    const { report } = await drill("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toEqual([
      "memory leak (A: JVM heap growing) or temporary spike (stable level) (memory trend not read)",
      "state backend growing (B: state not cleared) (StateBackendUsedBytes not read)",
      "buffers full (C: backpressure) (buffer usage not read)",
    ]);
  });
});
