/**
 * The whole checkpoint-failure runbook through the engine, with small in-test port doubles: the
 * deciding logic and the thread's text are under test, not the adapters.
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { Finding } from "../../../../src/core/finding.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import {
  type CheckpointRecord,
  type CheckpointStats,
  FlinkError,
  type FlinkJobSummary,
  type FlinkPort,
} from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type {
  KubernetesPort,
  PodInfo,
  PodLog,
  VolumeClaimInfo,
  VolumeUsage,
} from "../../../../src/ports/kubernetes.ts";
import { checkpointFailureRunbook } from "../../../../src/runbooks/checkpoint-failure/index.ts";
import { fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2026-01-13T10:30:00.000Z");
const JOB = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const GI = 2 ** 30;

const clock: Clock = { now: () => NOW, sleep: async () => undefined };

function notUsed(method: string) {
  return () => Promise.reject(new Error(`fake flink: ${method} is not used in this test`));
}

const job: FlinkJobSummary = {
  id: JOB,
  name: "order-processing",
  state: "RUNNING",
  startTime: new Date("2026-01-10T10:30:00Z"),
  durationMs: 3 * 86_400_000,
};

function record(
  id: number,
  status: CheckpointRecord["status"],
  minutesAgo: number,
  message?: string,
): CheckpointRecord {
  const trigger = new Date(NOW.getTime() - minutesAgo * 60_000);
  return {
    id,
    status,
    isSavepoint: false,
    triggerTime: trigger,
    latestAckTime: status === "COMPLETED" ? new Date(trigger.getTime() + 6_000) : null,
    checkpointedSizeBytes: status === "COMPLETED" ? 120 * 2 ** 20 : 0,
    stateSizeBytes: status === "COMPLETED" ? 1.2 * GI : 0,
    endToEndDurationMs: 6_000,
    acknowledgedSubtasks: 16,
    totalSubtasks: 16,
    externalPath: status === "COMPLETED" ? `s3://checkpoint-bucket/state/${JOB}/chk-${id}` : null,
    failureMessage: message ?? null,
    failureTime: status === "FAILED" ? new Date(trigger.getTime() + 5_000) : null,
  };
}

/** Checkpoints failing with `message` for the last `failing` minutes (none: all complete). */
function history(failing: number, message: string | null): CheckpointStats {
  const records = Array.from({ length: 10 }, (_, i) => {
    const minutesAgo = i + 1;
    return minutesAgo <= failing
      ? record(100 - i, "FAILED", minutesAgo, message ?? undefined)
      : record(100 - i, "COMPLETED", minutesAgo);
  });
  const failed = records.filter((r) => r.status === "FAILED");
  return {
    counts: { restored: 0, total: 100, inProgress: 0, completed: 100 - failed.length, failed: failed.length },
    summary: {
      checkpointedSizeBytes: null,
      stateSizeBytes: null,
      endToEndDurationMs: { min: 6_000, max: 6_500, avg: 6_200, p50: 6_200, p90: 6_400, p99: 6_500 },
    },
    latest: {
      completed: records.find((r) => r.status === "COMPLETED") ?? null,
      savepoint: null,
      failed: failed[0] ?? null,
      restored: null,
    },
    history: records,
  };
}

function fakeFlink(opts: {
  stats: CheckpointStats | Error;
  job?: FlinkJobSummary | Error;
  triggerCalls?: string[];
}): FlinkPort {
  return {
    describeTarget: "Flink REST http://flink-jobmanager:8081",
    overview: notUsed("overview"),
    jobs: async () => [opts.job instanceof Error ? { ...job, state: "FAILED" } : (opts.job ?? job)],
    findJob: async () => {
      if (opts.job instanceof Error) throw opts.job;
      return opts.job ?? job;
    },
    jobDetails: async () => ({
      ...(opts.job instanceof Error ? { ...job, state: "FAILED" } : (opts.job ?? job)),
      maxParallelism: null,
      vertices: [],
    }),
    checkpoints: async () => {
      if (opts.stats instanceof Error) throw opts.stats;
      return opts.stats;
    },
    checkpointConfig: async () => ({
      mode: "exactly_once",
      intervalMs: 60_000,
      timeoutMs: 120_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: true, deleteOnCancellation: false },
      stateBackend: "EmbeddedRocksDBStateBackend",
      checkpointStorage: "FileSystemCheckpointStorage",
      unalignedCheckpoints: false,
      tolerableFailedCheckpoints: 0,
    }),
    exceptions: async () => [],
    vertexBackpressure: notUsed("vertexBackpressure"),
    vertexWatermarks: notUsed("vertexWatermarks"),
    jobMetrics: notUsed("jobMetrics"),
    taskmanagers: notUsed("taskmanagers"),
    taskmanagerMetrics: notUsed("taskmanagerMetrics"),
    taskmanagerMemory: notUsed("taskmanagerMemory"),
    checkpointDetails: () => Promise.reject(new Error("fake flink: checkpointDetails is not used here")),
    jobManagerLog: () => Promise.reject(new Error("fake flink: jobManagerLog is not used here")),
    triggerCheckpoint: async (jobId) => {
      opts.triggerCalls?.push(jobId);
      throw new Error("a diagnosis must never trigger a checkpoint");
    },
  };
}

function runningPod(name: string): PodInfo {
  return {
    name,
    phase: "Running",
    ready: true,
    restarts: 0,
    node: "ip-10-0-1-23",
    startedAt: "2026-01-10T10:30:00Z",
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
  };
}

interface K8sOpts {
  readonly tmLogs?: readonly string[];
  readonly usedFraction?: number;
  readonly claim?: Partial<VolumeClaimInfo>;
}

function fakeK8s(opts: K8sOpts = {}) {
  const writes: string[] = [];
  const log = (pod: string, lines: readonly string[]): PodLog => ({
    pod,
    container: "taskmanager",
    lines,
    matched: lines.length,
    truncated: false,
    error: null,
  });
  const port: KubernetesPort = fakeKubernetesPort({
    describeTarget: "https://eks.example:443",
    listPods: async (_ns, selector) =>
      selector === "app=flink-taskmanager"
        ? [runningPod("flink-taskmanager-0"), runningPod("flink-taskmanager-1")]
        : [runningPod("flink-jobmanager-0")],
    podLogs: async (_ns, selector) =>
      selector === "app=flink-taskmanager"
        ? [log("flink-taskmanager-0", opts.tmLogs ?? [])]
        : [log("flink-jobmanager-0", [])],
    volumeUsage: async (): Promise<VolumeUsage[]> => {
      const capacity = 50 * GI;
      const used = Math.round(capacity * (opts.usedFraction ?? 0.5));
      return [
        {
          pod: "flink-taskmanager-0",
          node: "n",
          volume: "flink-state",
          claim: "flink-state-pvc",
          usedBytes: used,
          capacityBytes: capacity,
          availableBytes: capacity - used,
        },
      ];
    },
    volumeClaim: async (namespace, name) => ({
      namespace,
      name,
      phase: "Bound",
      requested: "50Gi",
      requestedBytes: 50 * GI,
      capacity: "50Gi",
      capacityBytes: 50 * GI,
      storageClass: "gp3",
      allowsExpansion: true,
      resizing: null,
      ...opts.claim,
    }),
    taskmanagerWorkload: async (namespace, name) => ({
      mode: "deployment",
      kind: "Deployment",
      namespace,
      name,
      detectedBy: "deployment",
      flink: null,
    }),
    deletePods: async () => {
      writes.push("deletePods");
      throw new Error("a diagnosis must never delete pods");
    },
    expandVolumeClaim: async () => {
      writes.push("expandVolumeClaim");
      throw new Error("a diagnosis must never grow a claim");
    },
  });
  return { port, writes };
}

function config(input: Record<string, unknown> = {}): AppConfig {
  return {
    ...configSchema.parse({ flink: { url: "http://flink-jobmanager:8081" }, kubernetes: {}, ...input }),
    secrets: {},
  };
}

async function run(ports: Omit<Ports, "clock">, cfg = config()): Promise<RunReport> {
  return runRunbook(checkpointFailureRunbook, { ports: { clock, ...ports }, config: cfg });
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

function titled(s: StepReport, prefix: string): Finding {
  const f = s.findings.find((x) => x.title.startsWith(prefix));
  if (!f) throw new Error(`no finding "${prefix}" in ${s.findings.map((x) => x.title).join(" | ")}`);
  return f;
}

function codes(f: Finding): string[] {
  return f.evidence.flatMap((e) => (e.kind === "code" ? [e.text] : []));
}

const ACCESS_DENIED =
  "java.nio.file.AccessDeniedException: s3://checkpoint-bucket/state/chk-95/_metadata: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)";

describe("checkpoint-failure runbook", () => {
  it("A: shows the job alive, the failure message, the filled-in IAM statement and the trigger button", async () => {
    const k8s = fakeK8s();
    const triggerCalls: string[] = [];
    const report = await run(
      { flink: fakeFlink({ stats: history(4, ACCESS_DENIED), triggerCalls }), kubernetes: k8s.port },
      config({
        pipeline: {
          flinkRoleName: "ProdFlinkRole",
          flinkPolicyName: "ProdCheckpoints",
          checkpointBucket: "prod-ckpt",
        },
      }),
    );
    expect(report.steps.map((s) => [s.title, s.budgetSeconds])).toEqual([
      ["Step 1: Assess", 60],
      ["Step 2: Identify Failure Type", 120],
      ["Step 3: Common Fixes", undefined],
      ["Step 4: Verify Fix", undefined],
      ["Step 5: Post-Incident", undefined],
    ]);
    expect(step(report, "assess")).toMatchObject({
      status: "ok",
      summary:
        "job order-processing RUNNING; 3 of 3 Flink pod(s) running: still running, checkpoints are the problem.",
    });
    const type = step(report, "identify-failure-type");
    expect(type.status).toBe("critical");
    expect(titled(type, "Failure type")).toMatchObject({
      severity: "critical",
      title: "Failure type: A. S3 permission denied",
    });
    expect(titled(type, "4 checkpoint(s) failed in the last 5 minutes").severity).toBe("critical");

    const iam = titled(step(report, "common-fixes"), "A. Grant the Flink role");
    const [get, put] = codes(iam);
    expect(get).toBe(
      "aws iam get-role-policy \\\n  --role-name ProdFlinkRole \\\n  --policy-name ProdCheckpoints",
    );
    expect(put).toContain(
      "aws iam put-role-policy \\\n  --role-name ProdFlinkRole \\\n  --policy-name ProdCheckpoints \\\n  --policy-document '{",
    );
    expect(put).toContain('"Resource": "arn:aws:s3:::prod-ckpt/*"');
    expect(iam.proposals).toEqual([]);

    const trigger = { action: "trigger-checkpoint", label: "Trigger a checkpoint", params: { jobId: JOB } };
    expect(step(report, "verify-fix").findings[0]?.proposals).toEqual([trigger]);
    expect(report.conclusion).toMatchObject({
      cause: "s3-access-denied",
      severity: "critical",
      confidence: "high",
      suggestedActions: [trigger],
    });
    expect(report.conclusion.openBranches).toBeUndefined();

    const post = step(report, "post-incident");
    expect(post.status).toBe("warning");
    expect(post.summary).toBe("State since 2026-01-13 10:25:06 UTC (5 min) is not in any checkpoint.");
    // Reprocessing (if a restart loses the state) starts at the window open at the last checkpoint.
    expect(post.findings[0]?.proposals).toEqual([
      {
        action: "reset-consumer-offsets",
        label: "Reprocess orders.raw from 10:25 UTC",
        params: { group: "order-processor", topic: "orders.raw", fromTime: "2026-01-13T10:25:00.000Z" },
      },
    ]);
    expect(post.findings[0]?.detail).toContain(
      "Reprocess only if a restart happened without a checkpoint to restore: order-processor's offsets stand where checkpoint",
    );
    expect(report.conclusion.suggestedActions.map((a) => a.action)).not.toContain("reset-consumer-offsets");
    expect(triggerCalls).toEqual([]);
    expect(k8s.writes).toEqual([]);
  });

  it("A from a taskmanager log line only: medium confidence, the other kinds stay open", async () => {
    const report = await run({
      flink: fakeFlink({ stats: history(3, null) }),
      kubernetes: fakeK8s({
        tmLogs: [
          "2026-01-13 10:29:05 ERROR CheckpointCoordinator: IOException: Access Denied to s3://checkpoint-bucket/state",
        ],
      }).port,
    });
    expect(report.conclusion).toMatchObject({
      cause: "s3-access-denied",
      confidence: "medium",
      openBranches: ["B. KMS key denied", "C. RocksDB disk full", "D. S3 upload timeout"],
    });
    expect(report.conclusion.evidence?.[0]).toMatch(
      /^a taskmanager log says "2026-01-13 10:29:05 ERROR CheckpointCoordinator/,
    );
  });

  it("C: proposes growing the claim 50Gi -> 100Gi and, riskier, deleting the pods", async () => {
    const report = await run({
      flink: fakeFlink({ stats: history(5, "java.io.IOException: No space left on device") }),
      kubernetes: fakeK8s({ usedFraction: 0.96 }).port,
    });
    const grow = {
      action: "grow-pvc",
      label: "Grow flink-state-pvc 50Gi -> 100Gi",
      params: { namespace: "flink", claim: "flink-state-pvc", from: "50Gi", to: "100Gi" },
    };
    const del = {
      action: "delete-taskmanager-pods",
      label: "Delete taskmanager pods (higher risk: job restarts)",
      params: { namespace: "flink", selector: "app=flink-taskmanager" },
    };
    expect(
      titled(step(report, "common-fixes"), "C. RocksDB disk full: fullest state volume 96% used").proposals,
    ).toEqual([grow]);
    expect(report.conclusion.suggestedActions.map((a) => a.action)).toEqual([
      "grow-pvc",
      "delete-taskmanager-pods",
      "trigger-checkpoint",
    ]);
    expect(report.conclusion.suggestedActions[1]).toEqual(del);
    expect(report.conclusion.confidence).toBe("high");
  });

  it("C: no grow button while a resize is in flight, and says why", async () => {
    const report = await run({
      flink: fakeFlink({ stats: history(5, "No space left on device") }),
      kubernetes: fakeK8s({ usedFraction: 0.99, claim: { resizing: "FileSystemResizePending" } }).port,
    });
    const disk = titled(step(report, "common-fixes"), "C. RocksDB disk full");
    expect(disk.proposals).toEqual([]);
    expect(disk.detail).toContain("A resize is already in flight (FileSystemResizePending)");
    expect(report.conclusion.suggestedActions.map((a) => a.action)).toEqual([
      "delete-taskmanager-pods",
      "trigger-checkpoint",
    ]);
  });

  it("D: gives the exact CheckpointTimeout change from the job's current 120000 ms", async () => {
    const report = await run({
      flink: fakeFlink({ stats: history(5, "Checkpoint expired before completing.") }),
      kubernetes: fakeK8s().port,
    });
    const fix = titled(step(report, "common-fixes"), "D. S3 upload timeout");
    expect(fix.detail).toContain("Raise CheckpointTimeout from 120000 to 600000 ms (10 min)");
    expect(codes(fix)).toContainEqual(
      '# flink-application-properties.json\n{\n  "Checkpoint": {\n    "CheckpointingMode": "EXACTLY_ONCE",\n    "CheckpointInterval": "60000",\n    "CheckpointTimeout": "600000"\n  }\n}',
    );
    expect(report.conclusion.cause).toBe("timeout");
  });

  it("job not RUNNING: reads the crashed job's checkpoints, proposes nothing", async () => {
    const report = await run({
      flink: fakeFlink({ stats: history(3, null), job: new FlinkError("no-job", "no RUNNING job") }),
      kubernetes: fakeK8s().port,
    });
    expect(step(report, "assess").status).toBe("critical");
    expect(report.conclusion).toMatchObject({
      cause: "job-down",
      suggestedActions: [],
      confidence: "medium",
    });
  });

  it("without Flink: says what it could not check and stays unsure", async () => {
    const report = await run({ kubernetes: fakeK8s().port }, config({ flink: undefined }));
    expect(step(report, "identify-failure-type").findings.map((f) => f.title)).toContain(
      "Not checked: Flink REST is not configured",
    );
    expect(report.conclusion).toMatchObject({
      cause: "unknown",
      confidence: "low",
      severity: "warning",
      suggestedActions: [],
    });
    expect(report.conclusion.openBranches).toHaveLength(4);
  });

  it("recovered: newest checkpoints complete, nothing to do", async () => {
    const stats = history(0, null);
    const old = {
      ...stats,
      latest: { ...stats.latest, failed: record(80, "FAILED", 20, "Checkpoint expired before completing.") },
    };
    const report = await run({ flink: fakeFlink({ stats: old }), kubernetes: fakeK8s().port });
    expect(report.conclusion).toMatchObject({ cause: "recovered", severity: "ok", suggestedActions: [] });
    expect(step(report, "post-incident").status).toBe("ok");
    expect(step(report, "post-incident").findings[0]?.proposals).toEqual([]);
  });
});
