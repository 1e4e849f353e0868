/** Step 1 (Assess): the delivery stream and its delivery metrics. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatCount, latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { deliveredRecordsProbe, deliverySuccessProbe } from "./probes.ts";
import { s3DestinationOf, streamOf } from "./signals.ts";

export function assessStream(results: ProbeResults, config: AppConfig): StepAssessment {
  const stream = streamOf(results);
  const name = config.pipeline.deliveryStream;
  const findings: Finding[] = [];
  const parts: string[] = [];
  let status: StepAssessment["status"] = "info";
  if (stream !== undefined) {
    const dest = s3DestinationOf(stream);
    const s3 = dest?.s3;
    const active = stream.status === "ACTIVE";
    if (!active) status = "critical";
    parts.push(`${name} is ${stream.status}`);
    findings.push(
      finding(active ? "ok" : "critical", `Stream ${name}: ${stream.status}`, {
        ...(stream.failure ? { detail: `Failure: ${stream.failure.type}: ${stream.failure.details}` } : {}),
        evidence: [
          {
            kind: "fields",
            fields: [
              { label: "StreamStatus", value: stream.status },
              { label: "LastUpdateTimestamp", value: stream.lastUpdatedAt?.toISOString() ?? "unknown" },
              { label: "VersionId", value: stream.versionId },
              { label: "Destination", value: s3 ? `${s3.bucketArn} (${dest.id})` : "no S3 destination" },
              { label: "Role", value: s3?.roleArn ?? "unknown" },
              {
                label: "Buffering",
                value: s3?.buffering
                  ? `${s3.buffering.sizeMb} MiB / ${s3.buffering.intervalSeconds} s`
                  : "unknown",
              },
              {
                label: "Encryption",
                value:
                  s3?.encryption === undefined
                    ? "unknown"
                    : s3.encryption.kind === "kms"
                      ? `SSE-KMS ${s3.encryption.keyArn}`
                      : "none (bucket default applies)",
              },
              ...(s3?.compression ? [{ label: "Compression", value: s3.compression }] : []),
            ],
          },
        ],
      }),
    );
  } else {
    parts.push(`${name} could not be described`);
  }

  const records = read(results, deliveredRecordsProbe);
  const success = read(results, deliverySuccessProbe);
  if (records !== undefined || success !== undefined) {
    const lastRecords = (records ?? []).slice(-10);
    const lastSuccess = (success ?? []).slice(-10);
    const latest = latestOf(lastSuccess)?.value;
    const failing = latest !== undefined && latest < 1;
    if (failing) status = "critical";
    const delivered = sumOf(lastRecords);
    parts.push(
      `${formatCount(delivered)} records delivered in 10 min${latest === undefined ? "" : `, success rate ${latest.toFixed(2)} in the latest minute`}`,
    );
    findings.push(
      finding(
        latest === undefined ? "warning" : failing ? "critical" : "ok",
        latest === undefined
          ? "No DeliveryToS3.Success datapoints"
          : failing
            ? `Deliveries failing: DeliveryToS3.Success ${latest.toFixed(2)}`
            : "Deliveries succeed: DeliveryToS3.Success 1",
        {
          detail: `DeliveryToS3.Records and DeliveryToS3.Success (successful puts / all puts) per minute for ${name} over the last 10 minutes.${failing ? " Records are buffered in Firehose but not in S3." : ""}`,
          evidence: [
            ...(lastRecords.length > 0
              ? [seriesEvidence("DeliveryToS3.Records per minute", lastRecords)]
              : []),
            ...(lastSuccess.length > 0
              ? [seriesEvidence("DeliveryToS3.Success per minute", lastSuccess)]
              : []),
          ],
        },
      ),
    );
  }
  return { status, summary: `${parts.join("; ")}.`, findings };
}
