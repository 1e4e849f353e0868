/** Emoji used across Slack messages, by step status / finding severity and by runbook severity. */
import type { RunbookSeverity } from "../../core/catalog.ts";
import type { FindingSeverity } from "../../core/finding.ts";

export const STATUS_EMOJI: Record<FindingSeverity, string> = {
  ok: ":white_check_mark:",
  info: ":information_source:",
  warning: ":warning:",
  critical: ":red_circle:",
  error: ":x:",
};

export const RUNBOOK_SEVERITY_EMOJI: Record<RunbookSeverity, string> = {
  critical: ":red_circle:",
  high: ":large_orange_circle:",
  medium: ":large_yellow_circle:",
};
