/** Every kafka-broker-down drill reaches its branch; and what changes when MSK is not configured. */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../src/config/schema.ts";
import { kafkaBrokerDownRunbook } from "../../src/runbooks/kafka-broker-down/index.ts";
import { kafkaBrokerDownDrills } from "../../src/sandbox/drills/kafka-broker-down.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";
import { ORDER_PROCESSING_CLUSTER_ARN } from "../../src/sandbox/simulated/simulated-msk.ts";

const withMsk: AppConfig = {
  ...configSchema.parse({ msk: { clusterArn: ORDER_PROCESSING_CLUSTER_ARN } }),
  secrets: {},
};
const withoutMsk: AppConfig = { ...configSchema.parse({}), secrets: {} };

function drill(id: string) {
  const scenario = kafkaBrokerDownDrills.find((d) => d.id === `kafka-broker-down/${id}`);
  if (!scenario) throw new Error(`no drill ${id}`);
  return scenario;
}

describe("kafka-broker-down drills", () => {
  it("cover every branch of the seed", () => {
    expect(kafkaBrokerDownDrills.map((d) => d.expect.cause).sort()).toEqual([
      "all-brokers-up",
      "broker-rebooting",
      "cluster-unusable",
      "one-broker-down",
    ]);
  });

  it.each(kafkaBrokerDownDrills.map((d) => [d.id, d] as const))("%s reaches its branch", async (_id, s) => {
    const result = await runDrill(s, withMsk, kafkaBrokerDownRunbook);
    expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
    expect(result.report.conclusion.confidence).toBe("high");
    expect(result.report.conclusion.summary).toMatch(/Capacity: with 3 brokers/);
    expect(result.report.steps.map((st) => st.title)).toEqual([
      "Step 1: Assess",
      "Step 2: Action",
      "Step 3: Verify Cluster Health",
      "Step 4: Post-Incident",
    ]);
    expect(result.report.steps[0]?.budgetSeconds).toBe(60);
    for (const step of result.report.steps) {
      expect(step.findings.filter((f) => f.severity === "error")).toEqual([]);
    }
  });

  it("offers to reboot the broker that is down, in the configured cluster", async () => {
    const { report } = await runDrill(drill("one-broker-down"), withMsk, kafkaBrokerDownRunbook);
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "reboot-broker",
        label: "Reboot broker 2 of OrderProcessing",
        params: { clusterArn: ORDER_PROCESSING_CLUSTER_ARN, brokerId: 2 },
      },
    ]);
    const assess = report.steps[0]!;
    expect(assess.findings.map((f) => f.title)).toContain("2 of 3 brokers answer: broker 2 down");
    expect(assess.findings.some((f) => /under-replicated partition\(s\), none offline/.test(f.title))).toBe(
      true,
    );
    const verify = report.steps[2]!;
    expect(verify.findings[0]?.title).toBe(
      "Not recovered yet: brokers answering, under-replicated partitions",
    );
  });

  it("names the failed produce when two brokers are down", async () => {
    const { report } = await runDrill(drill("cluster-unusable"), withMsk, kafkaBrokerDownRunbook);
    expect(report.conclusion.summary).toMatch(/2 brokers are down \(brokers 2, 3\)/);
    expect(report.conclusion.evidence).toContain(
      "the test record failed at produce: no acknowledgement within 5000 ms",
    );
  });

  it("shows the running reboot and offers no second one", async () => {
    const { report } = await runDrill(drill("broker-rebooting"), withMsk, kafkaBrokerDownRunbook);
    const action = report.steps[1]!.findings[0]!;
    expect(action.title).toBe("Recovery already under way: do not start a second reboot");
    expect(action.proposals).toEqual([]);
    expect(
      action.evidence.some((e) => e.kind === "code" && e.text.includes("describe-cluster-operation")),
    ).toBe(true);
  });

  it("without msk.clusterArn: says so, works from Kafka alone, keeps the reboot branch open", async () => {
    const { report } = await runDrill(drill("one-broker-down"), withoutMsk, kafkaBrokerDownRunbook, {
      worldNames: false,
    });
    expect(report.conclusion.cause).toBe("one-broker-down");
    expect(report.conclusion.suggestedActions).toEqual([]);
    expect(report.conclusion.confidence).toBe("medium");
    expect(report.conclusion.openBranches).toContain("a broker is already rebooting / MSK is recovering");
    expect(report.steps[0]!.findings.map((f) => f.title)).toContain(
      "MSK not checked: no cluster ARN configured",
    );
    const action = report.steps[1]!.findings[0]!;
    expect(action.detail).toMatch(/set `msk.clusterArn`/);
    expect(action.evidence).toContainEqual({
      kind: "code",
      text: "aws kafka reboot-broker \\\n  --cluster-arn <cluster ARN: set msk.clusterArn in the config> \\\n  --broker-ids 2",
    });
  });

  it("without msk.clusterArn a running reboot cannot be seen", async () => {
    const { report } = await runDrill(drill("broker-rebooting"), withoutMsk, kafkaBrokerDownRunbook, {
      worldNames: false,
    });
    expect(report.conclusion.cause).toBe("one-broker-down");
    expect(report.conclusion.openBranches).toContain("a broker is already rebooting / MSK is recovering");
  });
});
