/** Every firehose-delivery-failure drill makes the runbook reach the branch it is written for. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { firehoseDeliveryFailureRunbook } from "../../src/runbooks/firehose-delivery-failure/index.ts";
import { firehoseDeliveryFailureDrills } from "../../src/sandbox/drills/firehose-delivery-failure.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

describe("firehose-delivery-failure drills", () => {
  it("have unique ids of the form firehose-delivery-failure/<branch>", () => {
    const ids = firehoseDeliveryFailureDrills.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of firehoseDeliveryFailureDrills) {
      expect(d.runbook).toBe("firehose-delivery-failure");
      expect(d.id.startsWith("firehose-delivery-failure/")).toBe(true);
    }
  });

  it("cover every cause the runbook can conclude", () => {
    const causes = new Set(firehoseDeliveryFailureDrills.map((d) => d.expect.cause));
    expect([...causes].sort()).toEqual(
      [
        "delivering",
        "kms-denied",
        "quota-exceeded",
        "s3-access-denied",
        "slow-network",
        "stream-not-active",
        "unknown",
      ].sort(),
    );
  });

  it.each(firehoseDeliveryFailureDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, scenario) => {
      const result = await runDrill(scenario, config, firehoseDeliveryFailureRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBeDefined();
      expect(result.report.conclusion.evidence?.length).toBeGreaterThan(0);
      expect(result.report.steps.map((s) => s.title)).toEqual([
        "Step 1: Assess",
        "Step 2: Identify Failure Cause",
        "Step 3: Verify Fix",
        "Step 4: Post-Incident",
      ]);
      expect(
        result.report.steps.every((s) => !s.findings.some((f) => f.title.startsWith("Internal error"))),
      ).toBe(true);
    },
  );
});
