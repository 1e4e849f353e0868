/**
 * The whole memory-usage runbook through the engine, with small in-test port doubles: the
 * requests the probes make, the thread's text, and the conclusion (cause, confidence, proposals).
 */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { EvidenceBlock, Finding } from "../../../../src/core/finding.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../../src/ports/clock.ts";
import type { CheckpointRecord, FlinkPort, TaskManagerMemory } from "../../../../src/ports/flink.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { LogQuery, PodInfo, PodUsage } from "../../../../src/ports/kubernetes.ts";
import {
  type MetricPoint,
  type MetricQuery,
  type MetricsPort,
  seriesBatchBySeries,
} from "../../../../src/ports/metrics.ts";
import { memoryUsageRunbook } from "../../../../src/runbooks/memory-usage/index.ts";
import { fakeKubernetesPort } from "../../../fakes/ports.ts";

const NOW = new Date("2025-03-01T12:00:00.000Z");
const clock: Clock = { now: () => NOW, sleep: async () => undefined };
const GI = 2 ** 30;

function pointsOf(values: readonly number[]): MetricPoint[] {
  return values.map((value, i) => ({ at: new Date(NOW.getTime() - (values.length - i) * 60_000), value }));
}

function fakeMetrics(series: Readonly<Record<string, readonly number[] | Error>>) {
  const queries: MetricQuery[] = [];
  const one = async (query: MetricQuery) => {
    queries.push(query);
    const values = series[query.metric];
    if (values instanceof Error) throw values;
    return pointsOf(values ?? []);
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch us-east-1",
    series: one,
    seriesBatch: (window, selectors) => seriesBatchBySeries(one, window, selectors),
  };
  return { port, queries };
}

function notUsed(method: string) {
  return () => Promise.reject(new Error(`fake flink: ${method} is not used in this test`));
}

const checkpoint: CheckpointRecord = {
  id: 4_812,
  status: "COMPLETED",
  isSavepoint: false,
  triggerTime: new Date("2025-03-01T11:59:10.000Z"),
  latestAckTime: new Date("2025-03-01T11:59:16.000Z"),
  checkpointedSizeBytes: 120 * 2 ** 20,
  stateSizeBytes: 1.5 * GI,
  endToEndDurationMs: 6_000,
  acknowledgedSubtasks: 16,
  totalSubtasks: 16,
  externalPath: "s3://checkpoint-bucket/state/order-processing/job-1/chk-4812",
  failureMessage: null,
  failureTime: null,
};

function fakeFlink(opts: { heapShare: number; network?: boolean; completed?: CheckpointRecord | null }) {
  const metricCalls: { id: string; names: readonly string[] }[] = [];
  const memory: TaskManagerMemory[] = [0, 1].map((i) => ({
    id: `tm-${i}`,
    heapUsedBytes: Math.round(4 * GI * opts.heapShare),
    heapMaxBytes: 4 * GI,
    managedUsedBytes: 1.6 * GI,
    managedTotalBytes: 2 * GI,
    directUsedBytes: 310 * 2 ** 20,
    gcTimeMs: 81_000,
  }));
  const port: FlinkPort = {
    describeTarget: "Flink REST http://flink-jobmanager:8081",
    overview: notUsed("overview"),
    jobs: notUsed("jobs"),
    findJob: async () => ({
      id: "job-1",
      name: "order-processing",
      state: "RUNNING",
      startTime: null,
      durationMs: 1,
    }),
    jobDetails: notUsed("jobDetails"),
    checkpoints: async () => ({
      counts: { restored: 0, total: 10, inProgress: 0, completed: 10, failed: 0 },
      summary: { checkpointedSizeBytes: null, stateSizeBytes: null, endToEndDurationMs: null },
      latest: {
        completed: opts.completed === undefined ? checkpoint : opts.completed,
        savepoint: null,
        failed: null,
        restored: null,
      },
      history: [],
    }),
    checkpointConfig: notUsed("checkpointConfig"),
    exceptions: notUsed("exceptions"),
    vertexBackpressure: notUsed("vertexBackpressure"),
    vertexWatermarks: notUsed("vertexWatermarks"),
    jobMetrics: notUsed("jobMetrics"),
    taskmanagers: notUsed("taskmanagers"),
    taskmanagerMetrics: async (id, names) => {
      metricCalls.push({ id, names });
      return opts.network
        ? {
            "Status.Shuffle.Netty.UsedMemory": 60 * 2 ** 20,
            "Status.Shuffle.Netty.TotalMemory": 64 * 2 ** 20,
            "Status.JVM.Memory.NonHeap.Used": 180 * 2 ** 20,
          }
        : {};
    },
    taskmanagerMemory: async () => memory,
    checkpointDetails: () => Promise.reject(new Error("fake flink: checkpointDetails is not used here")),
    jobManagerLog: () => Promise.reject(new Error("fake flink: jobManagerLog is not used here")),
    triggerCheckpoint: () => Promise.reject(new Error("a diagnosis must never trigger a checkpoint")),
  };
  return { port, metricCalls };
}

function podInfo(name: string, lastTermination: string | null = null): PodInfo {
  return {
    name,
    phase: "Running",
    ready: true,
    restarts: lastTermination ? 2 : 0,
    node: "node-1",
    startedAt: "2025-03-01T08:00:00Z",
    problem: lastTermination,
    containers: [
      {
        name: "taskmanager",
        image: "flink-job:1.4.3",
        ready: true,
        restarts: lastTermination ? 2 : 0,
        state: "running",
        reason: null,
        exitCode: null,
        lastTerminationReason: lastTermination,
      },
    ],
  };
}

function fakeKubernetes(opts: { memoryShare: number; windowLines?: number; oom?: boolean }) {
  const logQueries: (LogQuery | undefined)[] = [];
  const names = ["flink-taskmanager-0", "flink-taskmanager-1"];
  const port = fakeKubernetesPort({
    describeTarget: "https://eks.example:443",
    podUsage: async (): Promise<PodUsage[]> =>
      names.map((pod, i) => ({
        pod,
        cpuMillicores: 900,
        memoryBytes: Math.round(8 * GI * (opts.memoryShare - i * 0.02)),
        cpuLimitMillicores: 2000,
        memoryLimitBytes: 8 * GI,
      })),
    listPods: async () => names.map((n, i) => podInfo(n, opts.oom && i === 1 ? "OOMKilled" : null)),
    volumeUsage: async () =>
      names.map((pod) => ({
        pod,
        node: "node-1",
        volume: "flink-state",
        claim: "flink-state-pvc",
        usedBytes: 2 * GI,
        capacityBytes: 50 * GI,
        availableBytes: 48 * GI,
      })),
    podLogs: async (_ns, _selector, query) => {
      logQueries.push(query);
      const n = opts.windowLines ?? 3;
      return names.map((pod) => ({
        pod,
        container: "taskmanager",
        lines:
          n === 0
            ? []
            : ["2025-03-01 11:58:00,000 INFO  OrderWindowFunction [] - window emitted: window=[11:57,11:58)"],
        matched: n,
        truncated: n > 1,
        error: null,
      }));
    },
    setContainerResources: () => Promise.reject(new Error("a diagnosis must never change resources")),
    restartRollout: () => Promise.reject(new Error("a diagnosis must never restart anything")),
  });
  return { port, logQueries };
}

const sixty = (f: (i: number) => number) => Array.from({ length: 60 }, (_, i) => f(i));
/** 60% an hour ago -> 88% now. */
const growing = sixty((i) => 60 + (28 * i) / 59);
const stable86 = sixty((i) => 86 + (i % 2) * 0.5);
const steadyState = sixty(() => 1.2e9);
const calmBuffers = Array.from({ length: 10 }, () => 40);

function makeConfig(): AppConfig {
  return {
    ...configSchema.parse({
      aws: { region: "us-east-1" },
      kubernetes: {},
      flink: { url: "http://flink:8081" },
    }),
    secrets: {},
  };
}

interface World {
  metrics?: Readonly<Record<string, readonly number[] | Error>>;
  flink?: Parameters<typeof fakeFlink>[0];
  kubernetes?: Parameters<typeof fakeKubernetes>[0];
}

async function run(w: World) {
  const metrics = w.metrics ? fakeMetrics(w.metrics) : undefined;
  const flink = w.flink ? fakeFlink(w.flink) : undefined;
  const kubernetes = w.kubernetes ? fakeKubernetes(w.kubernetes) : undefined;
  const ports: Ports = {
    clock,
    ...(metrics ? { metrics: metrics.port } : {}),
    ...(flink ? { flink: flink.port } : {}),
    ...(kubernetes ? { kubernetes: kubernetes.port } : {}),
  };
  const report = await runRunbook(memoryUsageRunbook, { ports, config: makeConfig() });
  return { report, metrics, flink, kubernetes };
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no step ${id}`);
  return s;
}

function findingTitled(s: StepReport, prefix: string): Finding {
  const f = s.findings.find((x) => x.title.startsWith(prefix));
  if (f === undefined)
    throw new Error(`no finding "${prefix}..." in ${s.findings.map((x) => x.title).join(" | ")}`);
  return f;
}

function table(f: Finding): Extract<EvidenceBlock, { kind: "table" }> {
  const t = f.evidence.find((e) => e.kind === "table");
  if (t?.kind !== "table") throw new Error(`no table in ${f.title}`);
  return t;
}

const leakWorld: World = {
  metrics: {
    memory_usage_percentage: growing,
    StateBackendUsedBytes: steadyState,
    task_buffer_out_pool_usage_percentage: calmBuffers,
  },
  flink: { heapShare: 0.93, network: true },
  kubernetes: { memoryShare: 0.9, oom: true },
};

describe("memory-usage runbook: JVM heap leak", () => {
  it("reads the seed's metrics with the seed's statistics and windows", async () => {
    const { metrics } = await run(leakWorld);
    expect(
      metrics!.queries.map((q) => [
        q.namespace,
        q.metric,
        q.stat,
        q.periodSeconds,
        (NOW.getTime() - q.start.getTime()) / 60_000,
      ]),
    ).toEqual([
      ["ecommerce-streaming", "memory_usage_percentage", "Average", 60, 60],
      ["ecommerce-streaming", "StateBackendUsedBytes", "Average", 60, 60],
      ["ecommerce-streaming", "task_buffer_out_pool_usage_percentage", "Average", 60, 10],
    ]);
  });

  it("shows the trend, the Flink breakdown instead of jmap, and the pods against their limits", async () => {
    const { report, flink } = await run(leakWorld);
    expect(flink!.metricCalls.map((c) => c.names)).toEqual([
      [
        "Status.Shuffle.Netty.UsedMemory",
        "Status.Shuffle.Netty.TotalMemory",
        "Status.JVM.Memory.NonHeap.Used",
      ],
      [
        "Status.Shuffle.Netty.UsedMemory",
        "Status.Shuffle.Netty.TotalMemory",
        "Status.JVM.Memory.NonHeap.Used",
      ],
    ]);
    const assess = step(report, "assess");
    expect(assess.title).toBe("Step 1: Assess");
    expect(assess.budgetSeconds).toBe(60);
    expect(assess.status).toBe("critical");
    expect(assess.summary).toBe(
      "Memory 88% (threshold 85%), growing +28.5 points/hour; heap up to 93%; pods up to 90% of their limit.",
    );
    const trend = findingTitled(assess, "Memory 88%");
    expect(trend.title).toBe("Memory 88% (threshold 85%), growing over the hour");
    expect(trend.detail).toBe(
      "11:00 60% -> 11:59 88% (+28.5 points/hour). Growing trend = MEMORY LEAK (serious): at 95% the taskmanager is OOMKilled and the restart loses in-flight state.",
    );
    expect(table(trend).rows[0]).toEqual(["11:00", "60%"]);
    const breakdown = findingTitled(assess, "JVM heap up to 93%");
    expect(table(breakdown).rows[0]).toEqual([
      "tm-0",
      "3.7 GiB / 4.0 GiB (93%)",
      "1.6 GiB / 2.0 GiB (80%)",
      "60 MiB / 64 MiB (94%)",
      "310 MiB",
      "180 MiB",
    ]);
    const pods = findingTitled(assess, "Pod memory up to 90%");
    expect(pods.title).toBe("Pod memory up to 90% of its limit; OOMKilled before: flink-taskmanager-1");
    expect(table(pods).rows[1]).toEqual([
      "flink-taskmanager-1",
      "7.0 GiB",
      "8.0 GiB",
      "88%",
      "2 (last: OOMKilled)",
    ]);
  });

  it("concludes heap-leak, gives the heap dump as a human step, and offers memory and a restart with its cost", async () => {
    const { report } = await run(leakWorld);
    const cause = step(report, "determine-cause");
    expect(cause.title).toBe("Step 2: Determine Cause");
    expect(cause.budgetSeconds).toBe(120);
    expect(cause.summary).toMatch(/^Likely cause: memory leak \(A: JVM heap growing\)/);

    const fix = step(report, "fix-by-cause");
    const dump = findingTitled(fix, "Human step: take and read a heap dump");
    const code = dump.evidence.filter((e) => e.kind === "code").map((e) => (e.kind === "code" ? e.text : ""));
    expect(code[0]).toContain(
      "kubectl exec -n flink flink-taskmanager-0 -- jmap -dump:live,format=b,file=/tmp/heap.dump 1",
    );
    expect(code[0]).toContain("jhat heap.dump");

    const mitigation = step(report, "mitigation");
    const restart = findingTitled(mitigation, "Restart the taskmanagers");
    expect(restart.detail).toBe(
      "A restart reloads 1.5 GiB of state from checkpoint 4812 (completed 11:59:16 UTC, 44 s before this run) at s3://checkpoint-bucket/state/order-processing/job-1/chk-4812; records after it are read again from Kafka, a short burst of lag while the job catches up. The leak comes back: fix its cause.",
    );

    const c = report.conclusion;
    expect(c).toMatchObject({ cause: "heap-leak", severity: "critical", confidence: "high" });
    expect(c.openBranches).toBeUndefined();
    expect(c.suggestedActions).toEqual([
      {
        action: "set-taskmanager-resources",
        label: "Set taskmanager memory: limit 8Gi -> 16Gi, request 8Gi",
        params: {
          namespace: "flink",
          deployment: "flink-taskmanager",
          container: "taskmanager",
          requests: { memory: "8Gi" },
          limits: { memory: "16Gi" },
        },
      },
      {
        action: "restart-taskmanagers",
        label: "Restart taskmanagers (state reloads from the last checkpoint)",
        params: { namespace: "flink", deployment: "flink-taskmanager" },
      },
    ]);
  });

  it("with the heap not full, the leak may be off-heap: medium confidence and that branch open", async () => {
    const { report } = await run({ ...leakWorld, flink: { heapShare: 0.6 } });
    expect(report.conclusion.cause).toBe("heap-leak");
    expect(report.conclusion.confidence).toBe("medium");
    expect(report.conclusion.openBranches).toEqual([
      "off-heap growth (RocksDB native memory, not in StateBackendUsedBytes): heap at 60%",
    ]);
  });

  it("warns when there is no checkpoint to restart from", async () => {
    const { report } = await run({ ...leakWorld, flink: { heapShare: 0.93, completed: null } });
    expect(findingTitled(step(report, "mitigation"), "Restart the taskmanagers").detail).toMatch(
      /^order-processing has no completed checkpoint: a restart would start without state/,
    );
  });
});

describe("memory-usage runbook: other branches", () => {
  it("state growth: counts window emits in the pod logs and offers memory, not a restart", async () => {
    const { report, kubernetes } = await run({
      metrics: {
        memory_usage_percentage: growing,
        StateBackendUsedBytes: sixty((i) => 1.2e9 + i * 6e7),
        task_buffer_out_pool_usage_percentage: calmBuffers,
      },
      flink: { heapShare: 0.7 },
      kubernetes: { memoryShare: 0.88, windowLines: 0 },
    });
    expect(kubernetes!.logQueries).toEqual([
      { grep: "window emitted", sinceSeconds: 900, tailLines: 5000, maxLines: 3 },
    ]);
    expect(report.conclusion.cause).toBe("state-growth");
    expect(report.conclusion.suggestedActions.map((a) => a.action)).toEqual(["set-taskmanager-resources"]);
    const fix = step(report, "fix-by-cause");
    expect(fix.findings.map((f) => f.title)).toEqual([
      "Local state volume: up to 2.0 GiB used",
      'No "window emitted" line in 15 min on 2 of 2 taskmanager(s)',
      "Human step: check the window trigger (code change)",
    ]);
    expect(findingTitled(step(report, "mitigation"), "A restart does not help here")).toBeDefined();
  });

  it("buffers full: points to the downstream runbooks and proposes nothing", async () => {
    const { report } = await run({
      metrics: {
        memory_usage_percentage: stable86,
        StateBackendUsedBytes: steadyState,
        task_buffer_out_pool_usage_percentage: [...Array(5).fill(40), ...Array(5).fill(93)],
      },
      flink: { heapShare: 0.7 },
      kubernetes: { memoryShare: 0.8 },
    });
    expect(report.conclusion).toMatchObject({
      cause: "backpressure-buffers",
      severity: "warning",
      suggestedActions: [],
    });
    expect(findingTitled(step(report, "fix-by-cause"), "Check downstream").detail).toContain(
      "`/runbook firehose` (delivery failures) and `/runbook lag`",
    );
  });

  it("stable at 86%: a spike to monitor, nothing proposed", async () => {
    const { report } = await run({
      metrics: {
        memory_usage_percentage: stable86,
        StateBackendUsedBytes: steadyState,
        task_buffer_out_pool_usage_percentage: calmBuffers,
      },
      flink: { heapShare: 0.7 },
      kubernetes: { memoryShare: 0.8 },
    });
    expect(report.conclusion).toMatchObject({
      cause: "spike",
      severity: "warning",
      confidence: "high",
      suggestedActions: [],
    });
  });

  it("stable but at 92%: close to the OOM line, more memory is offered", async () => {
    const { report } = await run({
      metrics: {
        memory_usage_percentage: sixty(() => 92),
        StateBackendUsedBytes: steadyState,
        task_buffer_out_pool_usage_percentage: calmBuffers,
      },
      flink: { heapShare: 0.7 },
      kubernetes: { memoryShare: 0.92 },
    });
    expect(report.conclusion.cause).toBe("spike");
    expect(report.conclusion.suggestedActions.map((a) => a.action)).toEqual(["set-taskmanager-resources"]);
  });

  it("72% and flat: below the threshold", async () => {
    const { report } = await run({
      metrics: {
        memory_usage_percentage: sixty(() => 72),
        StateBackendUsedBytes: steadyState,
        task_buffer_out_pool_usage_percentage: calmBuffers,
      },
    });
    expect(report.conclusion).toMatchObject({ cause: "below-threshold", severity: "ok", confidence: "high" });
    expect(findingTitled(step(report, "assess"), "Memory 72%").severity).toBe("ok");
    // Flink and Kubernetes are not configured here: said, not hidden.
    expect(findingTitled(step(report, "assess"), "Not checked: Flink REST is not configured").severity).toBe(
      "info",
    );
  });
});

describe("memory-usage runbook: missing data", () => {
  it("metrics failing: the probes' errors are findings and the conclusion stays open", async () => {
    const throttled = new Error("Rate exceeded (ThrottlingException)");
    const { report } = await run({
      metrics: {
        memory_usage_percentage: throttled,
        StateBackendUsedBytes: throttled,
        task_buffer_out_pool_usage_percentage: throttled,
      },
      flink: { heapShare: 0.7 },
      kubernetes: { memoryShare: 0.8 },
    });
    expect(findingTitled(step(report, "assess"), "Could not read memory_usage_percentage").detail).toContain(
      "ThrottlingException",
    );
    expect(report.conclusion.cause).toBe("unknown");
    expect(report.conclusion.confidence).toBe("low");
    expect(report.conclusion.openBranches).toHaveLength(3);
  });

  it("nothing configured: reports what is not configured without crashing", async () => {
    const { report } = await run({});
    expect(step(report, "assess").status).toBe("info");
    expect(report.conclusion.cause).toBe("unknown");
    expect(findingTitled(step(report, "mitigation"), "Human steps: GC and state TTL")).toBeDefined();
  });

  it("no container or limit known: no resources proposal, said plainly", async () => {
    const { report } = await run({
      metrics: {
        memory_usage_percentage: growing,
        StateBackendUsedBytes: steadyState,
        task_buffer_out_pool_usage_percentage: calmBuffers,
      },
      flink: { heapShare: 0.93 },
    });
    expect(report.conclusion.cause).toBe("heap-leak");
    expect(report.conclusion.suggestedActions.map((a) => a.action)).toEqual(["restart-taskmanagers"]);
    expect(findingTitled(step(report, "mitigation"), "Cannot propose more memory")).toBeDefined();
  });
});
