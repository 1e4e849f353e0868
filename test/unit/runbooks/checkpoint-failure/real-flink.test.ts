/**
 * checkpoint-failure through the engine on Flink answers shaped as the real Flink 1.20.3 / 2.1.1
 * sends them (test/fixtures/flink-real-shapes.ts, parsed by the adapter's own parsers): the 403
 * that only the JobManager log names, exhausted restarts, a crash loop seen as RUNNING, more
 * failures than Flink's 10 history entries, and a FAILED job's state at risk.
 */
import { describe, expect, it } from "vitest";
import {
  parseCheckpoints,
  parseExceptions,
  parseMetrics,
} from "../../../../src/adapters/flink/flink-parse.ts";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import { FlinkError, type FlinkJobSummary, type FlinkPort } from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { KubernetesPort, PodInfo, PodLog } from "../../../../src/ports/kubernetes.ts";
import { checkpointFailureRunbook } from "../../../../src/runbooks/checkpoint-failure/index.ts";
import { fakeFlinkPort, fakeKubernetesPort } from "../../../fakes/ports.ts";
import {
  EMPTY_EXCEPTIONS,
  JOB_ID,
  jobManagerLog403,
  rawCheckpoint,
  rawCheckpoints,
  rawExhaustedRestarts,
  rawRestartHistory,
} from "../../../fixtures/flink-real-shapes.ts";

const NOW = Date.parse("2026-12-07T17:42:00.000Z");
const S = 1000;
const clock: Clock = { now: () => new Date(NOW), sleep: async () => undefined };

interface FlinkWorld {
  readonly state?: string;
  /** ms before NOW the job started. */
  readonly startedAgoMs?: number;
  readonly durationMs?: number;
  readonly checkpoints: Record<string, unknown>;
  readonly exceptions?: Record<string, unknown>;
  /** numRestarts answered on each read, in turn (the last one repeats). */
  readonly numRestarts?: readonly number[];
  /** /jobmanager/log lines; undefined = 404 as a JobManager that logs to stdout answers. */
  readonly jmLog?: readonly string[];
  readonly externalized?: boolean;
}

function flinkOf(w: FlinkWorld): FlinkPort {
  const startedAgo = w.startedAgoMs ?? 3 * 86_400_000;
  const job: FlinkJobSummary = {
    id: JOB_ID,
    name: "order-processing",
    state: w.state ?? "RUNNING",
    startTime: new Date(NOW - startedAgo),
    durationMs: w.durationMs ?? startedAgo,
  };
  let reads = 0;
  return fakeFlinkPort({
    describeTarget: "Flink REST http://127.0.0.1:8081",
    findJob: async () => {
      if (job.state !== "RUNNING") throw new FlinkError("no-job", "no RUNNING job on Flink REST");
      return job;
    },
    jobs: async () => [job],
    jobDetails: async () => ({ ...job, maxParallelism: 128, vertices: [] }),
    checkpoints: async () => parseCheckpoints(w.checkpoints),
    exceptions: async (_id, max = 10) => parseExceptions(w.exceptions ?? EMPTY_EXCEPTIONS, max, 4000),
    jobMetrics: async () => {
      const values = w.numRestarts ?? [0];
      const v = values[Math.min(reads++, values.length - 1)];
      return parseMetrics([{ id: "numRestarts", value: String(v) }]);
    },
    checkpointConfig: async () => ({
      mode: "exactly_once",
      intervalMs: 5_000,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: w.externalized ?? true, deleteOnCancellation: false },
      stateBackend: "HashMapStateBackend",
      checkpointStorage: "FileSystemCheckpointStorage",
      unalignedCheckpoints: false,
      tolerableFailedCheckpoints: 2147483647,
    }),
    jobManagerLog: async () => {
      if (w.jmLog === undefined) {
        throw new FlinkError(
          "not-found",
          "the JobManager log not served (404: This file does not exist in JobManager log dir.)",
          404,
        );
      }
      return { lines: w.jmLog, truncated: false };
    },
  });
}

function pod(name: string): PodInfo {
  return {
    name,
    phase: "Running",
    ready: true,
    restarts: 0,
    node: "n1",
    startedAt: "2026-12-04T17:42:00Z",
    containers: [
      {
        name: "flink",
        image: "flink:1.20.3",
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

/** Kubernetes whose jobmanager pod logs `jmLines`; podLogs applies grep / tail / maxLines as the adapter does. */
function k8sOf(jmLines: readonly string[]): KubernetesPort {
  return fakeKubernetesPort({
    describeTarget: "https://127.0.0.1:6443",
    listPods: async (_ns, selector) =>
      selector.includes("jobmanager") ? [pod("flink-jobmanager-0")] : [pod("flink-taskmanager-0")],
    podLogs: async (_ns, selector, query = {}): Promise<PodLog[]> => {
      const all = selector.includes("jobmanager") ? jmLines : [];
      const tailed = all.slice(-(query.tailLines ?? 200));
      const needle = query.grep?.toLowerCase();
      const matched = needle === undefined ? tailed : tailed.filter((l) => l.toLowerCase().includes(needle));
      const lines = matched.slice(-(query.maxLines ?? 50));
      const name = selector.includes("jobmanager") ? "flink-jobmanager-0" : "flink-taskmanager-0";
      return [
        {
          pod: name,
          container: "flink",
          lines,
          matched: matched.length,
          truncated: lines.length < matched.length,
          error: null,
        },
      ];
    },
    volumeUsage: async () => [],
    volumeClaim: async (namespace, name) => ({
      namespace,
      name,
      phase: "Bound",
      requested: "50Gi",
      requestedBytes: 50 * 2 ** 30,
      capacity: "50Gi",
      capacityBytes: 50 * 2 ** 30,
      storageClass: "gp3",
      allowsExpansion: true,
      resizing: null,
    }),
    taskmanagerWorkload: async (namespace, name) => ({
      mode: "deployment",
      kind: "Deployment",
      namespace,
      name,
      detectedBy: "deployment",
      flink: null,
    }),
  });
}

function config(withKubernetes: boolean): AppConfig {
  return {
    ...configSchema.parse({
      flink: { url: "http://127.0.0.1:8081" },
      ...(withKubernetes ? { kubernetes: {} } : {}),
    }),
    secrets: {},
  };
}

async function run(flink: FlinkPort, k8s?: KubernetesPort): Promise<RunReport> {
  const ports: Ports = { clock, flink, ...(k8s ? { kubernetes: k8s } : {}) };
  return runRunbook(checkpointFailureRunbook, { ports, config: config(k8s !== undefined) });
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

/** `n` checkpoints, newest first, one every `everyMs`, the newest `newestAgoMs` before NOW. */
function series(
  n: number,
  firstId: number,
  everyMs: number,
  newestAgoMs: number,
  status: (i: number) => "COMPLETED" | "FAILED",
) {
  return Array.from({ length: n }, (_, i) =>
    rawCheckpoint(firstId - i, status(i), NOW - newestAgoMs - i * everyMs),
  );
}

const failing403 = rawCheckpoints(
  series(10, 20, 5 * S, 2 * S, (i) => (i < 8 ? "FAILED" : "COMPLETED")),
  {
    completed: 12,
    failed: 8,
  },
);

describe("(a) a checkpoint failing on S3's 403: Flink REST says only 'Asynchronous task checkpoint failed.'", () => {
  const cases = [
    {
      name: "the jobmanager pod's log (Kubernetes) names the 403",
      flink: () => flinkOf({ checkpoints: failing403 }),
      k8s: () => k8sOf(jobManagerLog403(20, 8)),
    },
    {
      name: "Flink's own /jobmanager/log names the 403 (no Kubernetes configured)",
      flink: () => flinkOf({ checkpoints: failing403, jmLog: jobManagerLog403(20, 8) }),
      k8s: () => undefined,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: s3-access-denied from the CheckpointFailureManager warning's last Caused by`, async () => {
      const report = await run(c.flink(), c.k8s());
      expect(report.conclusion.cause).toBe("s3-access-denied");
      expect(report.conclusion.confidence).toBe("high");
      expect(report.conclusion.summary).toContain("CheckpointFailureManager");
      expect(report.conclusion.summary).toContain(
        'says "Access Denied (Service: Amazon S3; Status Code: 403',
      );
      const s2 = step(report, "identify-failure-type");
      expect(JSON.stringify(s2.findings[0]?.evidence)).toContain(
        "Status Code: 403; Error Code: AccessDenied",
      );
      expect(s2.findings.map((f) => f.title)).toContainEqual(
        expect.stringMatching(
          /^Jobmanager log: checkpoint 20 failed: java\.nio\.file\.AccessDeniedException: s3:\/\/flink-state\//,
        ),
      );
    });
  }

  it("no log source has it: not 'not determined' alone, but exactly where to look", async () => {
    const report = await run(flinkOf({ checkpoints: failing403 }));
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.summary).toContain(
      'Flink REST says only "Asynchronous task checkpoint failed."',
    );
    expect(report.conclusion.summary).toContain("CheckpointFailureManager warning in the jobmanager log");
    expect(report.conclusion.summary).toContain("Flink's /jobmanager/log: not served (HTTP 404)");
    const fix = step(report, "common-fixes").findings[0]!;
    expect(fix.title).toBe("Read the failure in the jobmanager log (human step)");
    const code = JSON.stringify(fix.evidence);
    expect(code).toContain(
      "kubectl logs -n flink -l app=flink-jobmanager --tail=5000 | grep -A80 'Failed to trigger or complete checkpoint'",
    );
    expect(code).toContain("aws logs filter-log-events --log-group-name ecommerce-streaming");
  });
});

describe("(c) a job that exhausted its restarts: the last Caused by, not 'Recovery is suppressed'", () => {
  it("FAILED job: the newest exception is shown by its root cause and the conclusion names it", async () => {
    const root = "java.lang.IllegalStateException: order 17 has no customer (crash-loop switch)";
    const failedAt = NOW - 40 * S;
    const report = await run(
      flinkOf({
        state: "FAILED",
        startedAgoMs: 10 * 60 * S,
        durationMs: 10 * 60 * S - 40 * S,
        checkpoints: rawCheckpoints(
          series(10, 50, 5 * S, 45 * S, () => "COMPLETED"),
          { completed: 50, failed: 0 },
        ),
        exceptions: rawExhaustedRestarts(failedAt, root),
        numRestarts: [3],
      }),
    );
    const s2 = step(report, "identify-failure-type");
    expect(s2.findings.map((f) => f.title)).toContain(`Newest job exception: ${root}`);
    expect(report.conclusion.cause).toBe("job-down");
    expect(report.conclusion.summary).toContain(root);
    expect(report.conclusion.summary).not.toMatch(/^[^—]*— [^;]*Recovery is suppressed/);
  });
});

describe("(d) a crash loop with a 10 s restart delay is RUNNING at every sample", () => {
  const world = (numRestarts: readonly number[], failures: readonly number[]) =>
    flinkOf({
      startedAgoMs: 2 * 60 * S,
      // The newest checkpoint completed between two restarts.
      checkpoints: rawCheckpoints(
        series(6, 9, 10 * S, 3 * S, (i) => (i % 2 === 0 ? "COMPLETED" : "FAILED")),
        {
          completed: 5,
          failed: 4,
        },
      ),
      exceptions: rawRestartHistory(failures, "crash-loop switch: order 42 failed"),
      numRestarts,
    });
  const cases = [
    {
      name: "numRestarts climbs 1 -> 4 while the bot reads",
      restarts: [1, 4],
      failures: [NOW - 5 * S],
      text: "the job shows RUNNING but keeps restarting (numRestarts 4, up 3 in the",
    },
    {
      name: "numRestarts 2 and only the first failure archived yet (as measured on Flink 2.1.1)",
      restarts: [2, 2],
      failures: [NOW - 20 * S],
      text: "the job shows RUNNING but keeps restarting (numRestarts 2, 1 job failure(s) in the last 5 minutes)",
    },
    {
      name: "numRestarts still 0 (the metric lags, as measured on Flink 1.20.3) but three failures in 35 s",
      restarts: [0, 0],
      failures: [NOW - 5 * S, NOW - 20 * S, NOW - 35 * S],
      text: "the job shows RUNNING but keeps restarting (3 job failure(s) in the last 5 minutes)",
    },
    {
      name: "numRestarts 4 and four failures in the last 85 s of the exception history",
      restarts: [4, 4],
      failures: [NOW - 5 * S, NOW - 30 * S, NOW - 55 * S, NOW - 80 * S],
      text: "the job shows RUNNING but keeps restarting (numRestarts 4, 4 job failure(s) in the last 5 minutes)",
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the job is down (crash loop), not recovered, with the fix to find why it fails`, async () => {
      const report = await run(world(c.restarts, c.failures));
      expect(report.conclusion.cause).toBe("job-down");
      expect(report.conclusion.summary).toContain(c.text);
      expect(report.conclusion.summary).toContain("crash-loop switch: order 42 failed");
      const fix = step(report, "common-fixes");
      expect(fix.findings.map((f) => f.title)).not.toContain("No fix needed now: checkpoints complete again");
      expect(step(report, "identify-failure-type").status).toBe("critical");
      if (c.failures.length >= 2) {
        // Step 1 already sees the failures of the last minutes, not just RUNNING.
        expect(step(report, "assess").status).toBe("critical");
        expect(step(report, "assess").summary).toContain("keeps restarting");
      }
    });
  }

  it("one restart long ago and checkpoints completing: recovered (numRestarts alone is history)", async () => {
    const report = await run(
      flinkOf({
        checkpoints: rawCheckpoints(
          series(10, 400, 60 * S, 3 * S, () => "COMPLETED"),
          { completed: 400, failed: 3 },
        ),
        exceptions: rawRestartHistory([NOW - 3 * 3600 * S], "a transient failure"),
        numRestarts: [1, 1],
      }),
    );
    expect(report.conclusion.cause).toBe("recovered");
  });
});

describe("(e) failed checkpoints in the window: counts.failed, not the 10 history entries", () => {
  const failedAll = (n: number, everyMs: number) => series(n, 14, everyMs, 2 * S, () => "FAILED");
  const cases = [
    {
      name: "13 failed in the 65 s since the job started (history keeps 10)",
      startedAgoMs: 65 * S,
      entries: failedAll(13, 5 * S),
      counts: { completed: 1, failed: 13 },
      title: "13 checkpoint(s) failed in the last 5 minutes",
    },
    {
      name: "an old job whose 10 retained entries all failed inside the window",
      startedAgoMs: 3 * 86_400_000,
      entries: failedAll(10, 20 * S),
      counts: { completed: 4000, failed: 57 },
      title: "at least 10 checkpoint(s) failed in the last 5 minutes",
    },
    {
      name: "an old job with failures older than the window in its history: the exact count",
      startedAgoMs: 3 * 86_400_000,
      entries: failedAll(10, 60 * S),
      counts: { completed: 4000, failed: 57 },
      title: "5 checkpoint(s) failed in the last 5 minutes",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const report = await run(
        flinkOf({
          startedAgoMs: c.startedAgoMs,
          checkpoints: rawCheckpoints(c.entries, c.counts),
          jmLog: jobManagerLog403(14, 13),
        }),
      );
      expect(step(report, "identify-failure-type").findings.map((f) => f.title)).toContain(c.title);
    });
  }
});

describe("(g) a FAILED job: the conclusion and Step 5 agree on the state at risk", () => {
  const failedJob = (externalized: boolean) =>
    flinkOf({
      state: "FAILED",
      startedAgoMs: 10 * 60 * S,
      durationMs: 10 * 60 * S - 40 * S,
      checkpoints: rawCheckpoints(
        series(10, 50, 5 * S, 45 * S, () => "COMPLETED"),
        { completed: 50, failed: 0 },
      ),
      exceptions: rawExhaustedRestarts(NOW - 40 * S, "java.lang.RuntimeException: boom"),
      numRestarts: [3],
      externalized,
    });
  it("checkpoints completed until the job failed: both say what it processed after checkpoint 50 is in no checkpoint", async () => {
    const report = await run(failedJob(true));
    const s5 = step(report, "post-incident");
    expect(s5.status).toBe("warning");
    expect(s5.summary).toContain("The job is FAILED: what it processed after checkpoint 50");
    expect(report.conclusion.summary).toContain("The job is FAILED: what it processed after checkpoint 50");
    expect(`${report.conclusion.summary} ${s5.summary}`).not.toContain("No state at risk");
  });
  it("checkpoints not externalized: both say Flink deleted them when the job failed", async () => {
    const report = await run(failedJob(false));
    expect(step(report, "post-incident").summary).toContain("Flink deleted them when the job stopped");
    expect(report.conclusion.summary).toContain("Flink deleted them when the job stopped");
  });
});
