/** Step 3 (Verify) and Step 4 (Post-Incident). */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { formatCount, latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { code, hhmm } from "./diagnosis.ts";
import { deliverySuccessProbe } from "./probes.ts";
import { incidentStart, lossComparison, s3DestinationOf, streamOf } from "./signals.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const success = read(results, deliverySuccessProbe);
  const latest = success === undefined ? undefined : latestOf(success)?.value;
  const stream = streamOf(results);
  const done = latest === 1 && (stream === undefined || stream.status === "ACTIVE");
  const name = config.pipeline.deliveryStream;
  return {
    status: "info",
    summary: `Expect DeliveryToS3.Success back to 1 and the stream ACTIVE; now ${latest === undefined ? "unknown" : latest.toFixed(2)}${stream ? `, ${stream.status}` : ""}.`,
    findings: [
      finding(
        done ? "ok" : "info",
        "Expect deliveries to resume: DeliveryToS3.Success back to 1, status ACTIVE",
        {
          detail: `${done ? "Already there." : "Re-run `/runbook firehose` after the fix to confirm."} Records should be delivered again within 1-2 minutes of the fix.`,
          evidence: [
            code(
              `aws cloudwatch get-metric-statistics \\\n  --namespace AWS/Firehose \\\n  --metric-name DeliveryToS3.Success \\\n  --dimensions Name=DeliveryStreamName,Value=${name} \\\n  --start-time $(date -u -d '5 minutes ago' +%Y-%m-%dT%H:%M:%S) \\\n  --end-time $(date -u +%Y-%m-%dT%H:%M:%S) \\\n  --period 60 \\\n  --statistics Average`,
            ),
          ],
        },
      ),
    ],
  };
}

export function assessPostIncident(results: ProbeResults, config: AppConfig): StepAssessment {
  const loss = lossComparison(results);
  const start = incidentStart(results);
  const interval = s3DestinationOf(streamOf(results))?.s3.buffering?.intervalSeconds;
  if (loss === undefined) {
    return {
      status: "info",
      summary:
        start === undefined
          ? "No failing minute in the last hour: nothing to count."
          : "Flink RecordsOut or DeliveryToS3.Records could not be read: count by hand.",
      findings: [
        finding("info", "Check for data loss", {
          detail: `Compare Flink's RecordsOut (namespace ${config.pipeline.metricsNamespace}) with DeliveryToS3.Records for the incident window; they should match.`,
        }),
      ],
    };
  }
  const c = loss.comparison;
  const missing = Math.max(0, c.deficit);
  return {
    status: missing > 0 ? "warning" : "ok",
    summary: `Since ${hhmm(loss.start)}: Flink wrote ${formatCount(c.totalA)} records, Firehose delivered ${formatCount(c.totalB)} (${formatCount(missing)} not delivered).`,
    findings: [
      finding(
        missing > 0 ? "warning" : "ok",
        `${formatCount(missing)} records possibly lost since ${hhmm(loss.start)}`,
        {
          detail: `Flink RecordsOut ${formatCount(c.totalA)} vs DeliveryToS3.Records ${formatCount(c.totalB)} over the incident window. Firehose retries S3 delivery for up to 24 h, so undelivered records are at risk rather than lost yet${interval === undefined ? "" : `; up to ${interval} s of records are normally still in the buffer`}. Count the objects in S3 for the window to confirm. To prevent a repeat: alert earlier, add a backup delivery path for critical data.`,
          evidence: [
            {
              kind: "table",
              columns: ["MINUTE", "FLINK RECORDSOUT", "DELIVERED TO S3", "SHORT"],
              rows: c.buckets
                .slice(-15)
                .map((b) => [
                  hhmm(b.at),
                  b.a === undefined ? "-" : formatCount(b.a),
                  b.b === undefined ? "-" : formatCount(b.b),
                  formatCount(Math.max(0, b.deficit)),
                ]),
              ...(c.buckets.length > 15 ? { omittedRows: c.buckets.length - 15 } : {}),
            },
          ],
        },
      ),
    ],
  };
}
