/** Every window-completeness drill reaches its branch, and the thread says what it found. */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../src/config/schema.ts";
import { windowCompletenessRunbook } from "../../src/runbooks/window-completeness/index.ts";
import { runDrill } from "../../src/sandbox/drills/run-drill.ts";
import { windowCompletenessDrills } from "../../src/sandbox/drills/window-completeness.ts";

const config: AppConfig = { ...configSchema.parse({}), secrets: {} };

function drill(id: string) {
  const scenario = windowCompletenessDrills.find((d) => d.id === `window-completeness/${id}`);
  if (!scenario) throw new Error(`no drill ${id}`);
  return scenario;
}

async function report(id: string) {
  return (await runDrill(drill(id), config, windowCompletenessRunbook)).report;
}

describe("window-completeness drills", () => {
  it("cover the seed's four branches, the idle source and the recovered case", () => {
    expect(windowCompletenessDrills.map((d) => d.expect.cause).sort()).toEqual([
      "late-arrivals",
      "recovered",
      "source-idle",
      "state-backend-loss",
      "watermark-stuck",
      "window-not-fired",
    ]);
  });

  it.each(windowCompletenessDrills.map((d) => [d.id, d] as const))(
    "%s reaches its branch",
    async (_id, s) => {
      const result = await runDrill(s, config, windowCompletenessRunbook);
      expect(result.mismatches, result.report.conclusion.summary).toEqual([]);
      expect(result.report.conclusion.confidence).toBe("high");
      expect(result.report.steps.map((st) => [st.title, st.budgetSeconds])).toEqual([
        ["Step 1: Assess", 60],
        ["Step 2: Determine Type of Loss", 120],
        ["Step 3: Root Cause", undefined],
        ["Step 4: Fix Based on Root Cause", undefined],
        ["Step 5: Verify", undefined],
      ]);
      for (const step of result.report.steps) {
        expect(step.findings.filter((f) => f.severity === "error")).toEqual([]);
      }
    },
  );

  it("late arrivals: names the window, the numbers and the gap, and the code change", async () => {
    const r = await report("late-arrivals");
    expect(r.steps[0]!.summary).toBe(
      "Worst window window-2026-01-13-10-10 at 87%; latest 99.4% (threshold 95%).",
    );
    expect(r.steps[1]!.summary).toBe(
      "window-2026-01-13-10-10: in 300,000, out 270,000, late 27,000; gap 3,000 records unaccounted, late 9% of the window.",
    );
    const fix = r.steps[3]!.findings[0]!;
    expect(fix.evidence).toContainEqual(
      expect.objectContaining({ text: expect.stringContaining(".allowedLateness(Time.minutes(10))") }),
    );
  });

  it("watermark stuck: Flink corroborates, missing windows are explained by the watermark, restart offered", async () => {
    const r = await report("watermark-stuck");
    const titles = r.steps[2]!.findings.map((f) => f.title);
    expect(titles).toContain(
      "B. Watermark: watermark 480 s behind; Flink's lowest vertex watermark 479 s behind; newest record on orders.raw 0 s old",
    );
    expect(titles).toContain("D. 1 window(s) never emitted: window-2026-01-13-10-20");
    expect(r.conclusion.suggestedActions).toEqual([
      {
        action: "restart-taskmanagers",
        label: "Restart Flink taskmanagers (watermark resets)",
        params: { namespace: "flink", deployment: "flink-taskmanager" },
      },
    ]);
    expect(r.steps[4]!.summary).toBe(
      "Completeness 38% still under 95%; windows missing from some 5-minute bins.",
    );
  });

  it("state loss: says which checkpoint the restart restores from", async () => {
    const r = await report("state-backend-loss");
    expect(r.conclusion.evidence?.at(-1)).toMatch(
      /^latest completed checkpoint chk-\d+ at 2026-01-13T10:2\d:00.000Z$/,
    );
    expect(r.steps[3]!.findings[0]!.detail).toMatch(
      /s3:\/\/checkpoint-bucket\/state\/order-processing\/.+\/chk-\d+/,
    );
    // Reprocessing starts at the first window under 95% (10:15; 10:20 is the worst one).
    const reprocess = {
      action: "reset-consumer-offsets",
      label: "Reprocess orders.raw from 10:15 UTC",
      params: { group: "order-processor", topic: "orders.raw", fromTime: "2026-01-13T10:15:00.000Z" },
    };
    expect(r.conclusion.suggestedActions.map((a) => a.action)).toEqual([
      "restart-taskmanagers",
      "reset-consumer-offsets",
    ]);
    expect(r.conclusion.suggestedActions[1]).toEqual(reprocess);
    expect(r.steps[3]!.findings[0]!.proposals[1]).toEqual(reprocess);
    expect(r.steps[3]!.findings[0]!.detail).toContain(
      "to recompute the short windows, reprocess orders.raw from 10:15 UTC, the first window under the threshold",
    );
  });

  it("window not fired: the trigger code change, no restart", async () => {
    const r = await report("window-not-fired");
    expect(r.conclusion.summary).toMatch(
      /window-2026-01-13-10-10 never emitted while the watermark advances/,
    );
    expect(r.steps[1]!.summary).toBe(
      "No log line for window-2026-01-13-10-10: it may never have fired (see D).",
    );
    expect(r.steps[3]!.findings[0]!.evidence).toContainEqual(
      expect.objectContaining({ text: expect.stringContaining("EventTimeTrigger.create()") }),
    );
  });

  it("recovered: verify passes", async () => {
    const r = await report("recovered");
    expect(r.steps[4]!.status).toBe("ok");
    expect(r.steps[4]!.summary).toMatch(/^Completeness 99\.\d% and windows emitting every 5 minutes\.$/);
  });
});
