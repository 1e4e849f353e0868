/**
 * The incidents' status messages, platform-neutral: what each shows (the last conclusion, the
 * progress of a run going on, the steps Slack did not take, the repeats) and its refreshes, one
 * after the other per incident, each reading the store after the one before; the thread's outbox
 * sends only the newest waiting state, so an older state never follows a newer one.
 */
import type { RunbookMeta } from "../core/catalog.ts";
import type { Conclusion } from "../core/runbook.ts";
import type { IncidentStatusView } from "../core/views.ts";
import type { ThreadPort } from "../ports/thread.ts";
import { runbookFor } from "../runbooks/registry.ts";
import type { Incident, Store } from "../store/store.ts";

export interface BoardWork {
  /** Counts background work (IncidentService.idle waits for it) and logs its failure. */
  track(work: Promise<unknown>): void;
  /** Runs thread I/O, logging a failure instead of throwing it. */
  safe(fn: () => Promise<unknown>): Promise<void>;
}

export class StatusBoard {
  /** The last finished run's conclusion, by incident. */
  readonly lastConclusion = new Map<string, { conclusion: Conclusion; durationMs: number }>();
  /** Progress of the runs going on now, by incident (a status refresh mid-run shows it). */
  readonly live = new Map<string, IncidentStatusView["progress"]>();
  /** Steps of an incident's last run whose message Slack did not take. */
  readonly undelivered = new Map<string, string[]>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: { readonly store: Store; readonly thread: ThreadPort },
    private readonly work: BoardWork,
    /** Whether another replica runs the incident now: its own updates show the progress then. */
    private readonly liveElsewhere: (incidentId: string) => Promise<boolean> = async () => false,
  ) {}

  viewOf(incident: Incident, meta: RunbookMeta, patch: Partial<IncidentStatusView> = {}): IncidentStatusView {
    const last = this.lastConclusion.get(incident.id);
    const live = this.live.get(incident.id);
    const phase: IncidentStatusView["phase"] =
      incident.state === "resolved" ? "resolved" : last && !live ? "diagnosed" : "running";
    const total = runbookFor(meta).steps.length;
    const undelivered = this.undelivered.get(incident.id);
    return {
      incidentId: incident.id,
      runbook: meta,
      alert: incident.alertName,
      phase,
      startedAt: incident.openedAt.toISOString(),
      ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt.toISOString() } : {}),
      fireCount: incident.fireCount,
      ...(incident.fireCount > 1 ? { lastFiredAt: incident.lastFiredAt.toISOString() } : {}),
      progress: live ?? { done: last ? total : 0, total },
      ...(last ? { conclusion: last.conclusion, runDurationMs: last.durationMs } : {}),
      source: incident.source,
      ...(undelivered && undelivered.length > 0 ? { undeliveredSteps: [...undelivered] } : {}),
      ...patch,
      // A resolved incident shows resolved, whatever a run in progress says.
      ...(incident.state === "resolved" ? { phase: "resolved" as const } : {}),
    };
  }

  /**
   * Brings the incident's status message up to date, without waiting for Slack: refreshes of one
   * incident run one after the other, each reading the store after the one before, and the
   * outbox sends only the newest of those waiting; so an older state never follows a newer one.
   */
  queue(incidentId: string, meta: RunbookMeta, patch: Partial<IncidentStatusView> = {}): void {
    const previous = this.chains.get(incidentId) ?? Promise.resolve();
    const next = previous.then(() =>
      this.work.safe(async () => {
        const incident = await this.deps.store.getIncident(incidentId);
        if (!incident?.statusTs) return;
        // This replica knows nothing of a run on another one (it would show it back at step 0).
        if (!this.live.has(incidentId) && (await this.liveElsewhere(incidentId))) return;
        await this.recallConclusion(incidentId);
        this.deliver(
          this.deps.thread.updateStatus(
            incident.channel,
            incident.statusTs,
            this.viewOf(incident, meta, patch),
          ),
        );
      }),
    );
    this.chains.set(incidentId, next);
    this.work.track(
      next.finally(() => {
        if (this.chains.get(incidentId) === next) this.chains.delete(incidentId);
      }),
    );
  }

  /** A thread post or update on its way: counted as work in progress, its failure logged. */
  deliver(delivery: Promise<unknown>): void {
    this.work.track(this.work.safe(() => delivery));
  }

  /** After a restart the last run's conclusion is only in the store: read it back once. */
  async recallConclusion(incidentId: string): Promise<void> {
    if (this.lastConclusion.has(incidentId)) return;
    const last = (await this.deps.store.listRunReports(incidentId)).at(-1)?.report;
    if (!last || this.lastConclusion.has(incidentId)) return;
    const durationMs = Date.parse(last.finishedAt) - Date.parse(last.startedAt);
    this.lastConclusion.set(incidentId, { conclusion: last.conclusion, durationMs });
  }
}
