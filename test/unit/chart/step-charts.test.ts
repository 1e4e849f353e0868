import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { findRunbook } from "../../../src/core/catalog.ts";
import { chartGroups, chartsForStep, MAX_CHARTS_PER_STEP } from "../../../src/core/chart/index.ts";
import { type EvidenceBlock, finding } from "../../../src/core/finding.ts";
import type { StepReport } from "../../../src/core/runbook.ts";
import type { IncidentStatusView } from "../../../src/core/views.ts";
import { SlackThread } from "../../../src/slack/slack-thread.ts";
import { decodePng } from "./decode-png.ts";

const T0 = Date.parse("2025-01-13T10:20:00Z");

function series(label: string, values: readonly number[], unit?: string): EvidenceBlock {
  return {
    kind: "series",
    label,
    ...(unit === undefined ? {} : { unit }),
    points: values.map((value, i) => ({ at: new Date(T0 + i * 60_000).toISOString(), value })),
  };
}

function step(evidence: EvidenceBlock[][]): StepReport {
  return {
    id: "throughput",
    title: "Step 2: Identify bottleneck",
    status: "warning",
    summary: "RecordsOut is 76% of RecordsIn over 10 minutes: Flink is falling behind.",
    findings: evidence.map((e, i) => finding("warning", `finding ${i}`, { evidence: e })),
    durationMs: 12,
  };
}

const throughput = step([
  [
    { kind: "markdown", text: "context" },
    series("RecordsIn per minute", [1000, 1000, 1000]),
    series("RecordsOut per minute", [760, 760, 760]),
  ],
]);

describe("chartsForStep", () => {
  it("draws series of one finding with the same unit on one chart", () => {
    const charts = chartsForStep(throughput);
    expect(charts).toHaveLength(1);
    const [chart] = charts;
    expect(chart!.title).toBe("RecordsIn per minute vs RecordsOut per minute");
    expect(chart!.filename).toBe("RecordsIn-per-minute_vs_RecordsOut-per-minute.png");
    expect(chart!.altText).toBe(
      "Line chart of RecordsIn per minute and RecordsOut per minute from 10:20 to 10:22 UTC.",
    );
    const png = decodePng(chart!.png);
    expect([png.width, png.height]).toEqual([640, 240]);
  });

  it("keeps units apart, skips series without data, and stops at the limit", () => {
    const s = step([
      [series("LatencyP99", [100, 200], "ms"), series("buffers", [50, 60], "%"), series("empty", [])],
      [series("WatermarkLagMs", [5, 6], "ms")],
    ]);
    expect(chartGroups(s).map((g) => g.map((b) => (b.kind === "series" ? b.label : "")))).toEqual([
      ["LatencyP99"],
      ["buffers"],
      ["WatermarkLagMs"],
    ]);
    expect(MAX_CHARTS_PER_STEP).toBe(2);
    expect(chartsForStep(s).map((c) => c.filename)).toEqual(["LatencyP99.png", "buffers.png"]);
    expect(chartsForStep(s, 0)).toEqual([]);
    expect(chartsForStep(step([[{ kind: "markdown", text: "no series" }]]))).toEqual([]);
  });

  it("makes a safe file name from any label", () => {
    const [chart] = chartsForStep(step([[series("WindowCompleteness window_id=3 / p99 (avg)", [1, 2])]]));
    expect(chart!.filename).toBe("WindowCompleteness-window_id-3-p99-avg.png");
  });
});

// ----------------------------------------------------------------------------------------------
// SlackThread.postStep attaches the charts, and a failed upload does not fail the step.

const meta = findRunbook("consumer-lag")!;
const view: IncidentStatusView = {
  incidentId: "inc-1",
  runbook: meta,
  alert: "kafka-consumer-lag-high",
  phase: "running",
  startedAt: "2025-01-13T10:20:00.000Z",
  fireCount: 1,
  progress: { done: 2, total: 4 },
};

function fakeClient(upload: (args: Record<string, unknown>) => Promise<unknown>) {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const client = {
    chat: {
      postMessage: async (args: Record<string, unknown>) => {
        calls.push({ method: "chat.postMessage", args });
        return { ok: true, ts: "111.222" };
      },
    },
    files: {
      uploadV2: async (args: Record<string, unknown>) => {
        calls.push({ method: "files.uploadV2", args });
        return upload(args);
      },
    },
  };
  return { client: client as unknown as WebClient, calls };
}

describe("SlackThread.postStep", () => {
  it("posts the step (with its sparkline) and then uploads its chart into the same thread", async () => {
    const { client, calls } = fakeClient(async () => ({ ok: true, files: [] }));
    const thread = new SlackThread({ client });
    await thread.postStep("C1", "100.000", throughput, view);
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage", "files.uploadV2"]);
    expect(JSON.stringify(calls[0]!.args.blocks)).toMatch(/RecordsIn per minute\*? `[▁▂▃▄▅▆▇█]+`/);
    const upload = calls[1]!.args;
    expect(upload).toMatchObject({
      channel_id: "C1",
      thread_ts: "100.000",
      filename: "RecordsIn-per-minute_vs_RecordsOut-per-minute.png",
      title: "RecordsIn per minute vs RecordsOut per minute",
    });
    expect(Buffer.isBuffer(upload.file)).toBe(true);
    expect(decodePng(upload.file as Buffer).width).toBe(640);
  });

  it("reports a failed upload to onUploadError and still resolves", async () => {
    const refused = Object.assign(new Error("An API error occurred: internal_error"), {
      data: { ok: false, error: "internal_error" },
    });
    const { client, calls } = fakeClient(async () => {
      throw refused;
    });
    const errors: { error: unknown; filename: string }[] = [];
    const thread = new SlackThread({
      client,
      onUploadError: (error, file) => errors.push({ error, filename: file.filename }),
    });
    const twoCharts = step([[series("a", [1, 2], "ms"), series("b", [3, 4], "%"), series("c", [5, 6], "s")]]);
    await expect(thread.postStep("C1", "100.000", twoCharts, view)).resolves.toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage", "files.uploadV2", "files.uploadV2"]);
    expect(errors).toEqual([
      { error: refused, filename: "a.png" },
      { error: refused, filename: "b.png" },
    ]);
    // Without a callback the failure is swallowed too.
    const quiet = new SlackThread({ client });
    await expect(quiet.postStep("C1", "100.000", twoCharts, view)).resolves.toBeUndefined();
  });

  it("stops uploading once Slack answers missing_scope (the token lacks files:write)", async () => {
    const missingScope = Object.assign(new Error("An API error occurred: missing_scope"), {
      data: { ok: false, error: "missing_scope", needed: "files:write", provided: "chat:write" },
    });
    const { client, calls } = fakeClient(async () => {
      throw missingScope;
    });
    const errors: unknown[] = [];
    const thread = new SlackThread({
      client,
      onUploadError: (error) => errors.push(error),
    });
    const twoCharts = step([[series("a", [1, 2], "ms"), series("b", [3, 4], "%")]]);
    await thread.postStep("C1", "100.000", twoCharts, view);
    await thread.postStep("C1", "100.000", twoCharts, view);
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage", "files.uploadV2", "chat.postMessage"]);
    expect(errors).toEqual([missingScope]);
  });
});
