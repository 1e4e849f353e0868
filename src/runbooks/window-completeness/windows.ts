/** Pure helpers about the job's 5-minute tumbling windows and their ids. */

import type { LogRow } from "../../ports/logs.ts";
import type { MetricPoint } from "../../ports/metrics.ts";

export const WINDOW_MS = 5 * 60_000;

/** window-2025-01-13-10-10: the id of the window starting at `at` (UTC), as the job names them. */
export function windowIdAt(at: Date): string {
  const iso = at.toISOString();
  return `window-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

/** The lowest point (the earliest of equals); undefined for an empty series. */
export function worstPoint(points: readonly MetricPoint[]): MetricPoint | undefined {
  let worst: MetricPoint | undefined;
  for (const p of points) if (worst === undefined || p.value < worst.value) worst = p;
  return worst;
}

/**
 * Windows that should have fired within [start, now]: every 5-minute window starting at or after
 * `start` that ended at least `graceMs` before `now` (the current window has not closed yet).
 */
export function expectedWindowIds(start: Date, now: Date, graceMs = 60_000): string[] {
  const ids: string[] = [];
  for (
    let t = Math.ceil(start.getTime() / WINDOW_MS) * WINDOW_MS;
    t + WINDOW_MS <= now.getTime() - graceMs;
    t += WINDOW_MS
  ) {
    ids.push(windowIdAt(new Date(t)));
  }
  return ids;
}

/** A Logs Insights number field; undefined when absent or not a number. */
export function numberField(row: LogRow, field: string): number | undefined {
  const raw = row[field];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Sum of a field over rows (a window logged by several subtasks); undefined when no row has it. */
export function sumField(rows: readonly LogRow[], field: string): number | undefined {
  const values = rows.map((r) => numberField(r, field)).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}
