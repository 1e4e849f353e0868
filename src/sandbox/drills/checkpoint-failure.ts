/**
 * Drill scenarios of the checkpoint-failure runbook: one per branch of the seed's Step 3 (A S3
 * access denied, B KMS key denied, C RocksDB disk full, D S3 upload timeout) and the edges Step 1
 * finds (job down, checkpoints recovered, a message no rule knows). Each world is the healthy
 * simulated platform with Flink's checkpoint history turned to failures from some minutes ago.
 */
import type { CheckpointRecord, CheckpointStats, FlinkPort, JobException } from "../../ports/flink.ts";
import { FlinkError } from "../../ports/flink.ts";
import type { Ports } from "../../ports/index.ts";
import type { KubernetesPort, PodInfo } from "../../ports/kubernetes.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import { overridePorts } from "./override-ports.ts";

type Build = DrillScenario["build"];
type DrillClock = Parameters<Build>[0];

export interface FailureScript {
  /** Checkpoints triggered in the last `minutes` minutes fail (the one in progress stays in progress). */
  readonly fromMinutesAgo: number;
  /** ...until this many minutes ago (0 = still failing). */
  readonly untilMinutesAgo?: number;
  readonly message: string;
}

/** Flink's checkpoint statistics with the scripted checkpoints failed, counts and latest updated. */
export function withFailedCheckpoints(
  stats: CheckpointStats,
  now: Date,
  script: FailureScript,
): CheckpointStats {
  const from = now.getTime() - script.fromMinutesAgo * 60_000;
  const until = now.getTime() - (script.untilMinutesAgo ?? 0) * 60_000;
  const history: CheckpointRecord[] = stats.history.map((c) => {
    const t = c.triggerTime.getTime();
    if (c.status !== "COMPLETED" || t < from || t > until) return c;
    return {
      ...c,
      status: "FAILED",
      latestAckTime: null,
      checkpointedSizeBytes: 0,
      stateSizeBytes: 0,
      externalPath: null,
      failureMessage: script.message,
      failureTime: new Date(t + Math.min(c.endToEndDurationMs, 45_000)),
    };
  });
  const failed = history.filter((c) => c.status === "FAILED");
  const newlyFailed = failed.length - stats.history.filter((c) => c.status === "FAILED").length;
  return {
    ...stats,
    counts: {
      ...stats.counts,
      completed: stats.counts.completed - newlyFailed,
      failed: stats.counts.failed + newlyFailed,
    },
    latest: {
      ...stats.latest,
      completed: history.find((c) => c.status === "COMPLETED") ?? stats.latest.completed,
      failed: failed[0] ?? stats.latest.failed,
    },
    history,
  };
}

function failing(ports: Ports, clock: DrillClock, script: FailureScript): Partial<FlinkPort> {
  const flink = ports.flink!;
  return {
    checkpoints: async (jobId) => withFailedCheckpoints(await flink.checkpoints(jobId), clock.now(), script),
    // While the failure lasts, a checkpoint triggered by hand fails the same way (as Flink REST says it).
    triggerCheckpoint: async (jobId, options) => {
      if ((script.untilMinutesAgo ?? 0) > 0) return flink.triggerCheckpoint(jobId, options);
      const reason = script.message.split("\n")[0]!;
      throw new FlinkError(
        "checkpoint-failed",
        `the checkpoint triggered on job ${jobId.slice(0, 8)}… failed: ${reason}`,
      );
    },
  };
}

/** What the real Flink REST says of a checkpoint that failed on S3's 403: nothing about S3. */
const ASYNC_FAILED = "Asynchronous task checkpoint failed.";

/**
 * The jobmanager log of a checkpoint that failed on S3's 403, as Flink 1.20 writes it: the
 * CheckpointFailureManager warning, then the exception chain (the cause at its last Caused by).
 */
function jobmanagerLog403(
  findJob: FlinkPort["findJob"],
  checkpoints: FlinkPort["checkpoints"],
  clock: DrillClock,
): Partial<KubernetesPort> {
  return {
    podLogs: async (_namespace, _labelSelector, query) => {
      const job = await findJob();
      const failed = (await checkpoints(job.id)).latest.failed;
      const id = failed?.id ?? 0;
      const at = (failed?.failureTime ?? clock.now())
        .toISOString()
        .replace("T", " ")
        .replace("Z", "")
        .replace(".", ",");
      const path = `s3://checkpoint-bucket/state/order-processing/${job.id}/chk-${id}/4b1f0e2a-77c5-4e0a-9a53-0c2f7d1e9b3a`;
      const lines = [
        `${at} WARN  org.apache.flink.runtime.checkpoint.CheckpointFailureManager [] - Failed to trigger or complete checkpoint ${id} for job ${job.id}. (5 consecutive failed attempts so far)`,
        `org.apache.flink.runtime.checkpoint.CheckpointException: ${ASYNC_FAILED}`,
        "\tat org.apache.flink.runtime.messages.checkpoint.SerializedCheckpointException.unwrap(SerializedCheckpointException.java:51) ~[flink-runtime-1.20.3.jar:1.20.3]",
        `Caused by: java.lang.Exception: Could not materialize checkpoint ${id} for operator Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator) (3/4)#0.`,
        "Caused by: java.io.IOException: Could not open output stream for state backend",
        `Caused by: java.nio.file.AccessDeniedException: ${path}: PUT object on ${path.slice(23)}: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 7QX2E8YJ1B4N)`,
        "\t... 12 more",
      ];
      const needle = query?.grep?.toLowerCase();
      const kept = lines.filter((l) => needle === undefined || l.toLowerCase().includes(needle));
      return [
        {
          pod: "flink-jobmanager-0",
          container: "flink-main-container",
          lines: kept,
          matched: kept.length,
          truncated: false,
          error: null,
        },
      ];
    },
  };
}

export const DRILL_KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f3c1a2b-9d8e-4c7b-a6f5-1e2d3c4b5a69";
const KMS_DENIED =
  "org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed.\n" +
  "Caused by: java.nio.file.AccessDeniedException: s3://checkpoint-bucket/state/order-processing/chk-4310/_metadata: " +
  "com.amazonaws.services.s3.model.AmazonS3Exception: User: arn:aws:sts::123456789012:assumed-role/FlinkTaskExecutorRole/flink " +
  `is not authorized to perform: kms:GenerateDataKey on resource: ${DRILL_KMS_KEY} because no identity-based policy allows ` +
  "the kms:GenerateDataKey action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)";

const DISK_FULL =
  "org.apache.flink.runtime.checkpoint.CheckpointException: Could not complete snapshot 4310 for operator " +
  "Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator) (3/8)#0.\n" +
  "Caused by: java.io.IOException: While appending to file: /data/rocksdb/job_order-processing/db/000412.sst: No space left on device";

const EXPIRED = "Checkpoint expired before completing.";

function fullDisk(k8s: KubernetesPort, usedFraction: number): Partial<KubernetesPort> {
  return {
    volumeUsage: async (namespace, selector) =>
      (await k8s.volumeUsage(namespace, selector)).map((v, i) => {
        const used = Math.round(v.capacityBytes * (i === 2 ? usedFraction : 0.81));
        return { ...v, usedBytes: used, availableBytes: v.capacityBytes - used };
      }),
  };
}

function crashLooping(pod: PodInfo, i: number): PodInfo {
  if (i % 2 === 1) return pod;
  return {
    ...pod,
    phase: "Running",
    ready: false,
    restarts: 6 + i,
    problem: "CrashLoopBackOff",
    containers: pod.containers.map((c) => ({
      ...c,
      ready: false,
      restarts: 6 + i,
      state: "waiting",
      reason: "CrashLoopBackOff",
      exitCode: 137,
      lastTerminationReason: "OOMKilled",
    })),
  };
}

function scenario(
  branch: string,
  title: string,
  story: string,
  build: Build,
  expect: DrillScenario["expect"],
): DrillScenario {
  return { id: `checkpoint-failure/${branch}`, runbook: "checkpoint-failure", title, story, build, expect };
}

export const checkpointFailureDrills: readonly DrillScenario[] = [
  scenario(
    "s3-access-denied",
    "Checkpoint bucket denies the Flink role",
    'A policy change removed s3:PutObject on checkpoint-bucket from FlinkTaskExecutorRole 6 minutes ago: every checkpoint since fails. Flink REST says only "Asynchronous task checkpoint failed." (as the real Flink does); the 403 is in the jobmanager log.',
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const flink = failing(ports, clock, { fromMinutesAgo: 6, message: ASYNC_FAILED });
      const k8s = ports.kubernetes!;
      const base = ports.flink!;
      const jmLog = jobmanagerLog403(() => base.findJob(), flink.checkpoints!, clock);
      return overridePorts(ports, {
        flink,
        kubernetes: {
          podLogs: (namespace, selector, query) =>
            selector === "app=flink-jobmanager"
              ? jmLog.podLogs!(namespace, selector, query)
              : k8s.podLogs(namespace, selector, query),
        },
      });
    },
    { cause: "s3-access-denied", severity: "critical", proposes: ["trigger-checkpoint"] },
  ),
  scenario(
    "kms-denied",
    "Checkpoint bucket's KMS key denies the Flink role",
    "The checkpoint bucket was switched to a customer-managed KMS key the Flink role may not use: uploads fail with kms:GenerateDataKey denied.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        flink: failing(ports, clock, { fromMinutesAgo: 4, message: KMS_DENIED }),
      });
    },
    { cause: "kms-denied", severity: "critical", proposes: ["trigger-checkpoint"] },
  ),
  scenario(
    "disk-full",
    "RocksDB volume full",
    "Taskmanager 2's RocksDB volume is 97% full: snapshots fail with No space left on device. The gp3 claim can grow.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        flink: failing(ports, clock, { fromMinutesAgo: 5, message: DISK_FULL }),
        kubernetes: fullDisk(ports.kubernetes!, 0.97),
      });
    },
    {
      cause: "disk-full",
      severity: "critical",
      proposes: ["grow-pvc", "delete-taskmanager-pods", "trigger-checkpoint"],
    },
  ),
  scenario(
    "disk-full-fixed-size",
    "RocksDB volume full on a class that cannot grow",
    "As disk-full, but the claim is on gp2, which does not allow expansion: only the restart is offered.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const k8s = ports.kubernetes!;
      return overridePorts(ports, {
        flink: failing(ports, clock, { fromMinutesAgo: 5, message: DISK_FULL }),
        kubernetes: {
          ...fullDisk(k8s, 0.99),
          volumeClaim: async (namespace, name) => ({
            ...(await k8s.volumeClaim(namespace, name)),
            storageClass: "gp2",
            allowsExpansion: false,
          }),
        },
      });
    },
    { cause: "disk-full", severity: "critical", proposes: ["delete-taskmanager-pods", "trigger-checkpoint"] },
  ),
  scenario(
    "timeout",
    "Checkpoints expire before the S3 upload completes",
    "S3 uploads from the cluster slowed down: checkpoints of the last 5 minutes expired before completing.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const flink = ports.flink!;
      return overridePorts(ports, {
        flink: {
          ...failing(ports, clock, { fromMinutesAgo: 5, message: EXPIRED }),
          checkpointConfig: async (jobId) => ({
            ...(await flink.checkpointConfig(jobId)),
            timeoutMs: 120_000,
          }),
        },
      });
    },
    { cause: "timeout", severity: "critical", proposes: ["trigger-checkpoint"] },
  ),
  scenario(
    "timeout-operator-managed",
    "Checkpoints expire, job run by the Flink Kubernetes Operator",
    "As timeout, but the job is a FlinkDeployment: the configuration change goes to the operator's resource.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        flink: failing(ports, clock, { fromMinutesAgo: 5, message: EXPIRED }),
        kubernetes: {
          taskmanagerWorkload: async (namespace) => ({
            mode: "flink-operator",
            kind: "FlinkDeployment",
            namespace,
            name: "order-processing",
            detectedBy: "owner-reference",
            flink: null,
          }),
        },
      });
    },
    { cause: "timeout", severity: "critical", proposes: ["trigger-checkpoint"] },
  ),
  scenario(
    "job-down",
    "Taskmanagers crash-looping, job restarting",
    "Half the taskmanagers were OOMKilled and crash-loop; the job keeps restarting and its checkpoints fail while the coordinator suspends.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      const flink = ports.flink!;
      const k8s = ports.kubernetes!;
      const heartbeat: JobException = {
        name: "java.util.concurrent.TimeoutException",
        message:
          "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id 10.0.1.11:6122-5c1a2b timed out.",
        stacktrace:
          "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id 10.0.1.11:6122-5c1a2b timed out.\n\tat org.apache.flink.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyHeartbeatTimeout(JobMaster.java:1402)",
        truncated: false,
        rootCause: null,
        time: clock.now(),
        taskName: null,
        location: "10.0.1.11:6122",
      };
      return overridePorts(ports, {
        flink: {
          ...failing(ports, clock, {
            fromMinutesAgo: 4,
            message:
              "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint Coordinator is suspending.",
          }),
          findJob: async () => {
            throw new FlinkError("no-job", "no RUNNING job on simulated Flink REST (sandbox)");
          },
          jobs: async () => (await flink.jobs()).map((j) => ({ ...j, state: "RESTARTING" })),
          jobDetails: async (jobId) => ({ ...(await flink.jobDetails(jobId)), state: "RESTARTING" }),
          exceptions: async () => [heartbeat],
        },
        kubernetes: {
          listPods: async (namespace, selector) =>
            (await k8s.listPods(namespace, selector)).map(crashLooping),
        },
      });
    },
    { cause: "job-down", severity: "critical", proposes: [] },
  ),
  scenario(
    "recovered",
    "Checkpoints failed, then recovered",
    "Two checkpoints expired 8 minutes ago; every checkpoint since completed. The alert is about to clear.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        flink: failing(ports, clock, { fromMinutesAgo: 9, untilMinutesAgo: 7, message: EXPIRED }),
      });
    },
    { cause: "recovered", severity: "ok", proposes: [] },
  ),
  scenario(
    "unknown",
    "Checkpoints fail with a message no branch knows",
    "A state serializer mismatch makes every snapshot fail: not one of the seed's four types.",
    (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        flink: failing(ports, clock, {
          fromMinutesAgo: 4,
          message:
            "org.apache.flink.runtime.checkpoint.CheckpointException: Task local checkpoint failure.\nCaused by: java.lang.IllegalStateException: Serializer snapshot mismatch for state 'window-contents'",
        }),
      });
    },
    { cause: "unknown", severity: "critical", proposes: ["trigger-checkpoint"] },
  ),
];
