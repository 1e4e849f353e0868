/** Step 5 (Verify): the windows since the fix. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { formatCount, latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { hhmm, pct, queryBlock } from "./diagnosis.ts";
import { completenessProbe, windowsSinceProbe } from "./probes.ts";
import { numberField, WINDOW_MS } from "./windows.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const view = read(results, completenessProbe);
  const run = read(results, windowsSinceProbe);
  const threshold = config.thresholds.windowCompletenessPercent;
  const latest = view === undefined ? undefined : latestOf(view.series);
  const findings: Finding[] = [];
  const completenessOk = latest === undefined ? undefined : latest.value >= threshold;
  let emittingOk: boolean | undefined;
  if (run !== undefined) {
    const bins = new Map(
      run.result.rows.map((r) => [
        (r["bin(5m)"] ?? "").slice(0, 16).replace(" ", "T"),
        numberField(r, "windows") ?? 0,
      ]),
    );
    const expected: Date[] = [];
    for (
      let t = Math.ceil(run.start.getTime() / WINDOW_MS) * WINDOW_MS;
      t + WINDOW_MS <= run.end.getTime();
      t += WINDOW_MS
    ) {
      expected.push(new Date(t));
    }
    const empty = expected.filter((at) => (bins.get(at.toISOString().slice(0, 16)) ?? 0) < 1);
    emittingOk = run.result.outcome === "complete" ? empty.length === 0 : undefined;
    findings.push(
      finding(
        emittingOk === false ? "warning" : emittingOk ? "ok" : "info",
        emittingOk === false
          ? `No window emitted in ${empty.length} of ${expected.length} 5-minute bins (${empty.map(hhmm).join(", ")})`
          : emittingOk
            ? `Windows emitting every 5 minutes (${expected.length} of ${expected.length} bins)`
            : "Window emits: the query stopped early",
        {
          evidence: [
            {
              kind: "table",
              columns: ["BIN", "WINDOWS"],
              rows: expected.map((at) => [
                hhmm(at),
                formatCount(bins.get(at.toISOString().slice(0, 16)) ?? 0),
              ]),
            },
            queryBlock(run, config),
          ],
        },
      ),
    );
  }
  if (latest !== undefined) {
    findings.unshift(
      finding(
        completenessOk ? "ok" : "warning",
        `Latest completeness ${pct(latest.value)} (target over ${pct(threshold)})`,
        {
          detail: completenessOk
            ? "Back over the threshold."
            : "Not recovered yet: after the fix, watch it return over the threshold within a window or two:",
          evidence: completenessOk
            ? []
            : [
                {
                  kind: "code",
                  text: `watch -n 300 'aws cloudwatch get-metric-statistics --namespace ${config.pipeline.metricsNamespace} --metric-name WindowCompleteness --start-time $(date -u -d "30 min ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 300 --statistics Average | tail -5'`,
                },
              ],
        },
      ),
    );
  }
  const healthy = completenessOk === true && emittingOk === true;
  const known = completenessOk !== undefined && emittingOk !== undefined;
  return {
    status: healthy ? "ok" : known ? "warning" : "info",
    summary: healthy
      ? `Completeness ${pct(latest!.value)} and windows emitting every 5 minutes.`
      : [
          completenessOk === false ? `completeness ${pct(latest!.value)} still under ${pct(threshold)}` : "",
          emittingOk === false ? "windows missing from some 5-minute bins" : "",
          !known ? "could not verify everything" : "",
        ]
          .filter(Boolean)
          .join("; ")
          .replace(/^./, (c) => c.toUpperCase())
          .concat("."),
    findings,
  };
}
