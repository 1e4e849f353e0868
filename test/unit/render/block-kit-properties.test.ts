/**
 * Property-style checks: many generated inputs (seeded, so failures reproduce), every
 * rendered message must pass validateBlockKit and contain no split surrogate pairs.
 */
import { describe, expect, it } from "vitest";
import { renderReportJson } from "../../../src/cli/render/json.ts";
import { renderReportText } from "../../../src/cli/render/terminal.ts";
import { RUNBOOK_CATALOG } from "../../../src/core/catalog.ts";
import type { EvidenceBlock, Finding, FindingSeverity, Proposal } from "../../../src/core/finding.ts";
import type { RunReport, StepReport } from "../../../src/core/runbook.ts";
import {
  type ApprovalState,
  type IncidentState,
  type RenderedMessage,
  renderApproval,
  renderError,
  renderRunbookList,
  renderStatusMessage,
  renderStepMessage,
} from "../../../src/slack/render/index.ts";
import { validateBlockKit } from "./block-kit-check.ts";

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const ATOMS = [
    "a",
    "Z",
    " ",
    "\n",
    "&",
    "<",
    ">",
    "`",
    "```",
    "*",
    "_",
    "~",
    "|",
    "é",
    "e\u0301",
    "日本",
    "🚀",
    "👩🏽‍💻",
    "🏳️‍🌈",
    "\uD83D\uDE00",
    "<@U1>",
    "<!here>",
    "&amp;",
    "\t",
  ];
  const str = (maxLen: number) => {
    const len = int(maxLen + 1);
    let s = "";
    while (s.length < len) s += pick(ATOMS);
    return s;
  };
  /** Mostly short strings, sometimes huge ones. */
  const text = () => str(pick([0, 5, 40, 200, 2500, 6000]));
  return { int, pick, str, text };
}

type R = ReturnType<typeof rng>;
const SEVERITIES: readonly FindingSeverity[] = ["ok", "info", "warning", "critical", "error"];

function evidence(r: R): EvidenceBlock {
  switch (r.int(6)) {
    case 0:
      return { kind: "markdown", text: r.text() };
    case 1:
      return {
        kind: "fields",
        fields: Array.from({ length: r.int(25) }, () => ({ label: r.str(30), value: r.text() })),
      };
    case 2: {
      const cols = r.int(8);
      return {
        kind: "table",
        columns: Array.from({ length: cols }, () => r.str(20)),
        rows: Array.from({ length: r.pick([0, 3, 50, 300]) }, () =>
          Array.from({ length: r.int(cols + 2) }, () => r.str(r.pick([3, 80]))),
        ),
        ...(r.int(2) === 0 ? { omittedRows: r.int(100) } : {}),
      };
    }
    case 3:
      return {
        kind: "series",
        label: r.str(60),
        ...(r.int(2) === 0 ? { unit: r.str(8) } : {}),
        points: Array.from({ length: r.pick([0, 1, 10, 700]) }, (_, i) => ({
          at: new Date(1_741_943_520_000 + i * 60_000).toISOString(),
          value: r.pick([r.int(1e6), -r.int(100), Number.NaN, 0.5 * r.int(10)]),
        })),
      };
    case 4:
      return {
        kind: "log",
        lines: Array.from({ length: r.pick([0, 5, 400]) }, () => r.str(r.pick([20, 700]))),
      };
    default:
      return { kind: "code", text: r.text() };
  }
}

function proposal(r: R): Proposal {
  return {
    action: r.pick(["scale-deployment", "restart-job", r.str(300)]),
    label: r.str(r.pick([10, 120])),
    params: { a: r.str(r.pick([5, 500, 2500])), n: r.int(10) },
  };
}

function findingOf(r: R): Finding {
  return {
    severity: r.pick(SEVERITIES),
    title: r.str(r.pick([20, 400])),
    ...(r.int(2) === 0 ? { detail: r.text() } : {}),
    evidence: Array.from({ length: r.int(5) }, () => evidence(r)),
    proposals: Array.from({ length: r.pick([0, 0, 1, 3, 30]) }, () => proposal(r)),
  };
}

function stepOf(r: R): StepReport {
  return {
    id: r.str(10),
    title: r.str(r.pick([10, 300])),
    status: r.pick(SEVERITIES),
    summary: r.text(),
    findings: Array.from({ length: r.pick([0, 1, 4, 25]) }, () => findingOf(r)),
    durationMs: r.int(200_000),
    ...(r.int(2) === 0 ? { budgetSeconds: r.pick([30, 60, 300]) } : {}),
  };
}

function expectValid(msg: RenderedMessage, seed: number) {
  expect(validateBlockKit(msg.blocks, msg.text), `seed ${seed}`).toEqual([]);
}

const RUNS = 120;

describe("every rendered message stays within Block Kit limits", () => {
  it(`step messages (${RUNS} generated steps)`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = rng(seed);
      const step = stepOf(r);
      expectValid(
        renderStepMessage(step, {
          runbookTitle: r.str(50),
          incidentId: r.str(40),
          runbookId: "consumer-lag",
        }),
        seed,
      );
      // the other targets must not throw on the same input
      const report: RunReport = {
        runbook: "x",
        title: step.title,
        startedAt: "2025-03-14T09:12:00Z",
        finishedAt: "2025-03-14T09:14:00Z",
        steps: [step],
        conclusion: { summary: r.text(), severity: "info", suggestedActions: [] },
      };
      expect(renderReportText(report)).not.toContain("\x1b");
      expect(JSON.parse(renderReportJson(report))).toHaveProperty("steps");
    }
  });

  it(`status messages (${RUNS} generated incidents)`, () => {
    const states: readonly IncidentState[] = [
      "running",
      "firing",
      "acknowledged",
      "remediating",
      "resolved",
      "failed",
    ];
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = rng(seed * 7919);
      const total = r.int(8);
      const runbook = r.pick(RUNBOOK_CATALOG);
      expectValid(
        renderStatusMessage({
          incidentId: r.str(60),
          runbook: { ...runbook, title: r.pick([runbook.title, r.str(400)]) },
          alert: r.text(),
          state: r.pick(states),
          startedAt: r.pick(["2025-03-14T09:12:00Z", r.str(20)]),
          ...(r.int(2) === 0 ? { resolvedAt: "2025-03-14T10:12:00Z" } : {}),
          fireCount: r.int(100),
          progress: { done: r.int(total + 1), total, ...(r.int(2) === 0 ? { current: r.str(100) } : {}) },
          ...(r.int(2) === 0
            ? {
                conclusion: {
                  summary: r.text(),
                  severity: r.pick(SEVERITIES),
                  suggestedActions: Array.from({ length: r.pick([0, 1, 30]) }, () => proposal(r)),
                },
              }
            : {}),
          ...(r.int(2) === 0 ? { source: r.str(100) } : {}),
        }),
        seed,
      );
    }
  });

  it(`approval messages (${RUNS} generated requests)`, () => {
    const states: readonly ApprovalState[] = [
      "requested",
      "approved",
      "rejected",
      "expired",
      "executing",
      "succeeded",
      "failed",
      "outcome-unknown",
    ];
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = rng(seed * 104_729);
      expectValid(
        renderApproval({
          requestId: r.str(r.pick([20, 400])),
          actionLabel: r.str(r.pick([20, 400])),
          preview: r.text(),
          requesterId: r.pick(["U123ABC", r.str(30)]),
          state: r.pick(states),
          createdAt: "2025-03-14T09:14:00Z",
          expiresAt: r.pick(["2025-03-14T09:29:00Z", r.str(10)]),
          approvals: Array.from({ length: r.int(4) }, () => ({
            userId: r.pick(["U2ABC", r.str(10)]),
            at: "2025-03-14T09:16:00Z",
          })),
          ...(r.int(2) === 0 ? { requiredApprovals: r.int(4) } : {}),
          ...(r.int(2) === 0 ? { computedFrom: r.text() } : {}),
          ...(r.int(2) === 0 ? { decidedBy: r.str(12) } : {}),
          ...(r.int(2) === 0 ? { result: { ok: r.int(2) === 0, message: r.text() } } : {}),
        }),
        seed,
      );
    }
  });

  it("runbook lists and errors", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const r = rng(seed * 31);
      const list = Array.from({ length: r.pick([0, 9, 80]) }, () => ({
        ...r.pick(RUNBOOK_CATALOG),
        title: r.str(200),
        condition: r.text(),
        automated: r.int(2) === 0,
      }));
      expectValid(renderRunbookList(list), seed);
      expectValid(renderError(r.text(), { hint: r.text() }), seed);
    }
  });
});
