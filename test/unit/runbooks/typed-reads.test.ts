/**
 * Probe results are read through the probe definition, so the compiler checks the read:
 * the `@ts-expect-error` lines below are type errors today; `tsc --noEmit -p tsconfig.json` fails
 * ("Unused '@ts-expect-error' directive") if any of them stops being one (e.g. if reads went back
 * to string ids, or a factory-made probe lost its type).
 */
import { describe, expect, it } from "vitest";
import { type ProbeResults, read, resultOf } from "../../../src/core/runbook.ts";
import type { MetricPoint } from "../../../src/ports/metrics.ts";
import { type LagSamples, lagProbe, recordsInProbe } from "../../../src/runbooks/consumer-lag/probes.ts";
import type { FlinkWatermarks } from "../../../src/runbooks/flink-watermarks.ts";
import { flinkWatermarksProbe } from "../../../src/runbooks/flink-watermarks.ts";
import { scaleProbe } from "../../../src/runbooks/taskmanager-probes.ts";

const samples: LagSamples = {
  first: { group: "g", state: "Stable", members: 0, totalLag: 5, partitions: [] },
  intervalSeconds: 0,
} as unknown as LagSamples;

const results: ProbeResults = {
  lag: { status: "ok", value: samples, durationMs: 1 },
  "records-in": { status: "failed", error: "boom", durationMs: 2 },
  "taskmanager-scale": { status: "unconfigured", port: "kubernetes", durationMs: 0 },
};

// Never called: these lines exist for the compiler (tsc checks test files too).
function compileTimeChecks(r: ProbeResults): void {
  const lag: LagSamples | undefined = read(r, lagProbe);
  // A factory-made probe (catalogue metric) carries its type.
  const points: MetricPoint[] | undefined = read(r, recordsInProbe);
  // A shared probe (src/runbooks/flink-watermarks.ts) carries its type.
  const watermarks: FlinkWatermarks | undefined = read(r, flinkWatermarksProbe);
  void [lag, points, watermarks];

  // @ts-expect-error a misspelt probe is not a name: a compile error, not a silent "not configured"
  read(r, lagProb);
  // @ts-expect-error a string id is not a probe
  read(r, "lag");
  // @ts-expect-error the lag probe's value is LagSamples, not metric points
  const wrong: MetricPoint[] | undefined = read(r, lagProbe);
  // @ts-expect-error the raw result of a metric probe holds metric points, not a deployment scale
  const wrongScale: { replicas: number } | undefined = resultOf(r, recordsInProbe)?.value;
  void [wrong, wrongScale];
}
void compileTimeChecks;

describe("typed probe reads", () => {
  it("read gives the value of a probe that succeeded, keyed by the probe's id", () => {
    expect(read(results, lagProbe)).toBe(samples);
  });

  it("read gives undefined for a probe that failed, was not configured, or did not run", () => {
    expect(read(results, recordsInProbe)).toBeUndefined();
    expect(read(results, scaleProbe)).toBeUndefined();
    expect(read(results, flinkWatermarksProbe)).toBeUndefined();
  });

  it("resultOf gives the raw result with its status", () => {
    expect(resultOf(results, recordsInProbe)).toEqual({ status: "failed", error: "boom", durationMs: 2 });
    expect(resultOf(results, scaleProbe)?.status).toBe("unconfigured");
    expect(resultOf(results, flinkWatermarksProbe)).toBeUndefined();
  });
});
