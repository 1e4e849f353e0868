/** The DLQ breakdown by error_type: Logs Insights rows -> counts, most first (pure). */
import type { LogRow } from "../../ports/logs.ts";
import type { ErrorTypeCount } from "./diagnose.ts";

/** `stats count() [as count] by error_type` rows -> counts, most first. */
export function errorCounts(rows: readonly LogRow[]): ErrorTypeCount[] {
  return rows
    .map((r) => ({
      type: r.error_type === undefined || r.error_type === "" ? "(no error_type)" : r.error_type,
      count: Number(r.count ?? r["count()"] ?? 0),
    }))
    .filter((r) => Number.isFinite(r.count) && r.count > 0)
    .sort((a, b) => b.count - a.count);
}
