/**
 * The Flink REST stand-in serves only shapes a real Flink sent: for each recorded version, every
 * endpoint it serves answers with the recorded status and the recorded shape (the same keys at
 * every level, the same value types where both have a value) as the recording of that endpoint
 * (test/fixtures/flink-recordings, made by scripts/flink/record-flink.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { RECORDED_VERSIONS, type Recording, recording } from "../peers/flink-recordings.ts";
import {
  type FlinkRestServer,
  type FlinkVersion,
  seedState,
  startFlinkRestServer,
} from "../peers/flink-rest-server.ts";

type Shape = string | Shape[] | { [key: string]: Shape };

/** Keys at every level and value types; an array's shape is its first element's. */
function shape(value: unknown): Shape {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

/** Differences between a served and a recorded shape ("null" and empty arrays match any value). */
function differences(served: Shape, recorded: Shape, path = "$"): string[] {
  if (served === "null" || recorded === "null") return [];
  if (Array.isArray(served) || Array.isArray(recorded)) {
    if (!Array.isArray(served) || !Array.isArray(recorded)) return [`${path}: array vs not`];
    const [a] = served;
    const [b] = recorded;
    return a === undefined || b === undefined ? [] : differences(a, b, `${path}[]`);
  }
  if (typeof served === "string" || typeof recorded === "string") {
    // Percentiles are "NaN" strings until a checkpoint completed, numbers after.
    const numberish = (s: Shape) => s === "number" || s === "string";
    if (typeof served === "string" && typeof recorded === "string") {
      return served === recorded || (numberish(served) && numberish(recorded))
        ? []
        : [`${path}: ${served} vs ${recorded}`];
    }
    return [`${path}: ${JSON.stringify(served)} vs ${JSON.stringify(recorded)}`];
  }
  const keys = new Set([...Object.keys(served), ...Object.keys(recorded)]);
  const out: string[] = [];
  for (const key of keys) {
    if (!(key in recorded)) out.push(`${path}.${key}: served, never recorded`);
    else if (!(key in served)) out.push(`${path}.${key}: recorded, not served`);
    else out.push(...differences(served[key] as Shape, recorded[key] as Shape, `${path}.${key}`));
  }
  return out;
}

let server: FlinkRestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function answer(method: "GET" | "POST", path: string, body?: unknown) {
  if (!server) throw new Error("no server");
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { "Content-Type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

function expectLike(served: { status: number; body: unknown }, recorded: Recording, what: string): void {
  expect({ what, status: served.status }).toEqual({ what, status: recorded.response.status });
  expect({ what, differences: differences(shape(served.body), shape(recorded.response.body)) }).toEqual({
    what,
    differences: [],
  });
}

describe.each(RECORDED_VERSIONS)(
  "the Flink REST stand-in serves Flink %s's shapes",
  (version: FlinkVersion) => {
    const rec = (scenario: string, name: string) => recording(version, scenario, name);

    it("reads: overview, config, jobs, job, checkpoint config, metrics, taskmanagers", async () => {
      const state = seedState();
      state.version = version;
      server = await startFlinkRestServer({ state });
      const jid = server.jobId;
      const tm = encodeURIComponent(state.taskmanagers[0]?.id ?? "");
      const cases: [string, string, Recording][] = [
        ["overview", "/overview", rec("healthy", "overview")],
        ["config", "/config", rec("healthy", "config")],
        ["jobs overview", "/jobs/overview", rec("healthy", "jobs-overview")],
        ["job", `/jobs/${jid}`, rec("healthy", "job")],
        ["checkpoint config", `/jobs/${jid}/checkpoints/config`, rec("healthy", "checkpoints-config")],
        ["job metrics", `/jobs/${jid}/metrics?get=numRestarts,uptime`, rec("healthy", "job-metrics")],
        ["taskmanagers", "/taskmanagers", rec("healthy", "taskmanagers")],
        [
          "taskmanager metrics",
          `/taskmanagers/${tm}/metrics?get=Status.JVM.Memory.Heap.Used`,
          rec("healthy", "taskmanager-metrics"),
        ],
        [
          "unknown taskmanager",
          "/taskmanagers/10.9.9.9%3A6122-000000/metrics?get=x",
          rec("healthy", "unknown-taskmanager-metrics"),
        ],
        ["unknown job", "/jobs/0123456789abcdef0123456789abcdef", rec("healthy", "unknown-job")],
        ["unknown route", "/no/such/thing", rec("healthy", "unknown-route")],
      ];
      for (const [what, path, recorded] of cases) expectLike(await answer("GET", path), recorded, what);
    });

    it("checkpoints: counts, summary, latest and every history entry as Flink sends its status", async () => {
      const state = seedState();
      state.version = version;
      server = await startFlinkRestServer({ state });
      const served = (await answer("GET", `/jobs/${server.jobId}/checkpoints`)) as {
        status: number;
        body: { history: { status: string }[]; latest: Record<string, unknown> };
      };
      const healthy = rec("healthy", "checkpoints");
      const { history, latest, ...top } = served.body;
      const { history: _h, latest: _l, ...recordedTop } = healthy.response.body as Record<string, unknown>;
      expect(differences(shape(top), shape(recordedTop))).toEqual([]);
      const templates: Record<string, unknown> = {
        COMPLETED: (healthy.response.body as { latest: { completed: unknown } }).latest.completed,
        FAILED: (rec("s3-403", "checkpoints").response.body as { latest: { failed: unknown } }).latest.failed,
      };
      expect(new Set(history.map((c) => c.status))).toEqual(new Set(["COMPLETED", "FAILED"]));
      for (const entry of [...history, latest.completed, latest.failed]) {
        const status = (entry as { status: string }).status;
        expect({ status, d: differences(shape(entry), shape(templates[status])) }).toEqual({ status, d: [] });
      }
      // Before any completed checkpoint: the summary as Flink sends it then ("NaN" percentiles).
      const job = server.state.jobs[0];
      if (job) job.checkpoints = job.checkpoints.filter((c) => c.status === "FAILED");
      const none = await answer("GET", `/jobs/${server.jobId}/checkpoints`);
      expect(
        differences(
          shape((none.body as { summary: unknown }).summary),
          shape((rec("s3-403", "checkpoints").response.body as { summary: unknown }).summary),
        ),
      ).toEqual([]);
    });

    it("exceptions, back pressure (also 'deprecated'), watermarks (none on the source), unknown vertex", async () => {
      const state = seedState();
      state.version = version;
      server = await startFlinkRestServer({ state });
      const jid = server.jobId;
      const [source, enrichment] = state.jobs[0]?.vertices ?? [];
      if (!source || !enrichment) throw new Error("no vertices");
      const exceptions = (await answer("GET", `/jobs/${jid}/exceptions`)) as {
        status: number;
        body: { exceptionHistory: { entries: unknown[] } };
      };
      const crash = rec("crash-loop", "exceptions");
      expectLike(exceptions, crash, "exceptions");
      expect(exceptions.body.exceptionHistory.entries.length).toBeGreaterThan(0);
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/${enrichment.id}/backpressure`),
        rec("healthy", "unknown-vertex-backpressure"),
        "back pressure not sampled yet",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/${enrichment.id}/backpressure`),
        rec("healthy", "vertex-1-backpressure"),
        "back pressure",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/${source.id}/watermarks`),
        rec("healthy", "vertex-0-watermarks"),
        "source watermarks",
      );
      expect((await answer("GET", `/jobs/${jid}/vertices/${source.id}/watermarks`)).body).toEqual([]);
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/${enrichment.id}/watermarks`),
        rec("healthy", "vertex-1-watermarks"),
        "watermarks",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/ffffffffffffffffffffffffffffffff/watermarks`),
        rec("healthy", "unknown-vertex-watermarks"),
        "unknown vertex watermarks",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/vertices/ffffffffffffffffffffffffffffffff/backpressure`),
        rec("healthy", "unknown-vertex-backpressure"),
        "unknown vertex back pressure",
      );
    });

    it("the checkpoint trigger: 202, in progress, completed or failed; unknown trigger, job and body", async () => {
      const state = seedState();
      state.version = version;
      state.triggerPolls = 1;
      server = await startFlinkRestServer({ state });
      const jid = server.jobId;
      const post = await answer("POST", `/jobs/${jid}/checkpoints`, { checkpointType: "CONFIGURED" });
      expectLike(post, rec("healthy", "trigger-post"), "trigger");
      const id = (post.body as { "request-id": string })["request-id"];
      expectLike(
        await answer("GET", `/jobs/${jid}/checkpoints/${id}`),
        rec("healthy", "trigger-status-in-progress"),
        "in progress",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/checkpoints/${id}`),
        rec("healthy", "trigger-status-completed"),
        "completed",
      );
      server.state.triggerOutcome = "fail";
      const failing = await answer("POST", `/jobs/${jid}/checkpoints`, {});
      const failingId = (failing.body as { "request-id": string })["request-id"];
      await answer("GET", `/jobs/${jid}/checkpoints/${failingId}`);
      expectLike(
        await answer("GET", `/jobs/${jid}/checkpoints/${failingId}`),
        rec("s3-403", "trigger-status-failed"),
        "failed",
      );
      expectLike(
        await answer("GET", `/jobs/${jid}/checkpoints/ffffffffffffffffffffffffffffffff`),
        rec("healthy", "unknown-trigger-status"),
        "unknown trigger",
      );
      expectLike(
        await answer("POST", `/jobs/${jid}/checkpoints`, "{not json"),
        rec("healthy", "trigger-bad-body"),
        "bad body",
      );
      const unknown = "0123456789abcdef0123456789abcdef";
      const unknownPost = await answer("POST", `/jobs/${unknown}/checkpoints`, {
        checkpointType: "CONFIGURED",
      });
      expectLike(unknownPost, rec("healthy", "trigger-unknown-job-post"), "trigger on an unknown job");
      const unknownId = (unknownPost.body as { "request-id": string })["request-id"];
      expectLike(
        await answer("GET", `/jobs/${unknown}/checkpoints/${unknownId}`),
        rec("healthy", "trigger-unknown-job-status"),
        "status of a trigger on an unknown job",
      );
    });
  },
);
