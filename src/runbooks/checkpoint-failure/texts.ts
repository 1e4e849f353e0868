/** Static text of the checkpoint-failure runbook, beside its logic: the seed's snippets (the checkpoint bucket policy) and the fix line per cause. */
import type { CheckpointFailureCause } from "./diagnose.ts";

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

export const FIX_LINE: Record<CheckpointFailureCause, string> = {
  "s3-access-denied":
    "grant the role s3:PutObject on the checkpoint bucket (human step with the policy filled in).",
  "kms-denied": "grant the role the bucket's KMS key (human step with the create-grant command).",
  "disk-full": "grow the RocksDB volume, or restart the taskmanagers.",
  timeout: "raise CheckpointTimeout or checkpoint less often (configuration change).",
  "job-down": "find why the pods crash (previous logs, events) and fix that first.",
  recovered: "no fix needed now.",
  unknown:
    'read the last "Caused by:" under the CheckpointFailureManager warning in the jobmanager log (`kubectl logs -l <jobmanager selector> | grep -A80 "Failed to trigger or complete checkpoint"`); Step 3 has the commands.',
};
