/** The firehose-delivery-failure runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import {
  type EvidenceBlock,
  type Finding,
  finding,
  type Proposal,
  seriesEvidence,
} from "../../core/finding.ts";
import { renderStartQueryCommand } from "../../core/log-queries.ts";
import { formatCount, latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import type { DeliveryStreamInfo } from "../../ports/firehose.ts";
import {
  CAUSE_TITLE,
  diagnoseFirehose,
  type FirehoseCause,
  type FirehoseDiagnosis,
  proposedBuffering,
} from "./diagnose.ts";
import {
  deliveredRecordsProbe,
  deliverySuccessProbe,
  ERROR_LOG_QUERY,
  type ErrorLog,
  errorLogProbe,
  recordsOutProbe,
  streamProbe,
} from "./probes.ts";
import {
  classificationOf,
  errorLogTexts,
  firehoseSignals,
  incidentStart,
  lossComparison,
  s3DestinationOf,
  streamOf,
} from "./signals.ts";

export function diagnosisOf(results: ProbeResults): FirehoseDiagnosis {
  return diagnoseFirehose(firehoseSignals(results));
}

function hhmm(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

const code = (text: string): EvidenceBlock => ({ kind: "code", text });

function bucketName(bucketArn: string): string {
  return bucketArn.replace(/^arn:aws[a-z-]*:s3:::/, "");
}

function accountOf(stream: DeliveryStreamInfo | undefined): string {
  return /^arn:aws[a-z-]*:[a-z]+:[a-z0-9-]*:(\d{12}):/.exec(stream?.arn ?? "")?.[1] ?? "ACCOUNT";
}

/** The role Firehose delivers as: the destination's role, else the configured one. */
function deliveryRole(
  stream: DeliveryStreamInfo | undefined,
  config: AppConfig,
): { name: string; arn: string } {
  const roleArn = s3DestinationOf(stream)?.s3.roleArn;
  const name = roleArn?.split("/").at(-1) ?? config.pipeline.firehoseRoleName;
  return {
    name,
    arn: roleArn ?? `arn:aws:iam::${accountOf(stream)}:role/${config.pipeline.firehoseRoleName}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

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

// ---------------------------------------------------------------------------------------------
// Step 2: Identify Failure Cause

function errorLogFinding(log: ErrorLog | undefined, config: AppConfig): Finding | undefined {
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

export function iamPolicyDocument(bucketArn: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
          Resource: `${bucketArn}/*`,
        },
        {
          Effect: "Allow",
          Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
          Resource: bucketArn,
        },
      ],
    },
    null,
    2,
  );
}

function accessDeniedFinding(results: ProbeResults, config: AppConfig): Finding {
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

function kmsFinding(results: ProbeResults, config: AppConfig): Finding {
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

function quotaFinding(results: ProbeResults, proposal: Proposal | undefined): Finding {
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

function slowNetworkFinding(results: ProbeResults, proposal: Proposal | undefined): Finding {
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

// ---------------------------------------------------------------------------------------------
// Step 3: Verify Fix

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

// ---------------------------------------------------------------------------------------------
// Step 4: Post-Incident

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

export const firehoseDeliveryFailureSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [streamProbe, deliveredRecordsProbe, deliverySuccessProbe],
    assess: assessStream,
  },
  {
    id: "identify-cause",
    title: "Step 2: Identify Failure Cause",
    budgetSeconds: 120,
    probes: [errorLogProbe],
    assess: assessCause,
  },
  { id: "verify", title: "Step 3: Verify Fix", probes: [], assess: assessVerify },
  {
    id: "post-incident",
    title: "Step 4: Post-Incident",
    probes: [recordsOutProbe],
    assess: assessPostIncident,
  },
];
