/** The checkpoint-failure runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, type Proposal } from "../../core/finding.ts";
import {
  bytesToQuantity,
  formatBytes,
  formatDuration,
  formatUtc,
  formatUtcClock,
} from "../../core/format-units.ts";
import { formatPercent } from "../../core/metric-math.ts";
import { type ProbeResults, probeValue, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import type { CheckpointConfig, CheckpointRecord, JobException } from "../../ports/flink.ts";
import type {
  PodInfo,
  PodLog,
  TaskmanagerWorkload,
  VolumeClaimInfo,
  VolumeUsage,
} from "../../ports/kubernetes.ts";
import {
  type CheckpointFailureCause,
  type CheckpointFailureDiagnosis,
  diagnoseCheckpointFailure,
  isJobDown,
  KIND_TITLE,
} from "./diagnose.ts";
import {
  type CheckpointsRead,
  checkpointConfigProbe,
  checkpointsProbe,
  exceptionsProbe,
  type JobState,
  jobmanagerLogsProbe,
  jobmanagerPodsProbe,
  jobProbe,
  taskmanagerLogsProbe,
  taskmanagerPodsProbe,
  volumeClaimProbe,
  volumeUsageProbe,
  workloadProbe,
} from "./probes.ts";
import {
  accessDetails,
  allPods,
  checkpointFailureSignals,
  DISK_FULL_FRACTION,
  failedInWindow,
  failureTexts,
  podTrouble,
  stateVolumes,
  usedFraction,
} from "./signals.ts";

export const CAUSE_TITLE: Record<CheckpointFailureCause, string> = {
  ...KIND_TITLE,
  "job-down": "the job or its pods are down",
  recovered: "checkpoints complete again",
  unknown: "not determined",
};

export function diagnosisOf(results: ProbeResults, config: AppConfig): CheckpointFailureDiagnosis {
  return diagnoseCheckpointFailure(checkpointFailureSignals(results, config.pipeline.statePvc));
}

const MAX_LOG_LINES = 12;

function logBlock(logs: readonly PodLog[]): EvidenceBlock | undefined {
  const lines = logs.flatMap((l) => l.lines.map((line) => `${l.pod}: ${line}`));
  if (lines.length === 0) return undefined;
  return { kind: "log", lines: lines.slice(-MAX_LOG_LINES) };
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

function jobFinding(job: JobState): Finding {
  if (job.job === null) {
    return finding("critical", "Flink lists no job", {
      detail: `${job.noRunningJob ?? "No RUNNING job matched."} The job is not running: checkpoints cannot happen until it is restarted.`,
      evidence:
        job.otherJobs.length === 0
          ? []
          : [
              {
                kind: "table",
                columns: ["JOB", "ID", "STATE", "STARTED"],
                rows: job.otherJobs.map((j) => [
                  j.name,
                  j.id,
                  j.state,
                  j.startTime ? formatUtc(j.startTime) : "-",
                ]),
              },
            ],
    });
  }
  const j = job.job;
  const running = j.state === "RUNNING";
  const notRunningVertices = job.details?.vertices.filter((v) => v.status !== "RUNNING") ?? [];
  return finding(
    running && notRunningVertices.length === 0 ? "ok" : "critical",
    `Job ${j.name} is ${j.state}${running ? ` (up ${formatDuration(j.durationMs)})` : ""}`,
    {
      detail: running
        ? notRunningVertices.length > 0
          ? `${notRunningVertices.length} vertex/vertices not RUNNING: the job is still alive but not all tasks run.`
          : "The job is still running: it keeps processing, but state written since the last completed checkpoint is lost on a restart."
        : `The job is not running (${j.state}): ${job.noRunningJob ?? "Flink reports it so"}. It restarts from the last completed checkpoint.`,
      evidence: [
        {
          kind: "fields",
          fields: [
            { label: "Job id", value: j.id },
            { label: "State", value: j.state },
            { label: "Started", value: j.startTime ? formatUtc(j.startTime) : "-" },
            ...(job.details
              ? [
                  {
                    label: "Vertices",
                    value: job.details.vertices.map((v) => `${v.name}: ${v.status}`).join("; "),
                  },
                ]
              : job.detailsError
                ? [{ label: "Vertices", value: `could not be read: ${job.detailsError}` }]
                : []),
          ],
        },
      ],
    },
  );
}

function podsFinding(pods: readonly PodInfo[], config: AppConfig, jmRead: boolean, jmCount: number): Finding {
  const broken = pods.filter((p) => podTrouble(p) !== undefined);
  const restarted = pods.filter((p) => p.restarts > 0);
  const severity = broken.length > 0 ? "critical" : restarted.length > 0 ? "warning" : "ok";
  const title =
    broken.length > 0
      ? `${broken.length} of ${pods.length} Flink pod(s) not running: ${[...new Set(broken.map((p) => podTrouble(p)))].join(", ")}`
      : `${pods.length} Flink pod(s) Running${restarted.length > 0 ? `, ${restarted.length} restarted` : ", no restarts"}`;
  const notes: string[] = [];
  if (broken.length > 0) notes.push("CrashLoopBackOff = the job crashed and keeps crashing.");
  if (jmRead && jmCount === 0) {
    notes.push(
      `No pod matches the jobmanager selector \`${config.pipeline.jobmanagerSelector}\` (set pipeline.jobmanagerSelector if it is labelled otherwise).`,
    );
  }
  return finding(severity, title, {
    ...(notes.length > 0 ? { detail: notes.join(" ") } : {}),
    evidence:
      pods.length === 0
        ? []
        : [
            {
              kind: "table",
              columns: ["POD", "PHASE", "READY", "RESTARTS", "PROBLEM"],
              rows: pods.map((p) => [
                p.name,
                p.phase,
                p.ready ? "yes" : "no",
                String(p.restarts),
                podTrouble(p) ?? p.problem ?? "-",
              ]),
            },
          ],
  });
}

export function assessJob(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const job = probeValue<JobState>(results, "job");
  if (job) findings.push(jobFinding(job));
  const pods = allPods(results);
  const jm = probeValue<PodInfo[]>(results, "jobmanager-pods");
  if (pods) findings.push(podsFinding(pods, config, jm !== undefined, jm?.length ?? 0));
  const logs = probeValue<PodLog[]>(results, "taskmanager-checkpoint-logs");
  if (logs) {
    const matched = logs.reduce((a, l) => a + l.matched, 0);
    const block = logBlock(logs);
    findings.push(
      finding("info", `Taskmanager log: ${matched} line(s) mention checkpoints`, {
        detail: `\`kubectl logs -n ${config.pipeline.namespace} -l ${config.pipeline.taskmanagerSelector} --tail=500 | grep -i checkpoint\`, the last lines:`,
        evidence: block ? [block] : [],
      }),
    );
  }
  const signals = checkpointFailureSignals(results, config.pipeline.statePvc);
  const down = isJobDown(signals);
  const stateText =
    job === undefined
      ? "job state unknown"
      : job.job === null
        ? "Flink lists no job"
        : `job ${job.job.name} ${job.job.state}`;
  const podText =
    pods === undefined
      ? "pods not read"
      : `${pods.length - (signals.brokenPods?.length ?? 0)} of ${pods.length} Flink pod(s) running`;
  return {
    status: down ? "critical" : job === undefined && pods === undefined ? "error" : "ok",
    summary: `${stateText}; ${podText}${down ? ": the job is down or crash-looping" : ": still running, checkpoints are the problem"}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Identify Failure Type

function historyTable(history: readonly CheckpointRecord[]): EvidenceBlock {
  return {
    kind: "table",
    columns: ["ID", "STATUS", "TRIGGERED", "DURATION", "SIZE", "FAILURE"],
    rows: history.map((c) => [
      String(c.id),
      c.status,
      formatUtcClock(c.triggerTime),
      c.status === "IN_PROGRESS" ? "running" : formatDuration(c.endToEndDurationMs),
      c.status === "COMPLETED" ? formatBytes(c.checkpointedSizeBytes) : "-",
      c.failureMessage ? clip(c.failureMessage, 90) : "-",
    ]),
  };
}

export function assessFailureType(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const diagnosis = diagnosisOf(results, config);
  if (read) {
    const { stats, readAt } = read;
    const recent = failedInWindow(stats.history, readAt);
    const failed = stats.latest.failed;
    findings.push(
      finding(
        recent.length > 0 ? "critical" : "ok",
        `${recent.length} checkpoint(s) failed in the last 5 minutes`,
        {
          detail: `Flink counts ${stats.counts.completed} completed and ${stats.counts.failed} failed checkpoint(s) since the job started (${stats.counts.inProgress} in progress).`,
          evidence: [
            ...(failed
              ? [
                  {
                    kind: "fields" as const,
                    fields: [
                      {
                        label: "Latest failed",
                        value: `checkpoint ${failed.id}, triggered ${formatUtc(failed.triggerTime)}`,
                      },
                      ...(failed.failureTime
                        ? [{ label: "Failed at", value: formatUtc(failed.failureTime) }]
                        : []),
                      {
                        label: "Failure message",
                        value: failed.failureMessage ? clip(failed.failureMessage, 600) : "(none)",
                      },
                    ],
                  },
                ]
              : []),
            ...(stats.history.length > 0 ? [historyTable(stats.history)] : []),
          ],
        },
      ),
    );
  }
  const exceptions = probeValue<JobException[]>(results, "job-exceptions");
  const newest = exceptions?.[0];
  if (newest) {
    findings.push(
      finding("info", `Newest job exception: ${clip(newest.message, 150)}`, {
        evidence: [{ kind: "log", lines: newest.stacktrace.split(/\r?\n/).slice(0, 8) }],
      }),
    );
  }
  const jmLogs = probeValue<PodLog[]>(results, "jobmanager-checkpoint-logs");
  const jmBlock = jmLogs ? logBlock(jmLogs) : undefined;
  if (jmLogs) {
    findings.push(
      finding(
        "info",
        `Jobmanager log: ${jmLogs.reduce((a, l) => a + l.matched, 0)} line(s) mention checkpoints`,
        {
          evidence: jmBlock ? [jmBlock] : [],
        },
      ),
    );
  }
  const c = checkpointFailureSignals(results, config.pipeline.statePvc).classification;
  if (c) {
    findings.unshift(
      finding(diagnosis.cause === "recovered" ? "info" : "critical", `Failure type: ${KIND_TITLE[c.kind]}`, {
        detail: `${diagnosis.because}.${diagnosis.notes.length > 0 ? ` ${diagnosis.notes.join(". ")}.` : ""}`,
        evidence: [{ kind: "code", text: c.evidence }],
      }),
    );
  } else {
    findings.unshift(
      finding(diagnosis.cause === "recovered" ? "ok" : "warning", "Failure type: not recognised", {
        detail:
          'No failure message, exception or log line matched a known type. The seed\'s key: "Access Denied" = IAM permission issue, KMS denied = key policy, "Disk full" / "No space left on device" = RocksDB storage full, "Timeout" / "Checkpoint expired before completing" = S3 slow or network issue.',
      }),
    );
  }
  return {
    status:
      diagnosis.cause === "recovered" ? "ok" : diagnosis.cause === "unknown" && !read ? "error" : "critical",
    summary: `${CAUSE_TITLE[diagnosis.cause]}: ${diagnosis.because}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: Common Fixes

export function iamPolicyDocument(bucket: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${bucket}` },
      ],
    },
    null,
    2,
  );
}

function iamFinding(results: ProbeResults, config: AppConfig): Finding {
  const { flinkRoleName, flinkPolicyName, checkpointBucket } = config.pipeline;
  const details = accessDetails(failureTexts(results));
  const roleNote =
    details.deniedRole !== undefined && details.deniedRole !== flinkRoleName
      ? ` Note: the message names the role \`${details.deniedRole}\`, not the configured \`${flinkRoleName}\`: the tasks may run as another role (check the service account's eks.amazonaws.com/role-arn), fix that role.`
      : "";
  return finding("critical", "A. Grant the Flink role access to the checkpoint bucket (human step)", {
    detail: `The role the tasks run as may not write \`s3://${checkpointBucket}\`. 1) Read the current inline policy; 2) put the statement below. \`put-role-policy\` replaces the whole inline policy ${flinkPolicyName}: merge any other statements it has first. Flink also needs s3:DeleteObject (to remove subsumed checkpoints) and s3:ListBucket besides the seed's PutObject/GetObject.${roleNote} IAM changes apply within seconds: the next periodic checkpoint should succeed without a restart (Step 4 verifies).`,
    evidence: [
      {
        kind: "code",
        text: `aws iam get-role-policy \\\n  --role-name ${flinkRoleName} \\\n  --policy-name ${flinkPolicyName}`,
      },
      {
        kind: "code",
        text: `aws iam put-role-policy \\\n  --role-name ${flinkRoleName} \\\n  --policy-name ${flinkPolicyName} \\\n  --policy-document '${iamPolicyDocument(checkpointBucket)}'`,
      },
    ],
  });
}

function kmsFinding(results: ProbeResults, config: AppConfig): Finding {
  const { flinkRoleName, checkpointBucket } = config.pipeline;
  const details = accessDetails(failureTexts(results));
  const key = details.keyArn ?? "<KMSMasterKeyID from get-bucket-encryption>";
  const account = details.account ?? "<ACCOUNT_ID>";
  const role = details.deniedRole ?? flinkRoleName;
  const missing = [
    details.keyArn === undefined ? "the key ARN" : "",
    details.account === undefined ? "the account id" : "",
  ].filter(Boolean);
  return finding("critical", "B. Let the Flink role use the bucket's KMS key (human step)", {
    detail: `The checkpoint bucket is encrypted with a customer KMS key the role \`${role}\` may not use. 1) Confirm the bucket's key; 2) check the key policy; 3) add a grant.${missing.length > 0 ? ` The failure text does not name ${missing.join(" or ")}: fill ${missing.length > 1 ? "them" : "it"} in from step 1.` : ` Key and account are taken from the failure message.`} Alternatively allow kms:Decrypt, kms:Encrypt and kms:GenerateDataKey on the key in the role's policy.`,
    evidence: [
      { kind: "code", text: `aws s3api get-bucket-encryption --bucket ${checkpointBucket}` },
      { kind: "code", text: `aws kms get-key-policy \\\n  --key-id ${key} \\\n  --policy-name default` },
      {
        kind: "code",
        text: `aws kms create-grant \\\n  --key-id ${key} \\\n  --grantee-principal arn:aws:iam::${account}:role/${role} \\\n  --operations Decrypt Encrypt GenerateDataKey`,
      },
    ],
  });
}

function volumeTable(volumes: readonly VolumeUsage[]): EvidenceBlock {
  return {
    kind: "table",
    columns: ["POD", "VOLUME", "CLAIM", "USED", "CAPACITY", "USE%"],
    rows: volumes.map((v) => [
      v.pod,
      v.volume,
      v.claim ?? "-",
      formatBytes(v.usedBytes),
      formatBytes(v.capacityBytes),
      formatPercent(usedFraction(v)),
    ]),
  };
}

export function growPvcProposal(results: ProbeResults, config: AppConfig): Proposal | undefined {
  const claim = probeValue<VolumeClaimInfo>(results, "state-volume-claim");
  if (!claim?.allowsExpansion || claim.resizing !== null) return undefined;
  const to = bytesToQuantity(claim.requestedBytes * 2);
  return {
    action: "grow-pvc",
    label: `Grow ${claim.name} ${claim.requested} -> ${to}`,
    params: { namespace: config.pipeline.namespace, claim: claim.name, from: claim.requested, to },
  };
}

export function deletePodsProposal(config: AppConfig): Proposal {
  return {
    action: "delete-taskmanager-pods",
    label: "Delete taskmanager pods (higher risk: job restarts)",
    params: { namespace: config.pipeline.namespace, selector: config.pipeline.taskmanagerSelector },
  };
}

function diskFindings(results: ProbeResults, config: AppConfig): Finding[] {
  const { namespace, statePvc, checkpointBucket, taskmanagerSelector } = config.pipeline;
  const usage = probeValue<VolumeUsage[]>(results, "state-volume-usage");
  const volumes = usage === undefined ? [] : stateVolumes(usage, statePvc);
  const claim = probeValue<VolumeClaimInfo>(results, "state-volume-claim");
  const grow = growPvcProposal(results, config);
  const fullest = volumes.length > 0 ? Math.max(...volumes.map(usedFraction)) : undefined;
  const out: Finding[] = [];
  const claimFields: { label: string; value: string }[] = claim
    ? [
        { label: "Claim", value: `${claim.namespace}/${claim.name} (${claim.phase})` },
        { label: "Requested", value: claim.requested },
        { label: "Capacity", value: claim.capacity ?? "not bound" },
        {
          label: "StorageClass",
          value: `${claim.storageClass ?? "none"} (expansion ${claim.allowsExpansion ? "allowed" : "not allowed"})`,
        },
        ...(claim.resizing ? [{ label: "Resize in flight", value: claim.resizing }] : []),
      ]
    : [];
  const why = !claim
    ? "The claim could not be read, so the bot cannot tell whether it may grow."
    : claim.resizing !== null
      ? `A resize is already in flight (${claim.resizing}): wait for it rather than growing again.`
      : !claim.allowsExpansion
        ? `StorageClass ${claim.storageClass ?? "(none)"} does not allow volume expansion: growing needs a new claim on an expandable class (gp3) and moving the taskmanagers to it.`
        : `Option 1: grow the claim ${claim.requested} -> ${grow?.params.to as string} (the seed: kubectl patch pvc ${statePvc} ... storage). EBS grows online; the filesystem grows when the pod next mounts it or at once with the CSI driver's online resize.`;
  out.push(
    finding(
      "critical",
      `C. RocksDB disk full: ${fullest === undefined ? "usage unknown" : `fullest state volume ${formatPercent(fullest)} used`}`,
      {
        detail: `${fullest !== undefined && fullest < DISK_FULL_FRACTION ? `Under the seed's 90% mark now: a restart may have cleared local state, or the full disk is another volume (check \`kubectl exec -n ${namespace} <taskmanager-pod> -- df -h\`). ` : ""}${why}`,
        evidence: [
          ...(volumes.length > 0 ? [volumeTable(volumes)] : []),
          ...(claimFields.length > 0 ? [{ kind: "fields" as const, fields: claimFields }] : []),
        ],
        proposals: grow ? [grow] : [],
      },
    ),
  );
  out.push(
    finding("warning", "Option 3: restart the taskmanagers to clear local state (higher risk)", {
      detail: `Deleting the pods (\`kubectl delete pod -n ${namespace} -l ${taskmanagerSelector}\`) makes the job restart from its last completed checkpoint: work since then is reprocessed from Kafka, and the disk fills again if the state keeps growing. Prefer growing the volume.`,
      proposals: [deletePodsProposal(config)],
    }),
  );
  out.push(
    finding("info", "Option 2 (old checkpoints in S3) frees S3, not the local disk", {
      detail: `The seed's \`aws s3 rm s3://${checkpointBucket}/ ... --older-than 7\` has no such option in the AWS CLI, and deleting \`shared/\` files of a running job breaks its incremental checkpoints. To expire old checkpoints, use a lifecycle rule on retained \`chk-*\` prefixes of cancelled jobs; the RocksDB disk is the taskmanagers' local volume above.`,
    }),
  );
  return out;
}

/** The checkpoint timeout the fix proposes: the seed's 10 minutes, or double the current one when already there. */
export function proposedTimeoutMs(current: number): number {
  return current < 600_000 ? 600_000 : current * 2;
}

function flinkDurationText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms} ms`;
}

function timeoutFindings(results: ProbeResults, config: AppConfig): Finding[] {
  const { namespace, checkpointBucket } = config.pipeline;
  const cfg = probeValue<CheckpointConfig>(results, "checkpoint-config");
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const workload = probeValue<TaskmanagerWorkload>(results, "taskmanager-workload");
  const current = cfg?.timeoutMs;
  const next = proposedTimeoutMs(current ?? 600_000);
  const interval = cfg?.intervalMs ?? 60_000;
  const durations = read?.stats.summary.endToEndDurationMs;
  const mode = cfg?.mode === "at_least_once" ? "AT_LEAST_ONCE" : "EXACTLY_ONCE";
  const json = JSON.stringify(
    {
      Checkpoint: {
        CheckpointingMode: mode,
        CheckpointInterval: String(interval),
        CheckpointTimeout: String(next),
      },
    },
    null,
    2,
  );
  const operator = workload?.mode === "flink-operator";
  const stuck =
    durations && current !== undefined && durations.max < current / 4
      ? ` Completed checkpoints took at most ${formatDuration(durations.max)} against a ${formatDuration(current)} timeout: the expired ones did not just run a little long, something held them (S3 stalls, or barriers stuck behind backpressure: see \`/runbook lag\`).`
      : "";
  const fields = [
    ...(current !== undefined
      ? [{ label: "CheckpointTimeout now", value: `${current} ms (${formatDuration(current)})` }]
      : []),
    ...(cfg
      ? [
          {
            label: "CheckpointInterval now",
            value: `${cfg.intervalMs} ms (${formatDuration(cfg.intervalMs)})`,
          },
        ]
      : []),
    ...(durations
      ? [
          {
            label: "Completed checkpoints took",
            value: `avg ${formatDuration(durations.avg)}, max ${formatDuration(durations.max)}`,
          },
        ]
      : []),
  ];
  const out: Finding[] = [
    finding("critical", "D. S3 upload timeout: measure S3, then allow checkpoints more time (human step)", {
      detail: `Checkpoints expire before their upload to s3://${checkpointBucket} completes. 1) Measure the upload speed from the cluster (over 30 s for 1 GiB = slow network or S3). 2) Raise CheckpointTimeout ${current === undefined ? "" : `from ${current} `}to ${next} ms (${formatDuration(next)}); 3) or checkpoint less often: CheckpointInterval ${Math.max(interval, 300_000)} (every ${formatDuration(Math.max(interval, 300_000))}).${stuck} Both are configuration changes that take effect when the job is redeployed. See \`/runbook ckpt-duration\` for why checkpoints got slow.`,
      evidence: [
        ...(fields.length > 0 ? [{ kind: "fields" as const, fields }] : []),
        {
          kind: "code",
          text: `# from a pod in the cluster (the seed's /dev/urandom never ends: bound it)\ntime (head -c 1073741824 /dev/urandom | aws s3 cp - s3://${checkpointBucket}/runbook-bot-upload-test --sse AES256 --expected-size 1073741824)\naws s3 rm s3://${checkpointBucket}/runbook-bot-upload-test`,
        },
        { kind: "code", text: `# flink-application-properties.json\n${json}` },
      ],
    }),
  ];
  if (operator) {
    out.push(
      finding("warning", `The job is operator-managed: change FlinkDeployment ${workload.name}`, {
        detail: `The Flink Kubernetes Operator owns the job's configuration: a change to the job's files is overwritten. Patch the FlinkDeployment instead; the operator then upgrades the job (with upgradeMode savepoint that needs a savepoint, which may time out as well: last-state uses the latest completed checkpoint).`,
        evidence: [
          {
            kind: "code",
            text: `kubectl patch flinkdeployment ${workload.name} -n ${namespace} --type merge \\\n  -p '{"spec":{"flinkConfiguration":{"execution.checkpointing.timeout":"${flinkDurationText(next)}"}}}'`,
          },
        ],
      }),
    );
  }
  return out;
}

function jobDownFindings(results: ProbeResults, config: AppConfig): Finding[] {
  const { namespace, taskmanagerSelector, jobmanagerSelector } = config.pipeline;
  const pods = allPods(results) ?? [];
  const oom = checkpointFailureSignals(results, config.pipeline.statePvc).oomKilled === true;
  return [
    finding("critical", "Get the job running again before checkpoints can succeed (human step)", {
      detail: `Read why the pods crash: the previous container's log and the pod events.${oom ? " A container was OOMKilled: the taskmanagers run out of memory, see `/runbook memory`." : ""} A restart alone does not help a crash loop; once the cause is fixed the job restores from its last completed checkpoint (Step 5).`,
      evidence: [
        {
          kind: "code",
          text: [
            `kubectl logs -n ${namespace} -l ${taskmanagerSelector} --previous --tail=100`,
            `kubectl logs -n ${namespace} -l ${jobmanagerSelector} --tail=200 | grep -i -B5 -A5 exception`,
            ...pods
              .filter((p) => podTrouble(p) !== undefined)
              .slice(0, 3)
              .map((p) => `kubectl describe pod -n ${namespace} ${p.name}`),
          ].join("\n"),
        },
      ],
    }),
  ];
}

function volumeContext(results: ProbeResults, config: AppConfig): Finding | undefined {
  const usage = probeValue<VolumeUsage[]>(results, "state-volume-usage");
  if (usage === undefined) return undefined;
  const volumes = stateVolumes(usage, config.pipeline.statePvc);
  if (volumes.length === 0) {
    return finding("info", "C. RocksDB disk: no state volume found on the taskmanager pods");
  }
  const fullest = Math.max(...volumes.map(usedFraction));
  const full = fullest >= DISK_FULL_FRACTION;
  return finding(
    full ? "warning" : "ok",
    `C. RocksDB disk: fullest state volume ${formatPercent(fullest)} used${full ? " (over 90%)" : ""}`,
    { evidence: [volumeTable(volumes)] },
  );
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const findings: Finding[] = [];
  switch (diagnosis.cause) {
    case "s3-access-denied":
      findings.push(iamFinding(results, config));
      break;
    case "kms-denied":
      findings.push(kmsFinding(results, config));
      break;
    case "disk-full":
      findings.push(...diskFindings(results, config));
      break;
    case "timeout":
      findings.push(...timeoutFindings(results, config));
      break;
    case "job-down":
      findings.push(...jobDownFindings(results, config));
      break;
    case "recovered":
      findings.push(
        finding("ok", "No fix needed now: checkpoints complete again", {
          detail: "Keep watching the next checkpoints; the alert clears after 5 minutes without failures.",
        }),
      );
      break;
    case "unknown":
      findings.push(
        finding("warning", "Read the failure by hand (human step)", {
          detail:
            "Open the Flink web UI's Checkpoints tab (History, the failed checkpoint's message), or read the jobmanager log around the failure:",
          evidence: [
            {
              kind: "code",
              text: `kubectl logs -n ${config.pipeline.namespace} -l ${config.pipeline.jobmanagerSelector} --tail=500 | grep -i -B5 -A5 checkpoint\nkubectl port-forward -n ${config.pipeline.namespace} svc/flink-jobmanager 8081:8081   # then http://localhost:8081/#/job/running`,
            },
          ],
        }),
      );
      break;
  }
  if (diagnosis.cause !== "disk-full") {
    const context = volumeContext(results, config);
    if (context) findings.push(context);
  }
  const proposals = findings.flatMap((f) => f.proposals);
  return {
    status: diagnosis.cause === "recovered" ? "ok" : "info",
    summary:
      proposals.length > 0
        ? `${CAUSE_TITLE[diagnosis.cause]}: proposed ${proposals.map((p) => p.label).join(", ")}.`
        : `${CAUSE_TITLE[diagnosis.cause]}: ${FIX_LINE[diagnosis.cause]}`,
    findings,
  };
}

export const FIX_LINE: Record<CheckpointFailureCause, string> = {
  "s3-access-denied":
    "grant the role s3:PutObject on the checkpoint bucket (human step with the policy filled in).",
  "kms-denied": "grant the role the bucket's KMS key (human step with the create-grant command).",
  "disk-full": "grow the RocksDB volume, or restart the taskmanagers.",
  timeout: "raise CheckpointTimeout or checkpoint less often (configuration change).",
  "job-down": "find why the pods crash (previous logs, events) and fix that first.",
  recovered: "no fix needed now.",
  unknown: "read the failure message in the Flink UI or the jobmanager log.",
};

// ---------------------------------------------------------------------------------------------
// Step 4: Verify Fix

export function triggerProposal(results: ProbeResults): Proposal | undefined {
  const job = probeValue<JobState>(results, "job")?.job;
  const jobId = job?.id ?? probeValue<CheckpointsRead>(results, "checkpoints")?.jobId;
  if (jobId === undefined || (job != null && job.state !== "RUNNING")) return undefined;
  return { action: "trigger-checkpoint", label: "Trigger a checkpoint", params: { jobId } };
}

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  const cfg = probeValue<CheckpointConfig>(results, "checkpoint-config");
  const proposal =
    diagnosis.cause === "recovered" || diagnosis.cause === "job-down" ? undefined : triggerProposal(results);
  const nextId = read ? Math.max(0, ...read.stats.history.map((c) => c.id)) + 1 : undefined;
  const jobId = read?.jobId ?? "<job-id>";
  const interval = cfg ? formatDuration(cfg.intervalMs) : "one checkpoint interval";
  const success = `Success: Flink reports the triggered checkpoint${nextId === undefined ? "" : ` (${nextId} or later)`} COMPLETED and the jobmanager logs "Completed checkpoint ${nextId ?? "N"} for job ${jobId} (... bytes, checkpointDuration=... ms)"; then the next periodic checkpoint, within ${interval}, completes too. Failure: the same message as in Step 2 comes back.`;
  const findings: Finding[] = [];
  if (diagnosis.cause === "recovered") {
    findings.push(finding("ok", "Already verified: the newest checkpoint completed", { detail: success }));
  } else if (diagnosis.cause === "job-down") {
    findings.push(
      finding("info", "Verify once the job runs again", {
        detail: `A checkpoint can only be triggered on a RUNNING job. ${success}`,
      }),
    );
  } else {
    findings.push(
      finding("info", "After the fix: trigger a checkpoint", {
        detail: success,
        evidence: [
          {
            kind: "code",
            text: `# by hand (Flink 1.17+; the REST port is 8081, not 6123 as in the seed)\nkubectl port-forward -n ${config.pipeline.namespace} svc/flink-jobmanager 8081:8081 &\ncurl -X POST http://localhost:8081/jobs/${jobId}/checkpoints`,
          },
        ],
        proposals: proposal ? [proposal] : [],
      }),
    );
  }
  return {
    status: "info",
    summary: proposal ? "Proposed: Trigger a checkpoint once the fix is in." : findings[0]!.title,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Post-Incident

export interface RiskWindow {
  readonly lastCompleted: CheckpointRecord | null;
  /** The first failure after the last completed checkpoint that the history still holds. */
  readonly firstFailure: CheckpointRecord | null;
  /** true when every checkpoint in the retained history failed: failures started no later than firstFailure. */
  readonly failuresOlderThanHistory: boolean;
  /** From the last completed checkpoint to the time of reading, ms; null without a completed checkpoint. */
  readonly atRiskMs: number | null;
}

export function riskWindow(read: CheckpointsRead): RiskWindow {
  const { stats, readAt } = read;
  const lastCompleted = stats.latest.completed;
  const after = stats.history.filter(
    (c) => c.status === "FAILED" && (lastCompleted === null || c.triggerTime > lastCompleted.triggerTime),
  );
  const firstFailure =
    after.sort((a, b) => a.triggerTime.getTime() - b.triggerTime.getTime())[0] ??
    (stats.latest.failed &&
    (lastCompleted === null || stats.latest.failed.triggerTime > lastCompleted.triggerTime)
      ? stats.latest.failed
      : null);
  const finished = stats.history.filter((c) => c.status !== "IN_PROGRESS");
  const failuresOlderThanHistory = finished.length > 0 && finished.every((c) => c.status === "FAILED");
  const savedAt = lastCompleted ? (lastCompleted.latestAckTime ?? lastCompleted.triggerTime) : null;
  return {
    lastCompleted,
    firstFailure,
    failuresOlderThanHistory,
    atRiskMs: savedAt ? Math.max(0, readAt.getTime() - savedAt.getTime()) : null,
  };
}

export function assessPostIncident(results: ProbeResults, config: AppConfig): StepAssessment {
  const read = probeValue<CheckpointsRead>(results, "checkpoints");
  if (!read) {
    return {
      status: "info",
      summary:
        "The checkpoint history could not be read: compare the last checkpoint in S3 with the first failure by hand.",
      findings: [
        finding("info", "Did we lose data? (human step)", {
          evidence: [
            {
              kind: "code",
              text: `aws s3 ls s3://${config.pipeline.checkpointBucket}/ --recursive | grep _metadata | tail -5`,
            },
          ],
        }),
      ],
    };
  }
  const w = riskWindow(read);
  const last = w.lastCompleted;
  const savedAt = last ? (last.latestAckTime ?? last.triggerTime) : null;
  const fields = [
    {
      label: "Last successful checkpoint",
      value:
        last && savedAt
          ? `${last.id} at ${formatUtc(savedAt)}${last.externalPath ? ` (${last.externalPath})` : ""}`
          : "none retained",
    },
    {
      label: "First failure",
      value: w.firstFailure
        ? `${w.failuresOlderThanHistory ? "at or before " : ""}checkpoint ${w.firstFailure.id} at ${formatUtc(w.firstFailure.triggerTime)}`
        : "none after the last successful checkpoint",
    },
    {
      label: "State at risk",
      value:
        w.atRiskMs === null
          ? "everything since the job started"
          : `${formatDuration(w.atRiskMs)} of processing (since ${savedAt ? formatUtc(savedAt) : "-"})`,
    },
  ];
  const failing = w.firstFailure !== null;
  const sgroup = config.pipeline.consumerGroup;
  const detail = failing
    ? `The last successful checkpoint is older than the first failure: if the job restarts now it restores checkpoint ${last?.id ?? "(none)"} and re-reads from Kafka everything after it, so nothing is lost while Kafka still holds those records (the seed: 30 days); the Firehose output may get duplicates of that window. Records are lost only if they age out of Kafka before the job checkpoints again. Reprocess (reset ${sgroup}'s offsets to ${savedAt ? formatUtc(savedAt) : "the last checkpoint"}) only if a restart happened without a checkpoint to restore. Then add a regression test: checkpoint with a filled disk / denied bucket and verify the error handling.`
    : "No failure after the last successful checkpoint: nothing is at risk beyond the normal checkpoint interval.";
  return {
    status: failing ? "warning" : "ok",
    summary: failing
      ? `State since ${savedAt ? formatUtc(savedAt) : "the job started"} (${w.atRiskMs === null ? "all of it" : formatDuration(w.atRiskMs)}) is not in any checkpoint.`
      : "No state at risk: the last checkpoint completed after the failures.",
    findings: [
      finding(failing ? "warning" : "ok", "Window of state at risk", {
        detail,
        evidence: [{ kind: "fields", fields }],
      }),
    ],
  };
}

export const checkpointFailureSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [jobProbe, taskmanagerPodsProbe, jobmanagerPodsProbe, taskmanagerLogsProbe],
    assess: assessJob,
  },
  {
    id: "identify-failure-type",
    title: "Step 2: Identify Failure Type",
    budgetSeconds: 120,
    probes: [checkpointsProbe, exceptionsProbe, jobmanagerLogsProbe],
    assess: assessFailureType,
  },
  {
    id: "common-fixes",
    title: "Step 3: Common Fixes",
    probes: [volumeUsageProbe, volumeClaimProbe, checkpointConfigProbe, workloadProbe],
    assess: assessFix,
  },
  { id: "verify-fix", title: "Step 4: Verify Fix", probes: [], assess: assessVerify },
  { id: "post-incident", title: "Step 5: Post-Incident", probes: [], assess: assessPostIncident },
];
