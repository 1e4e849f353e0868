/**
 * Records what a real Flink's REST API answers, per version and scenario, into
 * test/fixtures/flink-recordings/<version>/<scenario>/<name>.json: the request, the status, the
 * content type and the body, with the Flink version it came from. The Flink REST stand-in
 * (test/peers/flink-rest-server.ts) takes every response shape it serves from these files.
 *
 * Run: `npx tsx scripts/flink/record-flink.ts [version ...] [--scenario name ...]`
 * (default: every version of FLINK_VERSIONS, every scenario). Starts one real Flink at a time
 * (test/peers/flink-peer.ts). Long stack traces are cut to their first lines and their
 * "Caused by:" lines; the shape (keys, types, array elements) stays as Flink sent it.
 */
import { spawnSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  FLINK_VERSIONS,
  type FlinkPeer,
  type FlinkScenario,
  startFlinkPeer,
} from "../../test/peers/flink-peer.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const RECORDINGS_DIR = join(repoRoot, "test/fixtures/flink-recordings");
const UNKNOWN_JOB = "00000000000000000000000000000000";
const UNKNOWN_TM = "10.9.9.9:6122-000000";

export const JOB_METRICS = [
  "numRestarts",
  "uptime",
  "downtime",
  "lastCheckpointDuration",
  "lastCheckpointSize",
  "lastCheckpointFullSize",
  "numberOfCompletedCheckpoints",
  "numberOfFailedCheckpoints",
  "numberOfInProgressCheckpoints",
];
export const TASKMANAGER_METRICS = [
  "Status.JVM.Memory.Heap.Used",
  "Status.JVM.Memory.Heap.Max",
  "Status.JVM.Memory.Heap.Committed",
  "Status.Flink.Memory.Managed.Used",
  "Status.Flink.Memory.Managed.Total",
  "Status.JVM.Memory.Direct.MemoryUsed",
  "Status.JVM.GarbageCollector.All.Time",
  "Status.JVM.CPU.Load",
];

const SCENARIOS: readonly FlinkScenario[] = [
  "healthy",
  "s3-403",
  "s3-slow",
  "slow-sync",
  "backpressure",
  "crash-loop",
  "failed",
  "stuck-watermark",
  "no-watermark",
];

export interface Recording {
  readonly flinkVersion: string;
  readonly scenario: string;
  readonly recordedAt: string;
  readonly request: { readonly method: "GET" | "POST"; readonly path: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly contentType: string | null; readonly body: unknown };
}

const MAX_TRACE_LINES = 6;

/** A stack trace cut to its first lines and every "Caused by:" line (with the line after it). */
export function trimTrace(text: string): string {
  const lines = text.split("\n");
  if (lines.length <= MAX_TRACE_LINES + 2) return text;
  const kept: string[] = lines.slice(0, MAX_TRACE_LINES);
  for (let i = MAX_TRACE_LINES; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("Caused by:")) {
      kept.push("\t... (cut by record-flink.ts)", line);
      const next = lines[i + 1];
      if (next !== undefined && !next.startsWith("Caused by:")) kept.push(next);
    }
  }
  kept.push("\t... (cut by record-flink.ts)");
  return kept.join("\n");
}

const MAX_BLOB_CHARS = 400;

function trim(value: unknown): unknown {
  if (typeof value === "string") {
    if (value.includes("\n\tat ")) return trimTrace(value);
    // A serialized throwable (base64): its first characters, marked as cut.
    if (value.length > MAX_BLOB_CHARS && !/\s/.test(value)) {
      return `${value.slice(0, 64)}...(cut by record-flink.ts: ${value.length} characters)`;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(trim);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v)]));
  }
  return value;
}

async function call(
  url: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<Recording["response"]> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text (a log file): kept as text
  }
  return { status: response.status, contentType: response.headers.get("content-type"), body: parsed };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function json(url: string, path: string): Promise<Record<string, unknown>> {
  return (await call(url, "GET", path)).body as Record<string, unknown>;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(500);
  }
  throw new Error(`record-flink: ${what} did not happen within ${timeoutMs / 1000} s`);
}

const counts = async (peer: FlinkPeer) =>
  ((await json(peer.url, `/jobs/${peer.jobId}/checkpoints`)).counts ?? {}) as Record<string, number>;

/** Waits until the scenario shows what it is for. */
async function settle(peer: FlinkPeer, scenario: FlinkScenario): Promise<void> {
  const job = () => json(peer.url, `/jobs/${peer.jobId}`);
  switch (scenario) {
    case "healthy":
    case "s3-slow":
    case "slow-sync":
      return until("3 completed checkpoints", async () => ((await counts(peer)).completed ?? 0) >= 3);
    case "s3-403":
      return until("3 failed checkpoints", async () => ((await counts(peer)).failed ?? 0) >= 3);
    case "backpressure": {
      const vertices = (await job()).vertices as { id: string }[];
      const source = vertices[0]?.id ?? "";
      return until("the source back-pressured high", async () => {
        const bp = await json(peer.url, `/jobs/${peer.jobId}/vertices/${source}/backpressure`);
        return bp.backpressureLevel === "high";
      });
    }
    case "crash-loop":
      return until("a restart, RUNNING again", async () => {
        const metrics = (await call(peer.url, "GET", `/jobs/${peer.jobId}/metrics?get=numRestarts`)).body as {
          value: string;
        }[];
        const state = (await job()).state;
        // The execution graph behind /jobs/:id and the exceptions is cached (web.refresh-interval,
        // 3 s): wait until it shows the failure, not only the metric.
        const exceptions = await json(peer.url, `/jobs/${peer.jobId}/exceptions`);
        const entries = (exceptions.exceptionHistory as { entries?: unknown[] } | undefined)?.entries ?? [];
        return Number(metrics[0]?.value ?? 0) >= 1 && state === "RUNNING" && entries.length > 0;
      });
    case "failed":
      return;
    case "stuck-watermark":
    case "no-watermark":
      return until("2 completed checkpoints", async () => ((await counts(peer)).completed ?? 0) >= 2);
  }
}

async function recordScenario(version: string, scenario: FlinkScenario): Promise<number> {
  const dir = join(RECORDINGS_DIR, version, scenario);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const peer = await startFlinkPeer({ version, scenario });
  let written = 0;
  try {
    await settle(peer, scenario);
    const save = async (name: string, method: "GET" | "POST", path: string, body?: unknown) => {
      const response = await call(peer.url, method, path, body);
      const recording: Recording = {
        flinkVersion: version,
        scenario,
        recordedAt: new Date().toISOString(),
        request: { method, path, ...(body === undefined ? {} : { body }) },
        response: { ...response, body: trim(response.body) },
      };
      await writeFile(join(dir, `${name}.json`), `${JSON.stringify(recording, null, 2)}\n`);
      written++;
      return response;
    };
    const jid = peer.jobId;
    await save("overview", "GET", "/overview");
    await save("config", "GET", "/config");
    await save("jobs-overview", "GET", "/jobs/overview");
    const details = (await save("job", "GET", `/jobs/${jid}`)).body as { vertices: { id: string }[] };
    const stats = (await save("checkpoints", "GET", `/jobs/${jid}/checkpoints`)).body as {
      latest?: { completed?: { id: number } | null; failed?: { id: number } | null };
    };
    await save("checkpoints-config", "GET", `/jobs/${jid}/checkpoints/config`);
    await save("exceptions", "GET", `/jobs/${jid}/exceptions?maxExceptions=10`);
    await save("job-metrics", "GET", `/jobs/${jid}/metrics?get=${JOB_METRICS.join(",")}`);
    for (const [i, v] of details.vertices.entries()) {
      await save(`vertex-${i}-backpressure`, "GET", `/jobs/${jid}/vertices/${v.id}/backpressure`);
      await save(`vertex-${i}-watermarks`, "GET", `/jobs/${jid}/vertices/${v.id}/watermarks`);
    }
    for (const kind of ["completed", "failed"] as const) {
      const id = stats.latest?.[kind]?.id;
      if (id === undefined) continue;
      await save(`checkpoint-details-${kind}`, "GET", `/jobs/${jid}/checkpoints/details/${id}`);
      for (const [i, v] of details.vertices.entries()) {
        await save(
          `checkpoint-details-${kind}-vertex-${i}`,
          "GET",
          `/jobs/${jid}/checkpoints/details/${id}/subtasks/${v.id}`,
        );
      }
    }
    const tms = (await save("taskmanagers", "GET", "/taskmanagers")).body as {
      taskmanagers: { id: string }[];
    };
    const tm = tms.taskmanagers[0]?.id ?? "";
    await save(
      "taskmanager-metrics",
      "GET",
      `/taskmanagers/${encodeURIComponent(tm)}/metrics?get=${TASKMANAGER_METRICS.join(",")}`,
    );
    await save("jobmanager-logs", "GET", "/jobmanager/logs");
    if (scenario === "healthy" || scenario === "s3-403") {
      // The checkpoint trigger protocol, on the job and (healthy) on an unknown job.
      const post = await save("trigger-post", "POST", `/jobs/${jid}/checkpoints`, {
        checkpointType: "CONFIGURED",
      });
      const requestId = (post.body as { "request-id": string })["request-id"];
      await until("the triggered checkpoint finished", async () => {
        const status = await call(peer.url, "GET", `/jobs/${jid}/checkpoints/${requestId}`);
        const id = (status.body as { status?: { id?: string } }).status?.id;
        if (id !== "COMPLETED") {
          await save("trigger-status-in-progress", "GET", `/jobs/${jid}/checkpoints/${requestId}`);
          return false;
        }
        await save(
          scenario === "healthy" ? "trigger-status-completed" : "trigger-status-failed",
          "GET",
          `/jobs/${jid}/checkpoints/${requestId}`,
        );
        return true;
      });
    }
    if (scenario === "healthy") {
      await save("unknown-job", "GET", `/jobs/${UNKNOWN_JOB}`);
      await save("unknown-job-checkpoints", "GET", `/jobs/${UNKNOWN_JOB}/checkpoints`);
      await save("unknown-vertex-backpressure", "GET", `/jobs/${jid}/vertices/${UNKNOWN_JOB}/backpressure`);
      await save("unknown-vertex-watermarks", "GET", `/jobs/${jid}/vertices/${UNKNOWN_JOB}/watermarks`);
      await save(
        "unknown-taskmanager-metrics",
        "GET",
        `/taskmanagers/${encodeURIComponent(UNKNOWN_TM)}/metrics?get=x`,
      );
      await save("unknown-route", "GET", "/no/such/route");
      // A POST to a path with no POST handler (what Flink before 1.17 answers a checkpoint trigger).
      await save("unknown-route-post", "POST", `/jobs/${jid}/no-such-route`, {
        checkpointType: "CONFIGURED",
      });
      await save("unknown-trigger-status", "GET", `/jobs/${jid}/checkpoints/${UNKNOWN_JOB}`);
      await save("trigger-bad-body", "POST", `/jobs/${jid}/checkpoints`, "{not json");
      await save("trigger-bad-type", "POST", `/jobs/${jid}/checkpoints`, { checkpointType: "SOMETIMES" });
      const unknown = await save("trigger-unknown-job-post", "POST", `/jobs/${UNKNOWN_JOB}/checkpoints`, {
        checkpointType: "CONFIGURED",
      });
      const unknownId = (unknown.body as { "request-id"?: string })["request-id"];
      if (unknownId !== undefined) {
        await sleep(500);
        await save("trigger-unknown-job-status", "GET", `/jobs/${UNKNOWN_JOB}/checkpoints/${unknownId}`);
      }
    }
    if (scenario === "crash-loop") {
      await until(
        "RESTARTING",
        async () => (await json(peer.url, `/jobs/${jid}`)).state === "RESTARTING",
        30_000,
      );
      await save("job-restarting", "GET", `/jobs/${jid}`);
      await save("jobs-overview-restarting", "GET", "/jobs/overview");
    }
  } finally {
    await peer.stop();
  }
  return written;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenarioAt = args.indexOf("--scenario");
  const versions = (scenarioAt < 0 ? args : args.slice(0, scenarioAt)).filter((a) => a !== "");
  const scenarios = scenarioAt < 0 ? SCENARIOS : (args.slice(scenarioAt + 1) as FlinkScenario[]);
  for (const version of versions.length > 0 ? versions : FLINK_VERSIONS) {
    for (const scenario of scenarios) {
      const started = Date.now();
      const n = await recordScenario(version, scenario);
      process.stderr.write(
        `[record-flink] ${version} ${scenario}: ${n} recordings in ${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }
  }
  // As the repo's formatter wants them (`npm run lint` checks the fixtures too).
  const biome = spawnSync("npx", ["biome", "format", "--write", RECORDINGS_DIR], {
    cwd: repoRoot,
    stdio: "inherit",
  });
  if (biome.status !== 0) throw new Error("record-flink: biome could not format the recordings");
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
