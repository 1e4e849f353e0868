/**
 * What the thread shows, in neutral terms: the engine says what to show, each sink (Slack,
 * terminal) renders it.
 */

import type { RequestState, RiskTier } from "./approval.ts";
import type { RunbookMeta } from "./catalog.ts";
import type { Conclusion } from "./runbook.ts";

export type IncidentPhase = "running" | "diagnosed" | "resolved";

export interface IncidentStatusView {
  readonly incidentId: string;
  readonly runbook: RunbookMeta;
  readonly alert: string;
  readonly phase: IncidentPhase;
  readonly startedAt: string;
  readonly resolvedAt?: string;
  readonly fireCount: number;
  /** When the alert last fired (ISO). */
  readonly lastFiredAt?: string;
  readonly progress: { readonly done: number; readonly total: number; readonly current?: string };
  /** Steps of the last run whose message Slack did not take (named in the status message). */
  readonly undeliveredSteps?: readonly string[];
  /** Duration of the last finished run. */
  readonly runDurationMs?: number;
  readonly conclusion?: Conclusion;
  readonly source?: string;
  /** Who asked, for on-demand runs. */
  readonly requestedBy?: string;
}

export interface ApprovalView {
  readonly requestId: string;
  readonly incidentId: string;
  readonly actionLabel: string;
  /** The exact change, e.g. "flink-taskmanager: 4 -> 8 replicas in namespace flink". */
  readonly preview: string;
  readonly requesterId: string;
  readonly state: RequestState;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly approvals: readonly { readonly userId: string; readonly at: string }[];
  /** Approvals needed before it executes (2 for critical). */
  readonly requiredApprovals?: number;
  /** The action's risk tier. */
  readonly risk?: RiskTier;
  /** Actions are frozen (kill switch): the request is shown, Approve executes nothing. */
  readonly frozen?: boolean;
  readonly decidedBy?: string;
  readonly result?: { readonly ok: boolean; readonly message: string };
  readonly note?: string;
}
