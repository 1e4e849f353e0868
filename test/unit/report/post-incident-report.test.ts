import { describe, expect, it } from "vitest";
import { humanDuration, renderPostIncidentReport } from "../../../src/core/post-incident-report.ts";
import type { RunReport, StepReport } from "../../../src/core/runbook.ts";
import type { ActionRequest, AuditEvent, Incident, StoredRunReport } from "../../../src/store/store.ts";

const T0 = Date.parse("2025-01-13T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const incident: Incident = {
  id: "inc-abc123",
  runbookId: "consumer-lag",
  alertName: "KafkaConsumerLagHigh",
  source: "alertmanager",
  channel: "C_INC",
  threadTs: "1.0",
  statusTs: "1.1",
  state: "resolved",
  severity: "high",
  fireCount: 1,
  openedAt: at(0),
  resolvedAt: at(8),
  lastFiredAt: at(0),
  dedupeKey: "k",
};

const step = (id: string, title: string, summary: string): StepReport => ({
  id,
  title,
  status: "warning",
  summary,
  findings: [],
  durationMs: 10,
});

const report: RunReport = {
  runbook: "consumer-lag",
  title: "Consumer Lag",
  startedAt: at(0).toISOString(),
  finishedAt: at(1).toISOString(),
  steps: [step("assess", "Step 1: Assess", "lag 120k | rising"), step("fix", "Step 4: Fix", "scale up")],
  conclusion: {
    summary: "Flink is under-provisioned",
    severity: "warning",
    suggestedActions: [],
    cause: "resource",
    confidence: "high",
  },
};

const runReports: StoredRunReport[] = [{ incidentId: incident.id, runId: "run-1", report, savedAt: at(1) }];

const request: ActionRequest = {
  id: "act-1",
  incidentId: incident.id,
  action: "scale-taskmanagers",
  params: {},
  preview: "flink-taskmanager: 4 -> 8 replicas",
  requesterId: "U_ALICE",
  state: "succeeded",
  createdAt: at(2),
  expiresAt: at(17),
  approvals: [{ by: "U_BOB", at: at(3) }],
  decidedBy: "U_BOB",
  decidedAt: at(3),
  note: null,
  result: { ok: true, message: "scaled 4 -> 8" },
  messageTs: "1.5",
  executor: "bot-1",
  updatedAt: at(4),
  version: 4,
};

let seq = 0;
const ev = (
  minutes: number,
  actor: string,
  kind: AuditEvent["kind"],
  details = {},
  requestId?: string,
): AuditEvent => ({
  seq: ++seq,
  at: at(minutes),
  actor,
  kind,
  incidentId: incident.id,
  requestId: requestId ?? null,
  details,
});

const audit: AuditEvent[] = [
  ev(0, "bot", "incident.opened"),
  ev(0, "bot", "run.started", { runId: "run-1" }),
  ev(0.5, "bot", "step.completed", {
    runId: "run-1",
    step: "assess",
    status: "warning",
    summary: "lag 120k | rising",
  }),
  ev(1, "bot", "run.completed", { conclusion: "Flink is under-provisioned" }),
  ev(2, "U_ALICE", "action.requested", {}, "act-1"),
  ev(2.5, "U_CAROL", "action.refused", { attempted: "approve", reason: "not an approver" }, "act-1"),
  ev(3, "U_BOB", "action.approved", {}, "act-1"),
  ev(3, "bot", "action.executing", {}, "act-1"),
  ev(4, "bot", "action.succeeded", { result: { ok: true, message: "scaled 4 -> 8" } }, "act-1"),
  ev(5, "U_ALICE", "report.written"),
  ev(8, "bot", "incident.resolved"),
];

const render = (over: Partial<Parameters<typeof renderPostIncidentReport>[0]> = {}) =>
  renderPostIncidentReport({ incident, runReports, requests: [request], audit, now: at(10), ...over });

const header = (md: string) => md.split("\n").filter((l) => l.startsWith("# "));

describe("renderPostIncidentReport", () => {
  it("writes the INCIDENTS.md header lines", () => {
    expect(header(render())).toEqual([
      "# Date: 2025-01-13",
      "# Issue: KafkaConsumerLagHigh (Consumer Lag): Flink is under-provisioned",
      "# Root Cause: resource: Flink is under-provisioned (confidence: high)",
      "# Fix: flink-taskmanager: 4 -> 8 replicas (scaled 4 -> 8)",
      "# Time to Fix: 8 minutes",
      "# Data Loss: not assessed by the bot",
    ]);
  });

  it("writes the timeline in audit order with who did what; report.written is left out", () => {
    const rows = render()
      .split("\n")
      .filter((l) => l.startsWith("| 2025"));
    expect(rows).toEqual([
      "| 2025-01-13 10:00:00 | Alert fired: KafkaConsumerLagHigh (alertmanager); incident opened | bot |",
      "| 2025-01-13 10:00:00 | Diagnostics started | bot |",
      "| 2025-01-13 10:00:30 | Finding, Step 1: Assess (warning): lag 120k \\| rising | bot |",
      "| 2025-01-13 10:01:00 | Diagnosis: Flink is under-provisioned | bot |",
      "| 2025-01-13 10:02:00 | Requested: flink-taskmanager: 4 -> 8 replicas | <@U_ALICE> |",
      "| 2025-01-13 10:02:30 | Refused (approve): not an approver | <@U_CAROL> |",
      "| 2025-01-13 10:03:00 | Approved: flink-taskmanager: 4 -> 8 replicas | <@U_BOB> |",
      "| 2025-01-13 10:03:00 | Executing: flink-taskmanager: 4 -> 8 replicas | bot |",
      "| 2025-01-13 10:04:00 | Succeeded: scaled 4 -> 8 | bot |",
      "| 2025-01-13 10:08:00 | Resolved after 8 minutes | bot |",
    ]);
  });

  it.each([
    [
      "open, an action succeeded",
      { incident: { ...incident, state: "open" as const, resolvedAt: null } },
      "# Time to Fix: 4 minutes (to the last successful action; the alert is not resolved)",
    ],
    [
      "open, nothing executed",
      { incident: { ...incident, state: "open" as const, resolvedAt: null }, requests: [] },
      "# Time to Fix: unresolved",
    ],
    ["nothing executed", { requests: [{ ...request, state: "rejected" as const }] }, "# Fix: none executed"],
    ["no run", { runReports: [] }, "# Root Cause: not diagnosed"],
    [
      "no run: the catalog's title",
      { runReports: [] },
      "# Issue: KafkaConsumerLagHigh (Consumer Lag High): no diagnosis was run",
    ],
    [
      "a step that speaks of data loss",
      {
        runReports: [
          {
            ...runReports[0]!,
            report: { ...report, steps: [step("dlq", "DLQ", "no data loss: 0 records lost to the DLQ")] },
          },
        ],
      },
      "# Data Loss: no data loss: 0 records lost to the DLQ",
    ],
  ])("%s", (_name, over, line) => {
    expect(header(render(over))).toContain(line);
  });

  it.each([
    [0, "0 seconds"],
    [1, "1 second"],
    [45, "45 seconds"],
    [60, "1 minute"],
    [480, "8 minutes"],
    [3600, "1 hour"],
    [3900, "1 hour 5 minutes"],
    [7200 + 120, "2 hours 2 minutes"],
  ])("humanDuration(%i s) = %s", (s, text) => {
    expect(humanDuration(at(0), new Date(T0 + s * 1000))).toBe(text);
  });
});
