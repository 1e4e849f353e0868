/**
 * checkpoint-failure end to end through the real adapters:
 * - Flink's REST API: the Flink REST test server (order-processing RUNNING; checkpoint 1041 failed
 *   two minutes ago with the S3 AccessDenied message of a real s3a upload, 1042 completed since;
 *   the AccessDenied exception in the job's exception history). Each test edits its checkpoints.
 * - Kubernetes: the API test server (4 running taskmanager pods, their logs, the kubelet's volume
 *   stats of flink-state-pvc, the Deployment).
 * Not shown here: kms-denied and timeout only differ from s3-access-denied in the message text
 * (covered by the unit tests and drills); job-down needs a crash-looping pod, which the drills show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../../src/core/finding.ts";
import { type FlinkRestServer, type SeedJob, startFlinkRestServer } from "../../peers/flink-rest-server.ts";
import { type KubeApiServer, startKubeApiServer } from "../../peers/kube-api-server.ts";
import { makeConfig, runLive, writeKubeconfig } from "./live-helpers.ts";

let flink: FlinkRestServer;
let kube: KubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  flink = await startFlinkRestServer();
  kube = await startKubeApiServer();
  kubeconfig = writeKubeconfig(kube.kubeConfigYaml);
});

afterAll(async () => {
  await flink?.stop();
  await kube?.stop();
});

function job(): SeedJob {
  const found = flink.state.jobs.find((j) => j.name === "order-processing");
  if (!found) throw new Error("the Flink server has no order-processing job");
  return found;
}

const config = () =>
  makeConfig({
    flink: { url: flink.url, requestTimeoutMs: 20_000 },
    kubernetes: { kubeconfig },
  });

function findingTitled(findings: readonly Finding[], title: string): Finding {
  const found = findings.find((f) => f.title === title);
  if (!found) throw new Error(`no finding "${title}" in: ${findings.map((f) => f.title).join(" | ")}`);
  return found;
}

describe.sequential("checkpoint-failure against the Flink REST server and the Kubernetes API server", {
  timeout: 120_000,
}, () => {
  it("the latest failed checkpoint says Access Denied: s3-access-denied, with the exact IAM statement for the configured role and bucket", async () => {
    const { report, findings } = await runLive("checkpoint-failure", config());
    const c = report.conclusion;
    expect(c.cause).toBe("s3-access-denied");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("the latest failed checkpoint's failure message says");
    expect(c.summary).toContain("Access Denied (Service: Amazon S3; Status Code: 403");

    const iam = findingTitled(
      findings,
      "A. Grant the Flink role access to the checkpoint bucket (human step)",
    );
    const statement = JSON.stringify(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            Resource: "arn:aws:s3:::checkpoint-bucket/*",
          },
          { Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::checkpoint-bucket" },
        ],
      },
      null,
      2,
    );
    expect(iam.evidence).toEqual([
      {
        kind: "code",
        text: "aws iam get-role-policy \\\n  --role-name FlinkTaskExecutorRole \\\n  --policy-name FlinkCheckpointPolicy",
      },
      {
        kind: "code",
        text: `aws iam put-role-policy \\\n  --role-name FlinkTaskExecutorRole \\\n  --policy-name FlinkCheckpointPolicy \\\n  --policy-document '${statement}'`,
      },
    ]);
    // Read only: nothing but GETs reached Flink and Kubernetes.
    expect(flink.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("no space left on device and the state volume 96% full: disk-full, confirmed by the kubelet's numbers", async () => {
    const failed = job().checkpoints.find((c) => c.status === "FAILED");
    expect(failed).toBeDefined();
    failed!.failureMessage =
      "org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed. Caused by: java.io.IOException: No space left on device";
    for (const v of kube.state.volumeStats) v.usedBytes = Math.round(v.capacityBytes * 0.96);

    const { report } = await runLive("checkpoint-failure", config());
    const c = report.conclusion;
    expect(c.cause).toBe("disk-full");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("No space left on device");
    expect(c.evidence).toContain("the fullest state volume is 96% used (full from 90%)");
    expect(c.suggestedActions.map((a) => a.action)).toEqual(
      expect.arrayContaining(["grow-pvc", "delete-taskmanager-pods"]),
    );
  });

  it("every checkpoint completes again: recovered", async () => {
    for (const c of job().checkpoints) {
      c.status = "COMPLETED";
      delete c.failureMessage;
    }
    job().metrics.numberOfFailedCheckpoints = "0";

    const { report } = await runLive("checkpoint-failure", config());
    expect(report.conclusion.cause).toBe("recovered");
    expect(report.conclusion.confidence).toBe("high");
  });
});
