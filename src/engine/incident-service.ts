/**
 * Works incidents, platform-neutral: an alert fires -> an incident with a thread that runs the
 * runbook live. The proposed fixes are the ActionDesk's (action-desk.ts), reached through here.
 * Every state change is persisted in the store; every step, request and decision shows in the
 * thread. Slack (or the sandbox) is reached through the ThreadPort.
 */
import { randomUUID } from "node:crypto";
import { findRunbook, type RunbookMeta } from "../core/catalog.ts";
import { renderPostIncidentReport } from "../core/post-incident-report.ts";
import type { RunReport } from "../core/runbook.ts";
import type { IncidentStatusView } from "../core/views.ts";
import { runbookFor } from "../runbooks/registry.ts";
import type { Incident } from "../store/store.ts";
import { ActionDesk } from "./action-desk.ts";
import { incidentLog } from "./incident-log.ts";
import { RunLeases } from "./run-leases.ts";
import { errorMessage } from "./run-probe.ts";
import { runRunbook } from "./run-runbook.ts";
import type { AlertInput, IncidentServiceDeps, Outcome, ReportOutcome } from "./service-types.ts";
import { StatusBoard } from "./status-board.ts";
import { StoreAlarm } from "./store-alarm.ts";

export type {
  AlertInput,
  ClickOrigin,
  CommandOutcome,
  FreezeState,
  IncidentServiceDeps,
  Outcome,
  ReportOutcome,
} from "./service-types.ts";

export class IncidentService {
  private readonly deps: IncidentServiceDeps;
  private readonly running = new Set<Promise<unknown>>();
  /** The status messages: what each shows, refreshed in order (status-board.ts). */
  private readonly board: StatusBoard;
  readonly instanceId: string;

  /** Requests, approvals, freezes and execution of the proposed fixes. */
  readonly actions: ActionDesk;
  /** Says in the log and the open threads when the store cannot be written, and when it can again. */
  readonly storeAlarm: StoreAlarm;
  /** Runs live on any replica (run-leases.ts). */
  private readonly runs: RunLeases;

  constructor(deps: IncidentServiceDeps) {
    this.deps = deps;
    this.instanceId = deps.instanceId ?? `bot-${randomUUID().slice(0, 8)}`;
    this.runs = new RunLeases(
      () => deps.store.coordination(),
      this.instanceId,
      () => deps.config.replicas.leaseSeconds * 1000,
    );
    this.board = new StatusBoard(
      deps,
      { track: (work) => this.track(work), safe: (fn) => this.safe(fn) },
      (incidentId) => this.runs.liveElsewhere(incidentId),
    );
    this.actions = new ActionDesk(
      deps,
      { track: (work) => this.track(work), safe: (fn) => this.safe(fn) },
      this.instanceId,
    );
    this.storeAlarm = new StoreAlarm(deps, (work) => this.track(work));
  }

  // The action desk's entry points, for the Slack listeners and the CLI.
  tierOf(...args: Parameters<ActionDesk["tierOf"]>) {
    return this.actions.tierOf(...args);
  }
  freezeState() {
    return this.actions.freezeState();
  }
  requestAction(...args: Parameters<ActionDesk["requestAction"]>) {
    return this.actions.requestAction(...args);
  }
  previewAction(...args: Parameters<ActionDesk["previewAction"]>) {
    return this.actions.previewAction(...args);
  }
  openForm(...args: Parameters<ActionDesk["openForm"]>) {
    return this.actions.openForm(...args);
  }
  checkForm(...args: Parameters<ActionDesk["checkForm"]>) {
    return this.actions.checkForm(...args);
  }
  approvalView(...args: Parameters<ActionDesk["approvalView"]>) {
    return this.actions.approvalView(...args);
  }
  approve(...args: Parameters<ActionDesk["approve"]>) {
    return this.actions.approve(...args);
  }
  reject(...args: Parameters<ActionDesk["reject"]>) {
    return this.actions.reject(...args);
  }
  freeze(...args: Parameters<ActionDesk["freeze"]>) {
    return this.actions.freeze(...args);
  }
  unfreeze(...args: Parameters<ActionDesk["unfreeze"]>) {
    return this.actions.unfreeze(...args);
  }
  sweepExpired(...args: Parameters<ActionDesk["sweepExpired"]>) {
    return this.actions.sweepExpired(...args);
  }
  recoverInterrupted() {
    return this.actions.recoverInterrupted();
  }
  sweepInterrupted(...args: Parameters<ActionDesk["sweepInterrupted"]>) {
    return this.actions.sweepInterrupted(...args);
  }

  /** Recovery watches left without a verdict (a stop, a dead replica), resumed under their lease. */
  resumeVerifications(): Promise<number> {
    return this.actions.verifier.resume();
  }

  /** Resolves when every recovery watch started so far has posted its verdict (tests). */
  verificationsSettled(): Promise<void> {
    return this.actions.verifier.settled();
  }

  /** Ends the recovery watches (at shutdown); the next start resumes them. */
  stopVerifications(): Promise<void> {
    return this.actions.verifier.stop();
  }

  /** Resolves when every background run and action started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Counts a listener's whole handling as work in progress (from its first synchronous moment), so
   * that `idle()` also waits for alerts and clicks still on their way into the service.
   */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const p = work();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    try {
      return await p;
    } finally {
      this.running.delete(settled);
    }
  }

  private track<T>(work: Promise<T>): void {
    const p = work
      .catch((error: unknown) => this.deps.logger.error({ err: error }, "background work failed"))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  // ----------------------------------------------------------------------------- alerts

  async handleAlert(input: AlertInput): Promise<void> {
    const meta = findRunbook(input.runbookId);
    if (!meta) return;
    const { store, thread } = this.deps;
    const now = new Date();
    if (input.state === "resolved") {
      const open = await store.findOpenIncident(input.channel, meta.id);
      if (!open) return;
      const resolved = await store.resolveIncident(open.id, now);
      if (!resolved) return;
      const incident = (await store.getIncident(open.id)) ?? open;
      this.board.queue(incident.id, meta);
      this.board.deliver(
        thread.postNote(
          incident.channel,
          incident.threadTs,
          `:white_check_mark: *${input.alert}* resolved after ${duration(incident.openedAt, now)}.`,
        ),
      );
      return;
    }
    const result = await store.openIncident({
      dedupeKey: `alert:${input.channel}:${input.messageTs}:${meta.id}`,
      runbookId: meta.id,
      alertName: input.alert,
      source: input.source,
      channel: input.channel,
      threadTs: input.messageTs,
      severity: meta.severity,
      openedAt: now,
    });
    if (result.created) {
      this.track(this.runIncident(result.incident, meta));
      return;
    }
    if (result.matchedBy === "dedupe-key") return; // the same alert message again: a redelivery or an edit
    const count = await store.recordFire(result.incident.id, now);
    const incident = (await store.getIncident(result.incident.id)) ?? result.incident;
    if (
      !incident.statusTs &&
      !this.board.live.has(incident.id) &&
      !(await this.runs.liveElsewhere(incident.id))
    ) {
      // Its run never reached the thread (Slack refused its first message): run it again
      // rather than note a repeat in an empty thread.
      incidentLog(this.deps.logger, incident).warn("re-running an incident whose thread got nothing");
      this.track(this.runIncident(incident, meta));
      return;
    }
    this.board.queue(incident.id, meta);
    // One note (with its re-run button) at the first repeat; later repeats are counted in the
    // status message ("Fired: 7 times, last ...") instead of one note each.
    if (count !== 2) return;
    this.board.deliver(
      thread.postNote(
        incident.channel,
        incident.threadTs,
        `:repeat: *${input.alert}* fired again (x${count}); diagnostics were not re-run.`,
        { rerunIncidentId: incident.id },
      ),
    );
  }

  /**
   * Open incidents whose run never reached their thread (its first message refused for good, or
   * the bot stopped first) and that no run is working on: runs them again. Called periodically.
   */
  async sweepUndelivered(now: Date = new Date(), minAgeMs = 10_000): Promise<number> {
    let started = 0;
    for (const incident of await this.deps.store.listOpenIncidents()) {
      if (incident.statusTs || this.board.live.has(incident.id)) continue;
      if (await this.runs.liveElsewhere(incident.id)) continue;
      if (now.getTime() - incident.openedAt.getTime() < minAgeMs) continue;
      const meta = findRunbook(incident.runbookId);
      if (!meta) continue;
      this.track(this.runIncident(incident, meta));
      started++;
    }
    return started;
  }

  // ----------------------------------------------------------------------------- on demand

  /** `/runbook <name>`: opens (or re-runs) an incident in `channel`. */
  async runOnDemand(channel: string, runbookId: string, userId: string): Promise<Outcome> {
    const meta = findRunbook(runbookId);
    if (!meta) return { ok: false, message: `unknown runbook ${runbookId}` };
    const { store, thread } = this.deps;
    const open = await store.findOpenIncident(channel, meta.id);
    if (open) {
      this.board.deliver(
        thread.postNote(
          open.channel,
          open.threadTs,
          `:arrows_counterclockwise: <@${userId}> ran \`/runbook ${meta.id}\`: running the diagnostics again.`,
        ),
      );
      this.track(this.runIncident(open, meta, undefined, userId));
      return {
        ok: true,
        message: `An incident for ${meta.title} is already open here: running it again in its thread.`,
      };
    }
    const now = new Date();
    const rootTs = await thread.postRoot(channel, {
      ...this.baseView(meta, meta.alert, now, 1, "manual"),
      phase: "running",
      requestedBy: userId,
    });
    const result = await store.openIncident({
      dedupeKey: `manual:${channel}:${rootTs}`,
      runbookId: meta.id,
      alertName: meta.alert,
      source: "manual",
      channel,
      threadTs: rootTs,
      severity: meta.severity,
      openedAt: now,
      actor: userId,
    });
    // The root message is this incident's status message: keep it live instead of posting another.
    let incident = result.incident;
    if (result.created && !incident.statusTs) {
      await store.setStatusTs(incident.id, rootTs);
      incident = { ...incident, statusTs: rootTs };
    }
    this.track(this.runIncident(incident, meta, userId));
    return { ok: true, message: `Running ${meta.title}.` };
  }

  /** A note in a thread the caller names (e.g. what could not be recorded while the store was down). */
  async noteInThread(channel: string, threadTs: string, text: string): Promise<void> {
    await this.safe(() => this.deps.thread.postNote(channel, threadTs, text));
  }

  async rerun(incidentId: string, userId: string): Promise<Outcome> {
    const incident = await this.deps.store.getIncident(incidentId);
    const meta = incident && findRunbook(incident.runbookId);
    if (!incident || !meta) return { ok: false, message: "This incident is not known to the bot any more." };
    this.board.deliver(
      this.deps.thread.postNote(
        incident.channel,
        incident.threadTs,
        `:arrows_counterclockwise: <@${userId}> re-ran the diagnostics.`,
      ),
    );
    this.track(this.runIncident(incident, meta, undefined, userId));
    return { ok: true, message: "Re-running diagnostics." };
  }

  private baseView(
    meta: RunbookMeta,
    alert: string,
    startedAt: Date,
    fireCount: number,
    source: string,
  ): IncidentStatusView {
    return {
      incidentId: "",
      runbook: meta,
      alert,
      phase: "running",
      startedAt: startedAt.toISOString(),
      fireCount,
      progress: { done: 0, total: runbookFor(meta).steps.length },
      source,
    };
  }

  private async ensureStatus(
    incident: Incident,
    meta: RunbookMeta,
    view: IncidentStatusView,
    by: Partial<IncidentStatusView>,
  ): Promise<Incident> {
    if (incident.statusTs) {
      this.board.queue(incident.id, meta, by);
      return incident;
    }
    const ts = await this.deps.thread.postStatus(incident.channel, incident.threadTs, view);
    await this.deps.store.setStatusTs(incident.id, ts);
    return { ...incident, statusTs: ts };
  }

  /** A run, under its lease (another replica does not start it again meanwhile). */
  private runIncident(
    start: Incident,
    meta: RunbookMeta,
    requestedBy?: string,
    rerunBy?: string,
  ): Promise<RunReport | undefined> {
    // Live here at once (a re-fire in the same tick must not start it again).
    this.board.live.set(start.id, { done: 0, total: runbookFor(meta).steps.length });
    return this.runs.hold(start.id, () => this.runUnderLease(start, meta, requestedBy, rerunBy));
  }

  private async runUnderLease(
    start: Incident,
    meta: RunbookMeta,
    requestedBy?: string,
    rerunBy?: string,
  ): Promise<RunReport | undefined> {
    const { store, thread, config, ports } = this.deps;
    const runbook = runbookFor(meta);
    const by = requestedBy ? { requestedBy } : {};
    const runId = `run-${randomUUID().slice(0, 8)}`;
    const total = runbook.steps.length;
    this.board.live.set(start.id, { done: 0, total });
    this.board.undelivered.delete(start.id);
    let incident: Incident;
    try {
      incident = await this.ensureStatus(
        start,
        meta,
        this.board.viewOf(start, meta, { phase: "running", progress: { done: 0, total }, ...by }),
        by,
      );
    } catch (error) {
      // The thread got nothing: the incident keeps no status ts, so the next alert for it (or
      // sweepUndelivered) runs it again.
      this.board.live.delete(start.id);
      throw error;
    }
    this.board.lastConclusion.delete(incident.id);
    await store.audit({
      at: new Date(),
      actor: requestedBy ?? rerunBy ?? "bot",
      kind: "run.started",
      incidentId: incident.id,
      details: { runId, runbook: meta.id },
    });
    let report: RunReport;
    try {
      report = await runRunbook(runbook, {
        ports,
        config,
        ...(this.deps.telemetry ? { telemetry: this.deps.telemetry } : {}),
        observer: {
          onStepStarted: async ({ index, title }) => {
            this.board.live.set(incident.id, { done: index, total, current: title });
            this.board.queue(incident.id, meta, by);
          },
          onStepCompleted: async ({ index, report: step }) => {
            incident = (await store.getIncident(incident.id)) ?? incident;
            const view = this.board.viewOf(incident, meta, {
              phase: "running",
              progress: { done: index + 1, total },
              ...by,
            });
            // Queued, not awaited: the next step runs while this one waits for its turn in the
            // channel; one Slack would not take is named in the status message.
            const posted = thread.postStep(incident.channel, incident.threadTs, step, view).catch((error) => {
              if ((error as { kept?: unknown } | null)?.kept === true) return; // sent at the next start
              incidentLog(this.deps.logger, incident).warn(
                { err: error, step: step.id },
                "a step's message did not reach the thread",
              );
              this.board.undelivered.set(incident.id, [
                ...(this.board.undelivered.get(incident.id) ?? []),
                step.title,
              ]);
              this.board.queue(incident.id, meta, by);
            });
            this.track(posted);
            await store.saveStepResult(incident.id, runId, step);
            await store.audit({
              at: new Date(),
              actor: "bot",
              kind: "step.completed",
              incidentId: incident.id,
              details: { runId, step: step.id, status: step.status, summary: step.summary },
            });
            this.board.live.set(incident.id, { done: index + 1, total });
            this.board.queue(incident.id, meta, by);
          },
        },
      });
    } catch (error) {
      this.board.live.delete(incident.id);
      throw error;
    }
    const durationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    this.board.lastConclusion.set(incident.id, { conclusion: report.conclusion, durationMs });
    this.board.live.delete(incident.id);
    await store.saveRunReport(incident.id, runId, report);
    await store.audit({
      at: new Date(),
      actor: "bot",
      kind: "run.completed",
      incidentId: incident.id,
      details: { runId, conclusion: report.conclusion.summary, severity: report.conclusion.severity },
    });
    this.board.queue(incident.id, meta, by);
    return report;
  }

  // ----------------------------------------------------------------------------- actions

  /**
   * The post-incident report of an incident (by id, or the newest incident opened in a channel,
   * open or resolved): rendered from the store, uploaded into the incident's thread as
   * `incident-<id>.md`, audited as report.written; returns the Markdown.
   */
  async writeReport(target: string | { readonly channel: string }, userId: string): Promise<ReportOutcome> {
    const { store, thread } = this.deps;
    const incidentId =
      typeof target === "string" ? target : (await store.findLatestIncident(target.channel))?.id;
    const incident = incidentId === undefined ? undefined : await store.getIncident(incidentId);
    if (!incident) {
      return {
        ok: false,
        message:
          typeof target === "string"
            ? `No incident \`${target}\` is known to the bot.`
            : "No incident has been opened in this channel; give an id: `/runbook report inc-...`.",
      };
    }
    const [runReports, requests, audit] = await Promise.all([
      store.listRunReports(incident.id),
      store.listRequests({ incidentId: incident.id }),
      store.listAudit({ incidentId: incident.id }),
    ]);
    const markdown = renderPostIncidentReport({ incident, runReports, requests, audit, now: new Date() });
    const filename = `incident-${incident.id}.md`;
    try {
      await thread.postFile(incident.channel, incident.threadTs, {
        filename,
        title: `Post-incident report: ${incident.alertName} (${incident.id})`,
        content: markdown,
      });
    } catch (error) {
      incidentLog(this.deps.logger, incident).warn({ err: error }, "report upload failed");
      return { ok: false, message: `Could not upload the report into the thread: ${errorMessage(error)}` };
    }
    await store.audit({
      at: new Date(),
      actor: userId,
      kind: "report.written",
      incidentId: incident.id,
      details: { filename, bytes: Buffer.byteLength(markdown, "utf8") },
    });
    return {
      ok: true,
      message: `Post-incident report posted as ${filename}.`,
      incidentId: incident.id,
      markdown,
    };
  }

  /** The newest incident opened in `channel` (open or resolved), from the audit log. */
  async openIncidents(): Promise<Incident[]> {
    return this.deps.store.listOpenIncidents();
  }

  /** Thread I/O must never crash the service: failures are logged and the work goes on. */
  private async safe(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.deps.logger.warn({ err: error }, "thread update failed");
    }
  }
}

function duration(from: Date, to: Date): string {
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
