/**
 * Filters and bounds one pod's log text: grep -i for a fixed string, then keep the last lines
 * within maxLines and maxBytes (a Slack thread has no room for whole logs). Pure.
 */
import type { LogQuery } from "../../ports/kubernetes.ts";

export const DEFAULT_TAIL_LINES = 200;
export const DEFAULT_MAX_LINES = 50;
export const DEFAULT_MAX_BYTES = 16 * 1024;
/** Upper bound asked of the API per pod (limitBytes), so a huge tail cannot flood memory. */
export const LOG_LIMIT_BYTES = 1024 * 1024;

export interface BoundedLines {
  readonly lines: string[];
  readonly matched: number;
  readonly truncated: boolean;
}

/** Checks the numeric bounds of a query; returns a problem or null. */
export function logQueryProblem(query: LogQuery): string | null {
  const positive = (name: string, value: number | undefined) =>
    value !== undefined && (!Number.isInteger(value) || value < 1)
      ? `${name} must be a whole number >= 1`
      : null;
  return (
    positive("tailLines", query.tailLines) ??
    positive("sinceSeconds", query.sinceSeconds) ??
    positive("maxLines", query.maxLines) ??
    positive("maxBytes", query.maxBytes)
  );
}

export function boundLogLines(text: string, query: LogQuery): BoundedLines {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  const needle = query.grep?.toLowerCase();
  const matching = needle === undefined ? all : all.filter((line) => line.toLowerCase().includes(needle));
  const maxLines = query.maxLines ?? DEFAULT_MAX_LINES;
  const maxBytes = query.maxBytes ?? DEFAULT_MAX_BYTES;
  const kept: string[] = [];
  let bytes = 0;
  for (let i = matching.length - 1; i >= 0 && kept.length < maxLines; i -= 1) {
    const line = matching[i]!;
    const size = Buffer.byteLength(line, "utf8") + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    kept.push(line);
  }
  kept.reverse();
  return { lines: kept, matched: matching.length, truncated: kept.length < matching.length };
}
