/** Evidence blocks -> Block Kit: one exhaustive switch, each result within the section limits. */

import type { EvidenceBlock } from "../../core/finding.ts";
import { alignTable } from "../../core/text/align-table.ts";
import { summarizeSeries } from "../../core/text/sparkline.ts";
import { cutText, truncateText } from "../../core/text/truncate-text.ts";
import type { Block, SectionBlock } from "./block-kit.ts";
import { mrkdwn, section } from "./block-kit.ts";
import { BLOCK_KIT_LIMITS, truncateMrkdwn } from "./limits.ts";
import { bold, escapeCode, escapeMrkdwn, fence, inlineCode, markdownToMrkdwn } from "./mrkdwn.ts";

const SECTION = BLOCK_KIT_LIMITS.sectionText;
/** Longest single log/code line shown; longer ones are cut with "…". */
const MAX_LINE = 400;
const FENCE_OVERHEAD = fence("").length;

const italicNote = (text: string) => `_${text}_`;

/** Table rows that fit one section as a code block, with "… N more rows". */
function renderTable(block: Extract<EvidenceBlock, { kind: "table" }>): Block[] {
  const t = alignTable(block.columns, block.rows);
  const head = t.head.map(escapeCode);
  const rows = t.rows.map(escapeCode);
  const noteFor = (n: number) => (n > 0 ? `\n${italicNote(`… ${n} more rows`)}` : "");
  const alreadyOmitted = block.omittedRows ?? 0;
  // Reserve room for the longest possible note, then add rows while they fit.
  const reserve = noteFor(alreadyOmitted + rows.length).length;
  let used = FENCE_OVERHEAD + head.join("\n").length;
  let shown = 0;
  for (const r of rows) {
    if (used + 1 + r.length + reserve > SECTION) break;
    used += 1 + r.length;
    shown++;
  }
  const body = [...head, ...rows.slice(0, shown)].join("\n");
  const text = fence(body) + noteFor(alreadyOmitted + rows.length - shown);
  return [section(truncateMrkdwn(text, SECTION))];
}

/** The last log lines that fit, with "… N earlier lines omitted" above them. */
function renderLog(lines: readonly string[]): Block[] {
  if (lines.length === 0) return [section(italicNote("(no log lines)"))];
  const escaped = lines.map((l) => escapeCode(truncateText(l, MAX_LINE)));
  const noteFor = (n: number) => (n > 0 ? `${italicNote(`… ${n} earlier lines omitted`)}\n` : "");
  const reserve = noteFor(lines.length).length;
  let used = FENCE_OVERHEAD - 1;
  let from = escaped.length;
  while (from > 0) {
    const next = escaped[from - 1] ?? "";
    if (used + 1 + next.length + reserve > SECTION) break;
    used += 1 + next.length;
    from--;
  }
  return [section(noteFor(from) + fence(escaped.slice(from).join("\n")))];
}

/** Code from the top, with "… N more chars" below when it does not fit. */
function renderCode(text: string): Block[] {
  const escaped = escapeCode(text);
  if (escaped.length + FENCE_OVERHEAD <= SECTION) return [section(fence(escaped))];
  const lines = text.split("\n").map((l) => escapeCode(truncateText(l, MAX_LINE)));
  const reserve = `\n${italicNote(`… ${lines.length} more lines`)}`.length;
  let used = FENCE_OVERHEAD - 1;
  let shown = 0;
  for (const l of lines) {
    if (used + 1 + l.length + reserve > SECTION) break;
    used += 1 + l.length;
    shown++;
  }
  if (shown === 0) return [section(truncateMrkdwn(fence(escaped), SECTION))];
  return [
    section(
      `${fence(lines.slice(0, shown).join("\n"))}\n${italicNote(`… ${lines.length - shown} more lines`)}`,
    ),
  ];
}

function renderFields(fields: Extract<EvidenceBlock, { kind: "fields" }>["fields"]): Block[] {
  const texts = fields.map((f) =>
    mrkdwn(truncateMrkdwn(`${bold(f.label)}\n${escapeMrkdwn(f.value)}`, BLOCK_KIT_LIMITS.fieldText)),
  );
  const out: SectionBlock[] = [];
  for (let i = 0; i < texts.length; i += BLOCK_KIT_LIMITS.fieldsPerSection) {
    out.push({ type: "section", fields: texts.slice(i, i + BLOCK_KIT_LIMITS.fieldsPerSection) });
  }
  return out;
}

function renderSeries(block: Extract<EvidenceBlock, { kind: "series" }>): Block[] {
  const s = summarizeSeries(block.points, block.unit);
  const spark = s.spark === "" ? "" : ` ${inlineCode(s.spark)}`;
  const span = s.span === "" ? "" : ` · ${escapeMrkdwn(s.span)}`;
  const label = bold(cutText(block.label, 500));
  return [section(`${label}${spark}\n${escapeMrkdwn(s.stats)}${span}`)];
}

/** One evidence block as Block Kit blocks (usually one section). */
export function renderEvidence(block: EvidenceBlock): Block[] {
  switch (block.kind) {
    case "markdown":
      return block.text.trim() === "" ? [] : [section(truncateMrkdwn(markdownToMrkdwn(block.text), SECTION))];
    case "fields":
      return renderFields(block.fields);
    case "table":
      return renderTable(block);
    case "series":
      return renderSeries(block);
    case "log":
      return renderLog(block.lines);
    case "code":
      return renderCode(block.text);
    default: {
      const unknown: never = block;
      throw new Error(`unknown evidence kind: ${JSON.stringify(unknown)}`);
    }
  }
}
