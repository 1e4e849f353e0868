/** Step 2 (Identify the Cause): the error log and the fix for each error class. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { renderStartQueryCommand } from "../../core/log-queries.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { CAUSE_TITLE, type FirehoseCause, type FirehoseDiagnosis, proposedBuffering } from "./diagnose.ts";
import { bucketName, code, deliveryRole, diagnosisOf } from "./diagnosis.ts";
import { ERROR_LOG_QUERY, type ErrorLog, errorLogProbe } from "./probes.ts";
import { classificationOf, errorLogTexts, s3DestinationOf, streamOf } from "./signals.ts";
import { iamPolicyDocument } from "./texts.ts";

export function errorLogFinding(log: ErrorLog | undefined, config: AppConfig): Finding | undefined {
  if (log === undefined) return undefined;
  if (log.status === "absent") {
    return finding("info", `No error log group ${log.logGroup}`, {
      detail: `Firehose error logging seems off for ${config.pipeline.deliveryStream} (${log.reason}). Turn it on (CloudWatch error logging of the S3 destination) so delivery errors name their cause.`,
    });
  }
  const texts = errorLogTexts(log);
  return finding(
    texts.length > 0 ? "warning" : "ok",
    texts.length > 0
      ? `${log.rows.length} delivery error(s) logged in 10 min`
      : "No delivery errors logged in 10 min",
    {
      evidence: [
        ...(texts.length > 0
          ? [
              {
                kind: "table" as const,
                columns: ["ERROR CODE", "COUNT", "MESSAGE"],
                rows: texts.slice(0, 5).map((t) => [t.code ?? "-", String(t.count), t.message.slice(0, 200)]),
                ...(texts.length > 5 ? { omittedRows: texts.length - 5 } : {}),
              },
            ]
          : []),
        code(
          renderStartQueryCommand({
            logGroups: [log.logGroup],
            query: ERROR_LOG_QUERY,
            start: log.start,
            end: log.end,
          }),
        ),
      ],
    },
  );
}

export function accessDeniedFinding(results: ProbeResults, config: AppConfig): Finding {
  const stream = streamOf(results);
  const bucketArn =
    s3DestinationOf(stream)?.s3.bucketArn ?? `arn:aws:s3:::${config.pipeline.deliveryStream}-bucket`;
  const role = deliveryRole(stream, config);
  const policy = config.pipeline.firehosePolicyName;
  const mismatch =
    role.name !== config.pipeline.firehoseRoleName
      ? ` The stream delivers as \`${role.name}\`, not the configured \`${config.pipeline.firehoseRoleName}\`: the commands use the stream's role.`
      : "";
  return finding(
    "critical",
    `A. S3 access denied: grant ${role.name} write access to ${bucketName(bucketArn)}`,
    {
      detail: `Human step (IAM): check the role's policy, then add the statement. put-role-policy replaces the whole inline policy: merge with what get-role-policy shows. Firehose retries on its own and should resume 1-2 min after the grant.${mismatch}`,
      evidence: [
        code(`aws iam get-role-policy \\\n  --role-name ${role.name} \\\n  --policy-name ${policy}`),
        code(
          `aws iam put-role-policy \\\n  --role-name ${role.name} \\\n  --policy-name ${policy} \\\n  --policy-document '${iamPolicyDocument(bucketArn)}'`,
        ),
      ],
    },
  );
}

export function kmsFinding(results: ProbeResults, config: AppConfig): Finding {
  const stream = streamOf(results);
  const s3 = s3DestinationOf(stream)?.s3;
  const classification = classificationOf(results);
  const keyArn =
    classification?.keyArnInText ??
    (s3?.encryption?.kind === "kms" ? s3.encryption.keyArn : undefined) ??
    stream?.serverSideEncryption?.keyArn;
  const role = deliveryRole(stream, config);
  const bucket = s3 ? bucketName(s3.bucketArn) : "<bucket>";
  return finding("critical", `B. KMS key denied: grant ${role.name} the key`, {
    detail: `Human step (KMS): ${keyArn ? "the key is" : "find the key with get-bucket-encryption; it is"} ${keyArn ?? "not named by the stream"}. Delivery resumes on its own after the grant.`,
    evidence: [
      code(`aws s3api get-bucket-encryption --bucket ${bucket}`),
      code(
        `aws kms create-grant \\\n  --key-id ${keyArn ?? "<KMS key ARN from get-bucket-encryption>"} \\\n  --grantee-principal ${role.arn} \\\n  --operations Decrypt Encrypt GenerateDataKey`,
      ),
    ],
  });
}

export function bufferingProposal(results: ProbeResults, cause: FirehoseCause): Proposal | undefined {
  const stream = streamOf(results);
  const dest = s3DestinationOf(stream);
  const current = dest?.s3.buffering;
  if (stream === undefined || dest === undefined || current === undefined) return undefined;
  const next = proposedBuffering(cause, current, dest.s3.dynamicPartitioning);
  if (next === undefined) return undefined;
  return {
    action: "firehose-buffering",
    label: `Set ${stream.name} buffering ${current.sizeMb} MiB / ${current.intervalSeconds} s -> ${next.sizeMb} MiB / ${next.intervalSeconds} s`,
    params: {
      streamName: stream.name,
      destinationId: dest.id,
      versionId: stream.versionId,
      sizeMb: next.sizeMb,
      intervalSeconds: next.intervalSeconds,
    },
  };
}

export function quotaFinding(results: ProbeResults, proposal: Proposal | undefined): Finding {
  const s3 = s3DestinationOf(streamOf(results))?.s3;
  const bucket = s3 ? bucketName(s3.bucketArn) : "<bucket>";
  return finding("critical", "C. S3 quota exceeded: S3 throttles Firehose's PUTs", {
    detail: `Meanwhile, ${proposal ? "bigger, slower batches mean fewer PUTs (the buffer size cannot exceed 128 MiB)" : "the buffering is already at its limits (128 MiB)"}. A quota increase takes 24-48 hours; S3 also limits PUTs per prefix (about 3,500/s), so spreading keys across prefixes helps.`,
    evidence: [
      code(`aws s3 ls s3://${bucket}/ --summarize | tail -5`),
      code(
        "aws service-quotas get-service-quota \\\n  --service-code s3 \\\n  --quota-code L-DC2B2D7E  # PutObject rate (confirm with list-service-quotas)",
      ),
    ],
    ...(proposal ? { proposals: [proposal] } : {}),
  });
}

export function slowNetworkFinding(results: ProbeResults, proposal: Proposal | undefined): Finding {
  const s3 = s3DestinationOf(streamOf(results))?.s3;
  const bucket = s3 ? bucketName(s3.bucketArn) : "<bucket>";
  return finding("warning", "D. S3 network latency: deliveries succeed slowly", {
    detail: `Test the upload latency (over 10 s for 100 MB = slow). Options: smaller batches delivered more often${proposal ? " (proposed below)" : ""}, S3 Transfer Acceleration, or AWS support for a network issue.`,
    evidence: [
      code(
        `time dd if=/dev/zero bs=1M count=100 | \\\n  aws s3 cp - s3://${bucket}/latency-test --sse AES256`,
      ),
    ],
    ...(proposal ? { proposals: [proposal] } : {}),
  });
}

export function fixFindings(results: ProbeResults, config: AppConfig, d: FirehoseDiagnosis): Finding[] {
  const stream = streamOf(results);
  switch (d.cause) {
    case "s3-access-denied":
      return [accessDeniedFinding(results, config)];
    case "kms-denied":
      return [kmsFinding(results, config)];
    case "quota-exceeded":
      return [quotaFinding(results, bufferingProposal(results, d.cause))];
    case "slow-network":
      return [slowNetworkFinding(results, bufferingProposal(results, d.cause))];
    case "stream-not-active":
      return [
        finding("critical", `The stream is ${stream?.status ?? "not ACTIVE"}`, {
          detail: `${stream?.failure ? `${stream.failure.type}: ${stream.failure.details}. ` : ""}A stream that is not ACTIVE accepts or delivers nothing: check its state in the console and recreate or restore it; the records Flink sends meanwhile are refused.`,
          evidence: [
            code(
              `aws firehose describe-delivery-stream --delivery-stream-name ${config.pipeline.deliveryStream}`,
            ),
          ],
        }),
      ];
    case "delivering":
      return [
        finding("ok", "No fix needed now", {
          detail: "Deliveries succeed: watch the success rate; the alert should clear.",
        }),
      ];
    case "unknown":
      return [
        finding("info", "Work the branches by hand", {
          detail: `${d.because}. Check the role's S3 permissions, the bucket's KMS key and S3 throttling:`,
          evidence: [
            code(
              `aws iam get-role-policy --role-name ${deliveryRole(stream, config).name} --policy-name ${config.pipeline.firehosePolicyName}\naws s3api get-bucket-encryption --bucket ${s3DestinationOf(stream) ? bucketName(s3DestinationOf(stream)!.s3.bucketArn) : "<bucket>"}`,
            ),
          ],
        }),
      ];
  }
}

export function assessCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results);
  const findings: Finding[] = [];
  const log = errorLogFinding(read(results, errorLogProbe), config);
  if (log) findings.push(log);
  findings.push(...fixFindings(results, config, d));
  if (d.openBranches.length > 0) {
    findings.push(
      finding("info", "Still possible", { detail: d.openBranches.map((b) => `• ${b}`).join("\n") }),
    );
  }
  const proposals = findings.flatMap((f) => f.proposals);
  return {
    status: d.cause === "delivering" ? "ok" : d.cause === "unknown" ? "warning" : "critical",
    summary: `Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}. Confidence ${d.confidence}.${proposals.length > 0 ? ` Proposed: ${proposals.map((p) => p.label).join(", ")}.` : ""}`,
    findings,
  };
}
