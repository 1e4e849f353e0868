/** Step 3 of the checkpoint-failure runbook: the fix for each failure type (buttons where an action exists, exact commands otherwise). */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, type Proposal } from "../../core/finding.ts";
import { bytesToQuantity, formatBytes, formatDuration } from "../../core/format-units.ts";
import { formatPercent } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { VolumeUsage } from "../../ports/kubernetes.ts";
import { CAUSE_TITLE, diagnosisOf } from "./cause.ts";
import {
  checkpointConfigProbe,
  checkpointsProbe,
  volumeClaimProbe,
  volumeUsageProbe,
  workloadProbe,
} from "./probes.ts";
import {
  accessDetails,
  allPods,
  checkpointFailureSignals,
  DISK_FULL_FRACTION,
  failureTexts,
  podTrouble,
  stateVolumes,
  usedFraction,
} from "./signals.ts";
import { FIX_LINE, iamPolicyDocument } from "./texts.ts";

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
  const claim = read(results, volumeClaimProbe);
  // Unknown (StorageClass not readable) still proposes: the action's preview says so and the API
  // server's admission refuses a class without expansion.
  if (!claim || claim.allowsExpansion === false || claim.resizing !== null) return undefined;
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
  const usage = read(results, volumeUsageProbe);
  const volumes = usage === undefined ? [] : stateVolumes(usage, statePvc);
  const claim = read(results, volumeClaimProbe);
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
          value: `${claim.storageClass ?? "none"} (expansion ${claim.allowsExpansion === null ? "unknown: storageclasses not readable" : claim.allowsExpansion ? "allowed" : "not allowed"})`,
        },
        ...(claim.resizing ? [{ label: "Resize in flight", value: claim.resizing }] : []),
      ]
    : [];
  const why = !claim
    ? "The claim could not be read, so the bot cannot tell whether it may grow."
    : claim.resizing !== null
      ? `A resize is already in flight (${claim.resizing}): wait for it rather than growing again.`
      : claim.allowsExpansion === false
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
  const cfg = read(results, checkpointConfigProbe);
  const checkpoints = read(results, checkpointsProbe);
  const workload = read(results, workloadProbe);
  const current = cfg?.timeoutMs;
  const next = proposedTimeoutMs(current ?? 600_000);
  const interval = cfg?.intervalMs ?? 60_000;
  const durations = checkpoints?.stats.summary.endToEndDurationMs;
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
  const signals = checkpointFailureSignals(results, config.pipeline.statePvc);
  const oom = signals.oomKilled === true;
  const last =
    signals.lastFailure === undefined
      ? ""
      : ` The job's last failure (the last "Caused by:" of its newest exception): ${signals.lastFailure}.`;
  return [
    finding("critical", "Get the job running again before checkpoints can succeed (human step)", {
      detail: `Read why the job fails.${last} The previous container's log and the pod events tell why pods crash.${oom ? " A container was OOMKilled: the taskmanagers run out of memory, see `/runbook memory`." : ""} A restart alone does not help a crash loop; once the cause is fixed the job restores from its last completed checkpoint (Step 5).`,
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
  const usage = read(results, volumeUsageProbe);
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
        finding("warning", "Read the failure in the jobmanager log (human step)", {
          detail:
            'Flink REST gives only the first line of a failed checkpoint ("Asynchronous task checkpoint failed."): the cause is in the jobmanager log, under the WARN of org.apache.flink.runtime.checkpoint.CheckpointFailureManager "Failed to trigger or complete checkpoint N for job ...". Its last "Caused by:" line is the cause: Access Denied / 403 = A, kms: = B, No space left on device = C, timeout / expired = D. Any of these sources has it:',
          evidence: [{ kind: "code", text: whereToLook(config) }],
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

/** Exactly where the checkpoint failure's cause is written, for a human to read when the bot could not. */
export function whereToLook(config: AppConfig): string {
  const { namespace, jobmanagerSelector, logGroup } = config.pipeline;
  return [
    "# 1) the jobmanager pod's log: the last failure and its exception chain",
    `kubectl logs -n ${namespace} -l ${jobmanagerSelector} --tail=5000 | grep -A80 'Failed to trigger or complete checkpoint' | grep -E 'Failed to trigger|^Caused by:' | tail -5`,
    "# 2) CloudWatch Logs (if the pods ship their logs there)",
    `aws logs filter-log-events --log-group-name ${logGroup} --start-time $(( ($(date +%s) - 1800) * 1000 )) --filter-pattern '"Caused by"' --query 'events[-5:].message'`,
    "# 3) Flink's web UI: Job Manager > Logs (or GET /jobmanager/log), search CheckpointFailureManager",
  ].join("\n");
}
