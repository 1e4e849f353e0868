/**
 * Plain-text rendering of run reports for `runbook-bot diagnose <id>` and the live sandbox
 * terminal. ANSI colours only when asked for; remote content is stripped of control
 * characters so a log line cannot drive the terminal.
 */
import type { EvidenceBlock, Finding, FindingSeverity, Proposal } from "../../core/finding.ts";
import type { RunReport, StepReport } from "../../core/runbook.ts";
import { alignTable } from "../../core/text/align-table.ts";
import {
  describeStepTiming,
  elapsedBetween,
  formatDuration,
  formatParams,
} from "../../core/text/format-quantity.ts";
import { summarizeSeries } from "../../core/text/sparkline.ts";

export interface TextRenderOptions {
  /** Emit ANSI colours (only for a TTY that wants them). Default false. */
  readonly color?: boolean;
  /**
   * Describes a proposal for the `→` line, e.g. from the action's preview
   * ("deployment flink-taskmanager: 4 -> 8"). Default: its params, "key: value, ...".
   */
  readonly describeProposal?: (proposal: Proposal) => string | undefined;
}

const SYMBOL: Record<FindingSeverity, string> = {
  ok: "✔",
  info: "ℹ",
  warning: "⚠",
  critical: "✖",
  error: "!",
};
const COLOR: Record<FindingSeverity, number> = { ok: 32, info: 36, warning: 33, critical: 31, error: 35 };

interface Paint {
  sev(severity: FindingSeverity, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

function paint(color: boolean): Paint {
  const sgr = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    sev: (severity, text) => sgr(COLOR[severity], text),
    bold: (text) => sgr(1, text),
    dim: (text) => sgr(2, text),
  };
}

/** Removes terminal control characters (ESC, BEL, CR, ...) from remote content; keeps tabs as spaces. */
export function sanitizeTerminal(text: string): string {
  return text.replace(/\t/g, "  ").replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "�");
}

/** Each line of `text` (sanitized) prefixed with `indent`. */
function indentLines(text: string, indent: string): string[] {
  return sanitizeTerminal(text)
    .split("\n")
    .map((l) => (l === "" ? "" : indent + l));
}

function proposalLine(p: Proposal, opts: TextRenderOptions): string {
  const described = opts.describeProposal?.(p);
  const detail = described ?? formatParams(p.params);
  return `→ ${sanitizeTerminal(p.label)}${detail === "" ? "" : ` (${sanitizeTerminal(detail)})`}`;
}

function evidenceLines(block: EvidenceBlock, indent: string, p: Paint): string[] {
  switch (block.kind) {
    case "markdown":
      return indentLines(block.text, indent);
    case "code":
      return indentLines(block.text, indent).map((l) => (l === "" ? l : p.dim(l)));
    case "fields": {
      const width = Math.max(0, ...block.fields.map((f) => sanitizeTerminal(f.label).length));
      return block.fields.flatMap((f) => {
        const [first = "", ...rest] = sanitizeTerminal(f.value).split("\n");
        const label = `${sanitizeTerminal(f.label)}:`.padEnd(width + 2);
        return [`${indent}${label}${first}`, ...rest.map((l) => `${indent}${" ".repeat(width + 2)}${l}`)];
      });
    }
    case "table": {
      const t = alignTable(
        block.columns.map(sanitizeTerminal),
        block.rows.map((r) => r.map(sanitizeTerminal)),
        60,
      );
      const lines = [
        ...t.head.map((l, i) => indent + (i === 0 ? p.bold(l) : p.dim(l))),
        ...t.rows.map((l) => indent + l),
      ];
      const omitted = block.omittedRows ?? 0;
      if (omitted > 0) lines.push(`${indent}${p.dim(`… ${omitted} more rows`)}`);
      return lines;
    }
    case "series": {
      const s = summarizeSeries(
        block.points,
        block.unit === undefined ? undefined : sanitizeTerminal(block.unit),
      );
      const parts = [
        p.bold(sanitizeTerminal(block.label)),
        s.spark,
        s.stats,
        s.span === "" ? "" : p.dim(`(${s.span})`),
      ];
      return [indent + parts.filter((x) => x !== "").join("  ")];
    }
    case "log":
      return block.lines
        .flatMap((l) => sanitizeTerminal(l).split("\n"))
        .map((l) => `${indent}${p.dim("│")} ${l}`);
    default: {
      const unknown: never = block;
      throw new Error(`unknown evidence kind: ${JSON.stringify(unknown)}`);
    }
  }
}

function findingLines(f: Finding, indent: string, p: Paint, opts: TextRenderOptions): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}${p.sev(f.severity, SYMBOL[f.severity])} ${p.bold(sanitizeTerminal(f.title))}`];
  if (f.detail !== undefined && f.detail !== "") lines.push(...indentLines(f.detail, inner));
  for (const e of f.evidence) lines.push(...evidenceLines(e, inner, p));
  for (const prop of f.proposals) lines.push(inner + p.bold(proposalLine(prop, opts)));
  return lines;
}

/** One step as a block of lines ending in a newline: symbol, title, timing, summary, findings. */
export function renderStepText(step: StepReport, opts: TextRenderOptions = {}): string {
  const p = paint(opts.color ?? false);
  const timing = describeStepTiming(step.durationMs, step.budgetSeconds);
  const timingText = timing.overBudget ? p.sev("warning", `${timing.text}, over budget`) : p.dim(timing.text);
  const lines = [
    `${p.sev(step.status, SYMBOL[step.status])} ${p.bold(sanitizeTerminal(step.title))}  ${timingText}`,
    ...indentLines(step.summary, "  "),
  ];
  for (const f of step.findings) lines.push(...findingLines(f, "  ", p, opts));
  return `${lines.join("\n")}\n`;
}

/** A whole run: title, each step, the conclusion and the suggested actions. Ends in a newline. */
export function renderReportText(report: RunReport, opts: TextRenderOptions = {}): string {
  const p = paint(opts.color ?? false);
  const took = elapsedBetween(report.startedAt, report.finishedAt);
  const out = [
    `${p.bold(sanitizeTerminal(report.title))} ${p.dim(`(${sanitizeTerminal(report.runbook)})`)}`,
    p.dim(
      `started ${sanitizeTerminal(report.startedAt)}${took === undefined ? "" : ` · took ${formatDuration(took)}`} · ${report.steps.length} steps`,
    ),
    "",
  ];
  for (const step of report.steps) out.push(renderStepText(step, opts));
  const c = report.conclusion;
  out.push(
    `${p.bold("Conclusion:")} ${p.sev(c.severity, SYMBOL[c.severity])} ${sanitizeTerminal(c.summary).split("\n").join("\n  ")}`,
  );
  if (c.confidence !== undefined) out.push(`  Confidence: ${c.confidence}`);
  if (c.evidence !== undefined && c.evidence.length > 0) {
    out.push(`  Evidence: ${c.evidence.map(sanitizeTerminal).join("; ")}`);
  }
  if (c.openBranches !== undefined && c.openBranches.length > 0) {
    out.push(`  Still possible: ${c.openBranches.map(sanitizeTerminal).join(", ")}`);
  }
  if (c.suggestedActions.length > 0) {
    out.push(p.bold("Suggested actions:"));
    for (const a of c.suggestedActions) out.push(`  ${proposalLine(a, opts)}`);
  }
  return `${out.join("\n")}\n`;
}
