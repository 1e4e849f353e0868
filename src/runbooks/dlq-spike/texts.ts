/** Static text of the dlq-spike runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import { BRANCH_TITLE, type DlqCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<DlqCause, string> = BRANCH_TITLE;
