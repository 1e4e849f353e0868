/**
 * The stable JSON contract of `runbook-bot diagnose --json`. Keys are listed explicitly so
 * fields added to the domain types do not leak into the contract by accident.
 */
import type { EvidenceBlock, Finding, FindingSeverity, Proposal } from "../../core/finding.ts";
import type { RunReport, StepStatus } from "../../core/runbook.ts";

export interface ProposalJson {
  readonly action: string;
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface FindingJson {
  readonly severity: FindingSeverity;
  readonly title: string;
  readonly detail?: string;
  readonly evidence: readonly EvidenceBlock[];
  readonly proposals: readonly ProposalJson[];
}

export interface StepJson {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
  readonly summary: string;
  readonly findings: readonly FindingJson[];
  readonly durationMs: number;
}

export interface ReportJson {
  readonly runbook: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly steps: readonly StepJson[];
  readonly conclusion: {
    readonly summary: string;
    readonly severity: FindingSeverity;
    readonly suggestedActions: readonly ProposalJson[];
  };
}

function proposalJson(p: Proposal): ProposalJson {
  return { action: p.action, label: p.label, params: p.params };
}

function evidenceJson(e: EvidenceBlock): EvidenceBlock {
  switch (e.kind) {
    case "markdown":
      return { kind: "markdown", text: e.text };
    case "code":
      return { kind: "code", text: e.text };
    case "fields":
      return { kind: "fields", fields: e.fields.map((f) => ({ label: f.label, value: f.value })) };
    case "table":
      return {
        kind: "table",
        columns: [...e.columns],
        rows: e.rows.map((r) => [...r]),
        ...(e.omittedRows === undefined ? {} : { omittedRows: e.omittedRows }),
      };
    case "series":
      return {
        kind: "series",
        label: e.label,
        ...(e.unit === undefined ? {} : { unit: e.unit }),
        points: e.points.map((p) => ({ at: p.at, value: p.value })),
      };
    case "log":
      return { kind: "log", lines: [...e.lines] };
    default: {
      const unknown: never = e;
      throw new Error(`unknown evidence kind: ${JSON.stringify(unknown)}`);
    }
  }
}

function findingJson(f: Finding): FindingJson {
  return {
    severity: f.severity,
    title: f.title,
    ...(f.detail === undefined ? {} : { detail: f.detail }),
    evidence: f.evidence.map(evidenceJson),
    proposals: f.proposals.map(proposalJson),
  };
}

/** The report as the contract's plain object. */
export function toReportJson(report: RunReport): ReportJson {
  return {
    runbook: report.runbook,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    steps: report.steps.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      summary: s.summary,
      findings: s.findings.map(findingJson),
      durationMs: s.durationMs,
    })),
    conclusion: {
      summary: report.conclusion.summary,
      severity: report.conclusion.severity,
      suggestedActions: report.conclusion.suggestedActions.map(proposalJson),
    },
  };
}

/** The report as JSON text (2-space indent, trailing newline). */
export function renderReportJson(report: RunReport): string {
  return `${JSON.stringify(toReportJson(report), null, 2)}\n`;
}
