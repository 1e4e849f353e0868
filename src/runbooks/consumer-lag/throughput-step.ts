/** Step 2 (Check Flink Job Throughput): RecordsIn against RecordsOut. */
import type { AppConfig } from "../../config/schema.ts";
import { finding, seriesEvidence } from "../../core/finding.ts";
import { formatCount, formatPercent, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { recordsInProbe, recordsOutProbe } from "./probes.ts";

export function assessThroughput(results: ProbeResults, config: AppConfig): StepAssessment {
  const inPts = read(results, recordsInProbe);
  const outPts = read(results, recordsOutProbe);
  if (inPts === undefined || outPts === undefined) {
    return unreadStep(
      results,
      [recordsInProbe, recordsOutProbe],
      "CloudWatch metrics",
      "RecordsIn / RecordsOut could not be read.",
    );
  }
  const ns = config.pipeline.metricsNamespace;
  if (inPts.length === 0 || outPts.length === 0) {
    const missing = [inPts.length === 0 ? "RecordsIn" : "", outPts.length === 0 ? "RecordsOut" : ""].filter(
      Boolean,
    );
    return {
      status: "warning",
      summary: `No datapoints for ${missing.join(" and ")} in ${ns} over the last 10 minutes.`,
      findings: [
        finding("warning", `No ${missing.join("/")} datapoints`, {
          detail: `CloudWatch has no ${missing.join(" or ")} data in namespace \`${ns}\` for the last 10 minutes: the job may not be publishing metrics.`,
        }),
      ],
    };
  }
  const totalIn = sumOf(inPts);
  const totalOut = sumOf(outPts);
  const ratio = totalIn === 0 ? 1 : totalOut / totalIn;
  const behind = totalIn > 0 && ratio < config.runbooks.throughputRatioFloor;
  const minutes = Math.max(inPts.length, 1);
  const f = finding(
    behind ? "warning" : "ok",
    behind ? "Processing is slower than input" : "Throughput keeps up with input",
    {
      detail: `RecordsIn ${formatCount(totalIn)} vs RecordsOut ${formatCount(totalOut)} over the last 10 minutes (${formatPercent(ratio)}; about ${formatCount(totalIn / minutes)}/min in, ${formatCount(totalOut / minutes)}/min out).${behind ? " RecordsOut < RecordsIn = we're too slow." : ""}`,
      evidence: [
        seriesEvidence("RecordsIn per minute", inPts),
        seriesEvidence("RecordsOut per minute", outPts),
      ],
    },
  );
  return {
    status: f.severity,
    summary: `RecordsOut is ${formatPercent(ratio)} of RecordsIn over 10 minutes${behind ? ": Flink is falling behind" : ""}.`,
    findings: [f],
  };
}
