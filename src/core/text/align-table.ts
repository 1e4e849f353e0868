/** Monospace tables with aligned columns, shared by the Slack code block and the terminal. */
import { countChars, truncateText } from "./truncate-text.ts";

export interface AlignedTable {
  /** Header line, then a rule line. */
  readonly head: readonly string[];
  /** One line per row. */
  readonly rows: readonly string[];
}

const NUMERIC = /^[-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?\s*[%a-zA-Z/]*$/;

/**
 * Pads every cell to its column's width (in code points). Columns whose (non-empty) cells
 * are all numbers are right-aligned. Cells longer than `maxCellWidth` are cut with "…"; missing
 * cells are empty.
 */
export function alignTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  maxCellWidth = 40,
): AlignedTable {
  const ncols = Math.max(columns.length, ...rows.map((r) => r.length));
  const cell = (row: readonly string[], i: number): string =>
    truncateText((row[i] ?? "").replace(/\s+/g, " "), maxCellWidth);
  const header = Array.from({ length: ncols }, (_, i) => cell(columns, i));
  const body = rows.map((r) => Array.from({ length: ncols }, (_, i) => cell(r, i)));
  const widths = header.map((h, i) => Math.max(countChars(h), ...body.map((r) => countChars(r[i] ?? ""))));
  const numeric = header.map(
    (_, i) =>
      body.some((r) => (r[i] ?? "") !== "") &&
      body.every((r) => (r[i] ?? "") === "" || NUMERIC.test(r[i] ?? "")),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const pad = " ".repeat((widths[i] ?? 0) - countChars(c));
        return numeric[i] ? pad + c : c + pad;
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(Math.max(1, w))).join("  ");
  return { head: [line(header), rule], rows: body.map((r) => line(r)) };
}
