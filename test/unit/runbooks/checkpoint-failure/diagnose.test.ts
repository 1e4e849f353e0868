import { describe, expect, it } from "vitest";
import type { CheckpointRecord, CheckpointStats } from "../../../../src/ports/flink.ts";
import type { PodInfo, VolumeUsage } from "../../../../src/ports/kubernetes.ts";
import {
  type CheckpointFailureCause,
  type CheckpointFailureSignals,
  diagnoseCheckpointFailure,
  type FailureClassification,
} from "../../../../src/runbooks/checkpoint-failure/diagnose.ts";
import { riskWindow } from "../../../../src/runbooks/checkpoint-failure/post-incident-step.ts";
import {
  accessDetails,
  classifyTexts,
  failedInWindow,
  podTrouble,
  stateVolumes,
} from "../../../../src/runbooks/checkpoint-failure/signals.ts";
import { iamPolicyDocument, proposedTimeoutMs } from "../../../../src/runbooks/checkpoint-failure/steps.ts";

const base: CheckpointFailureSignals = { diskFullFraction: 0.9 };

const fromCheckpoint = (kind: FailureClassification["kind"]): FailureClassification => ({
  kind,
  evidence: "the deciding line",
  source: "checkpoint",
});

interface Case {
  readonly name: string;
  readonly signals: Partial<CheckpointFailureSignals>;
  readonly cause: CheckpointFailureCause;
  readonly confidence: "high" | "medium" | "low";
  readonly open?: readonly CheckpointFailureCause[];
  readonly note?: RegExp;
}

const running = { jobState: "RUNNING", brokenPods: [], failedInWindow: 3, newestFinished: "FAILED" } as const;

const cases: Case[] = [
  {
    name: "S3 denied in the failure message",
    signals: { ...running, classification: fromCheckpoint("s3-access-denied") },
    cause: "s3-access-denied",
    confidence: "high",
  },
  {
    name: "KMS denied in the failure message",
    signals: { ...running, classification: fromCheckpoint("kms-denied") },
    cause: "kms-denied",
    confidence: "high",
  },
  {
    name: "timeout from an exception",
    signals: { ...running, classification: { kind: "timeout", evidence: "x", source: "exception" } },
    cause: "timeout",
    confidence: "high",
  },
  {
    name: "S3 denied only in a taskmanager log: medium, the other kinds stay open",
    signals: {
      ...running,
      classification: { kind: "s3-access-denied", evidence: "x", source: "taskmanager-log" },
    },
    cause: "s3-access-denied",
    confidence: "medium",
    open: ["kms-denied", "disk-full", "timeout"],
  },
  {
    name: "disk full from a log, volume 97% used: corroborated, high",
    signals: {
      ...running,
      maxVolumeUsed: 0.97,
      classification: { kind: "disk-full", evidence: "x", source: "jobmanager-log" },
    },
    cause: "disk-full",
    confidence: "high",
    note: /97% used/,
  },
  {
    name: "disk full in the message but the volume is 40% used: conflict, medium",
    signals: { ...running, maxVolumeUsed: 0.4, classification: fromCheckpoint("disk-full") },
    cause: "disk-full",
    confidence: "medium",
    note: /^conflict: .*40% used/,
  },
  {
    name: "a known kind wins over a job that is down, which is noted",
    signals: { ...running, jobState: "RESTARTING", classification: fromCheckpoint("disk-full") },
    cause: "disk-full",
    confidence: "high",
    note: /the job is down too: the job is RESTARTING/,
  },
  {
    name: "intermittent failures: newest completed, failures in the window",
    signals: { ...running, newestFinished: "COMPLETED", classification: fromCheckpoint("timeout") },
    cause: "timeout",
    confidence: "high",
    note: /^intermittent/,
  },
  {
    name: "crash-looping pods, no message: job-down, OOMKilled noted",
    signals: { ...running, brokenPods: ["flink-taskmanager-0: CrashLoopBackOff"], oomKilled: true },
    cause: "job-down",
    confidence: "medium",
    open: ["s3-access-denied", "kms-denied", "disk-full", "timeout"],
    note: /OOMKilled/,
  },
  { name: "Flink lists no job", signals: { jobState: null }, cause: "job-down", confidence: "medium" },
  {
    name: "newest completed, no failure in 5 minutes: recovered even with an old message",
    signals: {
      ...running,
      failedInWindow: 0,
      newestFinished: "COMPLETED",
      classification: fromCheckpoint("timeout"),
    },
    cause: "recovered",
    confidence: "high",
    note: /earlier failures read as D\. S3 upload timeout/,
  },
  {
    name: "a job that is down has not recovered, whatever its last checkpoint",
    signals: { jobState: "FAILED", failedInWindow: 0, newestFinished: "COMPLETED" },
    cause: "job-down",
    confidence: "medium",
  },
  {
    name: "failures without any message",
    signals: running,
    cause: "unknown",
    confidence: "low",
    open: ["s3-access-denied", "kms-denied", "disk-full", "timeout"],
  },
  { name: "nothing read at all", signals: {}, cause: "unknown", confidence: "low" },
];

describe("diagnoseCheckpointFailure", () => {
  it.each(cases)("$name", ({ signals, cause, confidence, open, note }) => {
    const d = diagnoseCheckpointFailure({ ...base, ...signals });
    expect(d.cause).toBe(cause);
    expect(d.confidence).toBe(confidence);
    if (open) expect(d.openBranches).toEqual(open);
    if (note)
      expect(
        d.notes.some((n) => note.test(n)),
        d.notes.join(" | "),
      ).toBe(true);
  });

  it("quotes the deciding line, cut to 160 characters", () => {
    const long = `Access Denied ${"x".repeat(300)}`;
    const d = diagnoseCheckpointFailure({
      ...base,
      ...running,
      classification: { kind: "s3-access-denied", evidence: long, source: "checkpoint" },
    });
    expect(d.because).toBe(`the latest failed checkpoint's failure message says "${long.slice(0, 159)}…"`);
  });
});

describe("classifyTexts", () => {
  it("takes the first text that says anything, and says where it came from", () => {
    expect(
      classifyTexts([
        { source: "checkpoint", text: "Checkpoint was declined." },
        { source: "history", text: "Checkpoint expired before completing." },
        { source: "taskmanager-log", text: "IOException: Access Denied to s3://checkpoint-bucket/state" },
      ]),
    ).toEqual({ kind: "timeout", evidence: "Checkpoint expired before completing.", source: "history" });
    expect(classifyTexts([{ source: "checkpoint", text: "Checkpoint was declined." }])).toBeUndefined();
  });
});

describe("accessDetails", () => {
  it("reads the key ARN, the account and the denied role from a KMS denial", () => {
    expect(
      accessDetails([
        {
          source: "checkpoint",
          text: "User: arn:aws:sts::210987654321:assumed-role/OtherRole/flink is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:123456789012:key/mrk-1a2b3c",
        },
      ]),
    ).toEqual({
      keyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1a2b3c",
      account: "210987654321",
      deniedRole: "OtherRole",
    });
  });

  it("falls back to the key's account, and to nothing when no text names them", () => {
    expect(
      accessDetails([
        { source: "history", text: "kms:Decrypt denied on arn:aws:kms:us-east-1:123456789012:key/abc-def" },
      ]),
    ).toEqual({
      keyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-def",
      account: "123456789012",
    });
    expect(accessDetails([{ source: "history", text: "Access to KMS is not allowed" }])).toEqual({});
  });
});

const pod = (over: Partial<PodInfo> = {}): PodInfo => ({
  name: "flink-taskmanager-0",
  phase: "Running",
  ready: true,
  restarts: 0,
  node: "n1",
  startedAt: null,
  containers: [
    {
      name: "taskmanager",
      image: "flink-job:1.4.3",
      ready: true,
      restarts: 0,
      state: "running",
      reason: null,
      exitCode: null,
      lastTerminationReason: null,
    },
  ],
  problem: null,
  ...over,
});

describe("podTrouble", () => {
  it("is undefined for a running, ready pod, even after an old OOM restart", () => {
    expect(podTrouble(pod({ restarts: 2, problem: "OOMKilled" }))).toBeUndefined();
  });
  it("names the waiting reason and the last termination", () => {
    const crashing = pod({
      ready: false,
      containers: [
        {
          ...pod().containers[0]!,
          state: "waiting",
          reason: "CrashLoopBackOff",
          lastTerminationReason: "OOMKilled",
        },
      ],
    });
    expect(podTrouble(crashing)).toBe("CrashLoopBackOff (last run: OOMKilled)");
    expect(podTrouble(pod({ phase: "Pending", ready: false }))).toBe("Pending, not ready");
  });
});

const at = (iso: string) => new Date(`2026-01-13T${iso}Z`);

function record(id: number, status: CheckpointRecord["status"], trigger: string): CheckpointRecord {
  return {
    id,
    status,
    isSavepoint: false,
    triggerTime: at(trigger),
    latestAckTime: status === "COMPLETED" ? new Date(at(trigger).getTime() + 6_000) : null,
    checkpointedSizeBytes: 0,
    stateSizeBytes: 0,
    endToEndDurationMs: 6_000,
    acknowledgedSubtasks: 0,
    totalSubtasks: 4,
    externalPath: null,
    failureMessage: status === "FAILED" ? "Checkpoint expired before completing." : null,
    failureTime: status === "FAILED" ? new Date(at(trigger).getTime() + 10_000) : null,
  };
}

function stats(history: CheckpointRecord[]): CheckpointStats {
  return {
    counts: { restored: 0, total: history.length, inProgress: 0, completed: 0, failed: 0 },
    summary: { checkpointedSizeBytes: null, stateSizeBytes: null, endToEndDurationMs: null },
    latest: {
      completed: history.find((c) => c.status === "COMPLETED") ?? null,
      savepoint: null,
      failed: history.find((c) => c.status === "FAILED") ?? null,
      restored: null,
    },
    history,
  };
}

describe("failedInWindow and riskWindow", () => {
  const history = [
    record(45, "FAILED", "10:29:00"),
    record(44, "FAILED", "10:28:00"),
    record(43, "FAILED", "10:24:00"),
    record(42, "COMPLETED", "10:23:00"),
  ];
  const readAt = at("10:30:00");

  it("counts failures within the 5 minutes before the read (by failure time)", () => {
    expect(failedInWindow(history, readAt).map((c) => c.id)).toEqual([45, 44]);
  });

  it("puts the window of state at risk between the last completed checkpoint and now", () => {
    const w = riskWindow({ jobId: "j", stats: stats(history), readAt });
    expect(w.lastCompleted?.id).toBe(42);
    expect(w.firstFailure?.id).toBe(43);
    expect(w.failuresOlderThanHistory).toBe(false);
    expect(w.atRiskMs).toBe(7 * 60_000 - 6_000);
  });

  it("says failures may be older than the history when every retained checkpoint failed", () => {
    const failedOnly = history.filter((c) => c.status === "FAILED");
    const w = riskWindow({
      jobId: "j",
      stats: {
        ...stats(failedOnly),
        latest: { ...stats(failedOnly).latest, completed: record(30, "COMPLETED", "10:00:00") },
      },
      readAt,
    });
    expect(w.failuresOlderThanHistory).toBe(true);
    expect(w.firstFailure?.id).toBe(43);
    expect(w.atRiskMs).toBe(30 * 60_000 - 6_000);
  });
});

describe("fix values", () => {
  it("raises the checkpoint timeout to the seed's 10 minutes, or doubles it beyond", () => {
    expect(proposedTimeoutMs(120_000)).toBe(600_000);
    expect(proposedTimeoutMs(600_000)).toBe(1_200_000);
  });

  it("fills the IAM statement in for the bucket, with the bucket-level ListBucket", () => {
    expect(JSON.parse(iamPolicyDocument("prod-checkpoints"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
          Resource: "arn:aws:s3:::prod-checkpoints/*",
        },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::prod-checkpoints" },
      ],
    });
  });

  it("reads the state claim's volumes, or per-pod claims named after it", () => {
    const v = (claim: string | null): VolumeUsage => ({
      pod: "p",
      node: "n",
      volume: "v",
      claim,
      usedBytes: 1,
      capacityBytes: 2,
      availableBytes: 1,
    });
    expect(
      stateVolumes([v("flink-state-pvc-flink-taskmanager-0"), v("other"), v(null)], "flink-state-pvc"),
    ).toHaveLength(1);
    expect(stateVolumes([v("other"), v(null)], "flink-state-pvc").map((x) => x.claim)).toEqual(["other"]);
  });
});
