/** Step 1 (Assess): WindowCompleteness against the threshold. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { hhmm, pct } from "./diagnosis.ts";
import { completenessProbe } from "./probes.ts";

export function assessCompleteness(results: ProbeResults, config: AppConfig): StepAssessment {
  const view = read(results, completenessProbe);
  const threshold = config.thresholds.windowCompletenessPercent;
  if (view === undefined) {
    return unreadStep(
      results,
      [completenessProbe],
      "CloudWatch metrics",
      "WindowCompleteness could not be read.",
    );
  }
  const ns = config.pipeline.metricsNamespace;
  if (view.series.length === 0 || view.worst === undefined) {
    return {
      status: "warning",
      summary: `No WindowCompleteness datapoints in ${ns} over the last 30 minutes.`,
      findings: [
        finding("warning", "No WindowCompleteness datapoints", {
          detail: `CloudWatch has no WindowCompleteness data in namespace \`${ns}\` for the last 30 minutes: no window reported (the job may not be emitting windows at all, see D).`,
        }),
      ],
    };
  }
  const worst = view.worst;
  const below = view.series.filter((p) => p.value < threshold);
  const latest = latestOf(view.series)!;
  const findings: Finding[] = [
    finding(
      below.length === 0 ? "ok" : "warning",
      below.length === 0
        ? `Completeness ${pct(latest.value)}: every window over ${pct(threshold)}`
        : `${below.length} of ${view.series.length} windows under ${pct(threshold)}, lowest ${pct(worst.value)} at ${hhmm(worst.at)}`,
      {
        detail: `WindowCompleteness (Average, 5-minute periods) over the last 30 minutes. Latest ${pct(latest.value)}.${
          below.length > 0 ? ` Up to ${pct(100 - worst.value)} of records missing from aggregations.` : ""
        }`,
        evidence: [
          {
            kind: "table",
            columns: ["TIME", "COMPLETENESS", ""],
            rows: view.series.map((p) => [
              hhmm(p.at),
              pct(p.value),
              p === worst && p.value < threshold ? "<- DROP" : p.value < threshold ? "<- low" : "",
            ]),
          },
        ],
      },
    ),
  ];
  if (view.perWindow !== undefined && view.perWindow.length > 0) {
    findings.push(
      finding(
        "info",
        `${worst.windowId}: ${pct(Math.min(...view.perWindow.map((p) => p.value)))} at its lowest`,
        {
          detail: "The window's own series (window_id dimension, 1-minute periods, last hour).",
          evidence: [seriesEvidence(`WindowCompleteness window_id=${worst.windowId}`, view.perWindow, "%")],
        },
      ),
    );
  } else {
    findings.push(
      finding("info", `No per-window series for ${worst.windowId}`, {
        detail: view.perWindowError
          ? `The window_id series could not be read: ${view.perWindowError}. Step 2 reads the window from the logs.`
          : "The job does not publish WindowCompleteness with a window_id dimension for it; Step 2 reads the window from the logs.",
      }),
    );
  }
  return {
    status: below.length === 0 ? "ok" : "warning",
    summary:
      below.length === 0
        ? `Every window of the last 30 minutes is over ${pct(threshold)} (latest ${pct(latest.value)}).`
        : `Worst window ${worst.windowId} at ${pct(worst.value)}; latest ${pct(latest.value)} (threshold ${pct(threshold)}).`,
    findings,
  };
}
