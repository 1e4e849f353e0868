/**
 * `runbook-bot report <incident-id>`: the post-incident report from the configured SQLite store,
 * printed as Markdown; an unknown id (or a store that does not exist) is a clear error, exit 2.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/core/runbook.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { runCli } from "./run-cli.ts";

let dir: string;
let config: string;
let incidentId: string;

const T0 = Date.parse("2025-01-13T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const report: RunReport = {
  runbook: "consumer-lag",
  title: "Consumer Lag High",
  startedAt: at(0).toISOString(),
  finishedAt: at(1).toISOString(),
  steps: [
    {
      id: "assess",
      title: "Step 1: Assess",
      status: "warning",
      summary: "lag 120k and rising",
      findings: [],
      durationMs: 40,
    },
  ],
  conclusion: {
    summary: "Flink is under-provisioned",
    severity: "warning",
    suggestedActions: [],
    cause: "resource",
    confidence: "high",
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "runbook-bot-report-"));
  const storePath = join(dir, "bot.db");
  config = join(dir, "config.yaml");
  writeFileSync(config, `store:\n  path: ${storePath}\nlog:\n  level: silent\n`);
  const store = openSqliteStore(storePath);
  try {
    const { incident } = await store.openIncident({
      dedupeKey: "alert:C1:1.0:consumer-lag",
      runbookId: "consumer-lag",
      alertName: "KafkaConsumerLagHigh",
      source: "alertmanager",
      channel: "C1",
      threadTs: "1.0",
      severity: "high",
      openedAt: at(0),
    });
    incidentId = incident.id;
    await store.saveRunReport(incident.id, "run-1", report, at(1));
    await store.audit({
      at: at(0.5),
      actor: "bot",
      kind: "step.completed",
      incidentId: incident.id,
      details: { runId: "run-1", step: "assess", status: "warning", summary: "lag 120k and rising" },
    });
    const { request } = await store.createRequest({
      incidentId: incident.id,
      action: "scale-taskmanagers",
      params: { replicas: 8 },
      preview: "flink-taskmanager: 4 -> 8 replicas",
      requesterId: "U_ALICE",
      createdAt: at(2),
      expiresAt: at(17),
    });
    await store.recordApproval(request.id, { by: "U_BOB", at: at(3), required: 1 });
    await store.transitionRequest(request.id, "approved", "executing", { at: at(3), actor: "bot" });
    await store.transitionRequest(request.id, "executing", "succeeded", {
      at: at(4),
      actor: "bot",
      result: { ok: true, message: "scaled 4 -> 8" },
    });
    await store.resolveIncident(incident.id, at(9));
  } finally {
    await store.close();
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("runbook-bot report", () => {
  it("prints the post-incident report of a stored incident", async () => {
    const r = await runCli(["report", incidentId, "--config", config]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const header = r.stdout.split("\n").filter((l) => l.startsWith("# "));
    expect(header).toEqual([
      "# Date: 2025-01-13",
      "# Issue: KafkaConsumerLagHigh (Consumer Lag High): Flink is under-provisioned",
      "# Root Cause: resource: Flink is under-provisioned (confidence: high)",
      "# Fix: flink-taskmanager: 4 -> 8 replicas (scaled 4 -> 8)",
      "# Time to Fix: 9 minutes",
      "# Data Loss: not assessed by the bot",
    ]);
    expect(r.stdout).toContain("## Timeline");
    expect(r.stdout).toContain(
      "| 2025-01-13 10:00:30 | Finding, Step 1: Assess (warning): lag 120k and rising | bot |",
    );
    expect(r.stdout).toContain(
      "| 2025-01-13 10:02:00 | Requested: flink-taskmanager: 4 -> 8 replicas | <@U_ALICE> |",
    );
    expect(r.stdout).toContain(
      "| 2025-01-13 10:03:00 | Approved: flink-taskmanager: 4 -> 8 replicas | <@U_BOB> |",
    );
    expect(r.stdout).toContain("| 2025-01-13 10:09:00 | Resolved after 9 minutes | bot |");
  });

  it("an unknown incident id is a clear error, exit 2", async () => {
    const r = await runCli(["report", "inc-000000000000", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no incident inc-000000000000 in the store/);
  });

  it("a store file that does not exist is an error, exit 2, and is not created", async () => {
    const missing = join(dir, "nowhere", "none.db");
    const other = join(dir, "other.yaml");
    writeFileSync(other, `store:\n  path: ${missing}\n`);
    const r = await runCli(["report", incidentId, "--config", other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no store at/);
    expect(existsSync(missing)).toBe(false);
  });
});
