/** Static text of the window-completeness runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { CompletenessCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<CompletenessCause, string> = {
  recovered: "completeness is back over the threshold",
  "watermark-stuck": "watermark stuck: Flink is stalled (B)",
  "source-idle": "watermark stuck because the source stopped sending (upstream)",
  "window-not-fired": "window never triggered (D)",
  "state-backend-loss": "state backend lost records (C)",
  "late-arrivals": "late arrivals beyond the allowed lateness (A)",
  unknown: "not determined",
};
