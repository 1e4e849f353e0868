/**
 * After a fix succeeds: watch the incident's alert signal (its runbook's recovery check) and post
 * "recovered" or "not recovered after N minutes: next step" in the thread, with one audit event.
 * Watches run in the background, outside `idle()` (they last minutes); stop() ends them. A watch
 * cut short by a stop is resumed at the next start for the time it had left.
 *
 * With several replicas on one store, each watch runs under a lease of its own (`verify:<request>`,
 * lease-runner.ts): one replica at a time watches a request and posts its lines; when that replica
 * dies (or loses the lease) its watch stops, and the replica doing the sweeps resumes it (`resume`
 * runs with every sweep) once the lease has run out.
 */
import type { ActionContext, SettleReading } from "../actions/action.ts";
import { formatDuration } from "../core/format-units.ts";
import { recoveryTiming, verdictLine } from "../core/verification.ts";
import { systemClock } from "../ports/clock.ts";
import { automatedRunbook } from "../runbooks/registry.ts";
import type { ActionRequest, Incident } from "../store/store.ts";
import { incidentLog } from "./incident-log.ts";
import { type LeaseTerms, underLease } from "./lease-runner.ts";
import { type FinalVerdict, watchRecovery } from "./recovery-watch.ts";
import { errorMessage } from "./run-probe.ts";
import type { IncidentServiceDeps } from "./service-types.ts";
import { settleLine, settleOutcome } from "./settle-outcome.ts";

/** How long after its window a watch cut short by a stop still gets its one last look. */
const RESUME_GRACE_MS = 3_600_000;

export class RecoveryVerifier {
  private readonly watches = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** Requests this replica watches now (under their lease). */
  private readonly local = new Set<string>();
  /** Watches too old to resume, logged once. */
  private readonly leftAlone = new Set<string>();

  constructor(
    private readonly deps: IncidentServiceDeps,
    private readonly safe: (fn: () => Promise<unknown>) => Promise<void>,
    /** This replica, as lease holder. */
    private readonly instanceId = "bot",
  ) {}

  private get leaseMs(): number {
    return this.deps.config.replicas.leaseSeconds * 1000;
  }

  /**
   * A watch's lease. Timed on the system clock, not the ports' clock: leases are about real
   * replicas in real time (a drill's virtual clock jumps ahead on every sleep).
   */
  private leaseOf(request: ActionRequest): LeaseTerms {
    return {
      coordination: this.deps.store.coordination(),
      name: `verify:${request.id}`,
      holder: this.instanceId,
      leaseMs: this.leaseMs,
      clock: systemClock,
      onLost: (name, error) =>
        this.deps.logger.warn(
          { lease: name, request: request.id, ...(error === undefined ? {} : { err: error }) },
          "lost the lease on a recovery watch: stopped it here (another replica resumes it)",
        ),
    };
  }

  /**
   * Says in the thread what will be watched, then watches in the background: resolves once the
   * first line is posted, not when the watch ends.
   */
  async start(request: ActionRequest, incident: Incident, since: Date, resumed = false): Promise<void> {
    if (!this.deps.config.actions.verification.enabled || this.stopping.signal.aborted) return;
    const check = automatedRunbook(incident.runbookId)?.verify;
    if (!check || this.local.has(request.id)) return;
    const { thread, config, ports } = this.deps;
    const { withinMs } = recoveryTiming(check, config);
    this.local.add(request.id);
    let begun: () => void = () => undefined;
    const firstLine = new Promise<void>((resolve) => {
      begun = resolve;
    });
    // Under the request's lease: another replica watching it already leaves this one "busy".
    const watch = underLease(
      this.leaseOf(request),
      async (signal) => {
        const elapsed = ports.clock.now().getTime() - since.getTime();
        const left = resumed ? Math.max(0, withinMs - elapsed) : withinMs;
        await this.safe(() =>
          thread.postNote(
            incident.channel,
            incident.threadTs,
            resumed
              ? `:mag: Resuming the check after *${request.preview}* (the bot restarted): watching ${check.watches} for ${formatDuration(left)} more.`
              : `:mag: Verifying *${request.preview}*: watching ${check.watches} for up to ${formatDuration(withinMs)}; recovered when ${check.recoveredWhen(config)}.`,
          ),
        );
        begun();
        let verdict: FinalVerdict;
        try {
          verdict = await watchRecovery({
            check,
            ports,
            config,
            // A resumed watch only has the time that was left.
            withinMs: left,
            since,
            signal,
            onLook: (look) =>
              this.deps.logger.debug(
                { request: request.id, ok: look.ok, text: look.ok ? look.reading.text : look.error },
                "recovery look",
              ),
          });
        } catch (error) {
          // The bot is stopping (resumed at the next start) or the lease is lost (another replica
          // resumes it): no verdict from here.
          if (signal.aborted) return;
          verdict = { state: "not-recovered", afterMs: 0, reading: undefined, error: errorMessage(error) };
        }
        // Timed from the fix, not from the restart.
        if (resumed) verdict = { ...verdict, afterMs: ports.clock.now().getTime() - since.getTime() };
        const line = verdictLine(verdict, check);
        await this.deps.store.audit({
          at: ports.clock.now(),
          actor: "bot",
          kind: "action.verified",
          incidentId: incident.id,
          requestId: request.id,
          details: {
            recovered: verdict.state === "recovered",
            message: line.replace(/^:[a-z_]+: /, "").replace(/\*/g, ""),
            afterSeconds: Math.round(verdict.afterMs / 1000),
            watched: check.watches,
            ...(verdict.reading ? { reading: verdict.reading.text } : {}),
            ...(verdict.state === "not-recovered" && verdict.error ? { error: verdict.error } : {}),
          },
        });
        await this.safe(() => thread.postNote(incident.channel, incident.threadTs, line));
      },
      this.stopping.signal,
    )
      .then((outcome) => {
        if (outcome.state === "busy")
          this.deps.logger.debug({ request: request.id }, "another replica watches this request");
      })
      .catch((error: unknown) =>
        incidentLog(this.deps.logger, incident, request).error({ err: error }, "recovery watch failed"),
      )
      .finally(() => {
        this.local.delete(request.id);
        begun();
      });
    this.watches.add(watch);
    void watch.finally(() => this.watches.delete(watch));
    await firstLine;
  }

  /**
   * An unknown outcome (the write timed out): reads the real state in the background (`read`, the
   * action's settle) until the change is there or actions.settleWithinSeconds passed, then says in
   * the thread whether it applied, with one action.settled audit event. When it applied, the
   * recovery watch follows as after any fix. Resolves once the watch is started.
   */
  async settle(
    request: ActionRequest,
    incident: Incident,
    read: (ctx: ActionContext) => Promise<SettleReading>,
  ): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const { thread, config, ports, store } = this.deps;
    const watch = (async () => {
      const verdict = await settleOutcome({
        read: () => read({ ports, config }),
        clock: ports.clock,
        withinMs: config.actions.settleWithinSeconds * 1000,
        everyMs: config.actions.settleEverySeconds * 1000,
        signal: this.stopping.signal,
      });
      const line = settleLine(request.preview, verdict);
      await store.audit({
        at: ports.clock.now(),
        actor: "bot",
        kind: "action.settled",
        incidentId: incident.id,
        requestId: request.id,
        details: {
          applied: verdict.state === "applied",
          afterSeconds: Math.round(verdict.afterMs / 1000),
          ...(verdict.detail === undefined ? {} : { reading: verdict.detail }),
          ...(verdict.state === "not-applied" && verdict.error ? { error: verdict.error } : {}),
        },
      });
      await this.safe(() => thread.postNote(incident.channel, incident.threadTs, line));
      if (verdict.state === "applied") await this.start(request, incident, ports.clock.now());
    })().catch((error: unknown) => {
      if (this.stopping.signal.aborted) return;
      incidentLog(this.deps.logger, incident, request).error(
        { err: error },
        "settling an unknown outcome failed",
      );
    });
    this.watches.add(watch);
    void watch.finally(() => this.watches.delete(watch));
  }

  /**
   * At start and with every sweep: succeeded requests whose watch never reached a verdict (the bot
   * stopped, or its replica died) are watched again for the time they had left, under their lease
   * (skipped while another replica holds it); up to an hour past it, one last look decides; later
   * ones are left (logged).
   */
  async resume(): Promise<number> {
    const { store, config } = this.deps;
    if (!config.actions.verification.enabled) return 0;
    const now = this.deps.ports.clock.now();
    let resumed = 0;
    // No window is longer than a day: older successes are not even read.
    const since = new Date(now.getTime() - 24 * 3_600_000 - RESUME_GRACE_MS);
    for (const request of await store.listRequests({ state: "succeeded", updatedSince: since })) {
      const age = now.getTime() - request.updatedAt.getTime();
      // Watched here already, or so fresh that the replica that ran the fix is starting its watch.
      if (this.local.has(request.id) || age < this.leaseMs) continue;
      const incident = await store.getIncident(request.incidentId);
      const check = incident ? automatedRunbook(incident.runbookId)?.verify : undefined;
      if (!incident || !check) continue;
      const { withinMs } = recoveryTiming(check, config);
      // Long past its window: a verdict now would not say what the fix did; nobody waits for it.
      if (age > withinMs + RESUME_GRACE_MS) {
        if (this.leftAlone.has(request.id)) continue; // said once (resume runs with every sweep)
        this.leftAlone.add(request.id);
        incidentLog(this.deps.logger, incident, request).info(
          "recovery watch not resumed: its window has long passed",
        );
        continue;
      }
      const events = await store.listAudit({ requestId: request.id });
      if (events.some((e) => e.kind === "action.verified")) continue;
      await this.start(request, incident, request.updatedAt, true);
      resumed += 1;
    }
    return resumed;
  }

  /** Resolves when every watch started so far has posted its verdict (tests). */
  async settled(): Promise<void> {
    while (this.watches.size > 0) await Promise.allSettled([...this.watches]);
  }

  /** Ends every watch without a verdict; the next start resumes them. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("the bot is stopping"));
    await this.settled();
  }
}
