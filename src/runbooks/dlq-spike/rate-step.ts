/** Step 1 (Assess): the DLQ rate and the deploys around the spike. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { metricOptionsFor, resolveMetric } from "../../core/metric-catalog.ts";
import { formatCount, latestOf, maxOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { deployedShortlyBefore, RECENT_DEPLOY_MINUTES, type RolloutHistory, totalOf } from "./diagnose.ts";
import { hhmm } from "./diagnosis.ts";
import { errorCounts } from "./error-counts.ts";
import { dlqRateProbe, RECENT_ERRORS_MINUTES, recentErrorsProbe, rolloutHistoryProbe } from "./probes.ts";
import { dlqPoints, revisionsOf, spikeStartOf } from "./signals.ts";

export function revisionRows(history: RolloutHistory): string[][] {
  return [...history.revisions]
    .sort((a, b) => b.revision - a.revision)
    .slice(0, 3)
    .map((r) => [
      `${r.revision}${r.current ? " (current)" : ""}`,
      r.images.join(", "),
      r.changeCause ?? "<none>",
      r.createdAt,
    ]);
}

export function assessRate(results: ProbeResults, config: AppConfig): StepAssessment {
  const points = dlqPoints(results);
  const threshold = config.thresholds.dlqRecordsPerMinute;
  const findings: Finding[] = [];
  let summary: string;
  let status: StepAssessment["status"] = "info";
  if (points === undefined) {
    const r = unreadStep(results, [dlqRateProbe], "DLQRecordCount", "DLQRecordCount could not be read.");
    summary = r.summary;
    status = r.status;
  } else if (points.length === 0) {
    const ns = resolveMetric("dlqRecordCount", metricOptionsFor(config)).namespace;
    summary = `No DLQRecordCount datapoints in ${ns} over the last 10 minutes.`;
    status = "warning";
    findings.push(
      finding("warning", "No DLQRecordCount datapoints", {
        detail: `CloudWatch has no DLQRecordCount data in namespace \`${ns}\`: the job may not be publishing it.`,
      }),
    );
  } else {
    const latest = latestOf(points)!;
    const lastTen = points.slice(-10);
    const start = spikeStartOf(points, threshold);
    const over = latest.value > threshold;
    status = over ? "critical" : "ok";
    const since = start
      ? over
        ? ` Above ${threshold}/min since ${hhmm(start.at)}.`
        : ` It was above ${threshold}/min from ${hhmm(start.at)}.`
      : "";
    summary = `DLQ at ${formatCount(latest.value)}/min (threshold ${threshold}/min), peak ${formatCount(maxOf(lastTen) ?? 0)}/min in 10 min.${since}`;
    findings.push(
      finding(status, `DLQ rate ${formatCount(latest.value)} records/min`, {
        detail: `DLQRecordCount per minute over the last 10 minutes against the ${threshold}/min alert.${since}${over ? " Records that cannot be processed are being set aside: data is missing downstream until they are reprocessed." : ""}`,
        evidence: [seriesEvidence("DLQRecordCount per minute", lastTen)],
      }),
    );
  }

  const recent = read(results, recentErrorsProbe);
  if (recent !== undefined) {
    const counts = errorCounts(recent.rows);
    findings.push(
      finding(
        "info",
        `Errors in the last ${RECENT_ERRORS_MINUTES} minutes: ${formatCount(totalOf(counts))}`,
        {
          evidence:
            counts.length === 0
              ? []
              : [
                  {
                    kind: "table",
                    columns: ["ERROR_TYPE", "COUNT"],
                    rows: counts.map((c) => [c.type, formatCount(c.count)]),
                  },
                ],
        },
      ),
    );
  }

  const history = read(results, rolloutHistoryProbe);
  const revisions = revisionsOf(results);
  if (history !== undefined) {
    const { namespace, taskmanagerDeployment } = config.pipeline;
    const current = revisions?.current;
    const reference = (points && spikeStartOf(points, threshold)?.at) ?? history.readAt;
    const recentDeploy =
      current !== undefined &&
      deployedShortlyBefore(
        {
          revision: current.revision,
          createdAt: new Date(current.createdAt),
          images: current.images,
          changeCause: current.changeCause,
        },
        reference,
      );
    findings.push(
      finding(
        recentDeploy ? "warning" : "info",
        current === undefined
          ? `Recent deployments: ${taskmanagerDeployment} has no revisions`
          : recentDeploy
            ? `Recent deployment: revision ${current.revision} rolled out ${hhmm(new Date(current.createdAt))}, shortly before the spike`
            : `Recent deployments: none in the ${RECENT_DEPLOY_MINUTES} minutes before the spike (revision ${current.revision} since ${current.createdAt})`,
        {
          detail: `kubectl rollout history deployment/${taskmanagerDeployment} -n ${namespace}`,
          evidence:
            history.revisions.length === 0
              ? []
              : [
                  {
                    kind: "table",
                    columns: ["REVISION", "IMAGE", "CHANGE-CAUSE", "CREATED"],
                    rows: revisionRows(history),
                  },
                ],
        },
      ),
    );
  }
  return { status, summary, findings };
}
