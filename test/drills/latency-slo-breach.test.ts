/** Every latency-slo-breach drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { latencySloBreachRunbook } from "../../src/runbooks/latency-slo-breach/index.ts";
import { latencySloBreachDrills } from "../../src/sandbox/drills/latency-slo-breach.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("latency-slo-breach drills", () => {
  it("cover every branch once, with ids of the form latency-slo-breach/<cause>", () => {
    const causes = latencySloBreachDrills.map((d) => d.expect.cause).sort();
    expect(causes).toEqual(
      [
        "backpressure",
        "backpressure-cpu",
        "below-threshold",
        "enrichment",
        "enrichment-api-slow",
        "enrichment-cache-miss",
        "enrichment-customer-hotspot",
        "firehose-slow",
        "operator-slow",
        "unknown",
      ].sort(),
    );
    for (const d of latencySloBreachDrills) expect(d.id).toBe(`latency-slo-breach/${d.expect.cause}`);
  });

  it.each(latencySloBreachDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, scenario) => {
      const result = await runDrill(scenario, config, latencySloBreachRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      const c = result.report.conclusion;
      expect(c.confidence).toBeDefined();
      expect(c.evidence?.length).toBeGreaterThan(0);
      expect(result.report.steps.map((s) => s.title)).toEqual([
        "Step 1: Assess",
        "Step 2: Identify Which Operator is Slow",
        "Step 3: Drill Into Slow Operator",
        "Step 4: Fix",
        "Step 5: Verify",
      ]);
      expect(
        result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
      ).toBe(true);
    },
  );

  it("firehose-slow offers the seed's buffering within S3's 128 MiB limit", async () => {
    const scenario = latencySloBreachDrills.find((d) => d.id === "latency-slo-breach/firehose-slow")!;
    const { report } = await runDrill(scenario, config, latencySloBreachRunbook);
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "firehose-buffering",
        label: "Firehose buffering 128 MiB / 300 s -> 128 MiB / 60 s",
        params: {
          streamName: "order-firehose",
          destinationId: "destinationId-000000000001",
          versionId: expect.any(String),
          sizeMb: 128,
          intervalSeconds: 60,
        },
      },
    ]);
  });

  it("backpressure-cpu doubles the four taskmanagers", async () => {
    const scenario = latencySloBreachDrills.find((d) => d.id === "latency-slo-breach/backpressure-cpu")!;
    const { report } = await runDrill(scenario, config, latencySloBreachRunbook);
    expect(report.conclusion.suggestedActions[0]?.params).toEqual({
      namespace: "flink",
      deployment: "flink-taskmanager",
      replicas: 8,
      fromReplicas: 4,
    });
    expect(report.conclusion.confidence).toBe("high");
  });

  it("unknown says which branches stay open", async () => {
    const scenario = latencySloBreachDrills.find((d) => d.id === "latency-slo-breach/unknown")!;
    const { report } = await runDrill(scenario, config, latencySloBreachRunbook);
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toEqual(
      expect.arrayContaining([
        "which operator is slow (per-operator latency not read)",
        "enrichment API slow / cache misses (enrichment logs not read)",
      ]),
    );
  });
});
