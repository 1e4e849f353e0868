/** Static text of the dlq-spike runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import { BRANCH_TITLE, type DlqCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<DlqCause, string> = BRANCH_TITLE;

/** Titles and prose of the findings the step shows, by cause (static; the step adds names, numbers and proposals). */
export const FIX_TEXT = {
  "parse-error-schema-change": {
    title: "A rollout also landed shortly before the spike",
    detail: "If the parser fix does not explain every sample, roll back the recent deployment as well.",
  },
  timeout: {
    title: "Timeouts — check the enrichment service",
    detail:
      "The enrichment API does not answer in time. Check its health and latency; `/runbook latency` reads the enrichment latency per minute.",
  },
  "external-api-error": {
    title: "External API errors — check the downstream service's logs",
    detail:
      "The API answers with errors: look at the downstream service's logs and status page; escalate to its owners if it is down.",
  },
  "below-threshold": {
    title: "No fix needed now",
    detail: "The DLQ rate is under the threshold: watch it; the alert should clear.",
  },
} as const;
