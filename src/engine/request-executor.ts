/**
 * Executing approved requests exactly once: the conditional move to executing, a lease renewed
 * while it runs (so other processes sharing the store leave it alone), the preconditions checked
 * again (freeze, the alert still firing, the action's own recheck), the outcome written and said,
 * then the recovery watch. Also the sweeps: requests that expired unapproved, executions whose
 * process died (outcome-unknown, never re-run), approvals never started.
 */
import type { JsonParams } from "../actions/action.ts";
import { findAction } from "../actions/registry.ts";
import { callOutcomeOf } from "../core/call-outcome.ts";
import { formatUtc } from "../core/format-units.ts";
import type { ActionRequest, Incident } from "../store/store.ts";
import { incidentLog } from "./incident-log.ts";
import { frozenReason, type KillSwitch } from "./kill-switch.ts";
import type { RecoveryVerifier } from "./recovery-verifier.ts";
import { errorMessage } from "./run-probe.ts";
import type { DeskWork, IncidentServiceDeps } from "./service-types.ts";

export class RequestExecutor {
  constructor(
    private readonly deps: IncidentServiceDeps,
    private readonly work: DeskWork,
    private readonly instanceId: string,
    private readonly killSwitch: KillSwitch,
    private readonly verifier: RecoveryVerifier,
    /** Redraws a request's message in its thread (buttons replaced by the outcome). */
    private readonly show: (request: ActionRequest) => Promise<void>,
  ) {}

  async execute(request: ActionRequest): Promise<void> {
    const { store, thread, config } = this.deps;
    const incident = await store.getIncident(request.incidentId);
    if (!incident) return;
    const note = (text: string) =>
      this.work.safe(() => thread.postNote(incident.channel, incident.threadTs, text));
    const started = await store.transitionRequest(request.id, "approved", "executing", {
      at: new Date(),
      actor: "bot",
      executor: this.instanceId,
    });
    if (!started.won) return; // another process or click took it
    // The lease: renewed while this process works on it, so other processes know it is alive.
    const leaseMs = config.actions.executionLeaseSeconds * 1000;
    const lease = setInterval(
      () => {
        store
          .renewExecution(request.id, this.instanceId, new Date())
          .catch((error: unknown) =>
            incidentLog(this.deps.logger, incident, request).warn({ err: error }, "lease renewal failed"),
          );
      },
      Math.max(50, leaseMs / 3),
    );
    lease.unref();
    try {
      await this.run(request, started.request, incident, note);
    } finally {
      clearInterval(lease);
    }
  }

  /** The execution proper, once this process holds the request (`executing`). */
  private async run(
    request: ActionRequest,
    executing: ActionRequest,
    incident: Incident,
    note: (text: string) => Promise<void>,
  ): Promise<void> {
    const { store, config, ports } = this.deps;
    const def = findAction(request.action);
    const finish = async (ok: boolean, message: string, details: Record<string, unknown> = {}) => {
      const done = await store.transitionRequest(request.id, "executing", ok ? "succeeded" : "failed", {
        at: new Date(),
        actor: "bot",
        result: { ok, message, ...details },
        ...(ok ? {} : { note: message }),
      });
      await note(
        ok ? `:white_check_mark: Done: ${message}.` : `:x: *${request.preview}* failed: ${message}.`,
      );
      if (done.won) await this.show(done.request);
      if (ok && done.won) await this.verifier.start(done.request, incident, ports.clock.now());
    };
    if (!def) return finish(false, `unknown action ${request.action}`);
    const freeze = await this.killSwitch.freezeState();
    if (freeze.frozen) return finish(false, `not executed, ${frozenReason(freeze)}`);
    const resolved = resolvedReason(incident); // read when this execution started
    if (resolved) return finish(false, `not executed, the world changed: ${resolved}`);
    const parsed = def.parse(request.params, config);
    if (!parsed.ok) return finish(false, `invalid parameters (${parsed.problems.join("; ")})`);
    try {
      const changed = await def.recheck(parsed.params, { ports, config });
      if (changed) return finish(false, `not executed, the world changed: ${changed}`);
    } catch (error) {
      // A read before anything was written: nothing changed, whatever the error.
      return finish(false, errorMessage(error));
    }
    await this.show(executing);
    let result: Awaited<ReturnType<typeof def.execute>>;
    try {
      result = await def.execute(parsed.params, { ports, config });
    } catch (error) {
      // Timed out or cut off after sending: the server may apply it anyway. Never "failed".
      if (callOutcomeOf(error) === "unknown")
        return this.unknown(request, incident, parsed.params, error, note);
      return finish(false, errorMessage(error));
    }
    return finish(true, result.message, { details: result.details });
  }

  /**
   * The write's call timed out or lost its connection: recorded and said as outcome-unknown, with
   * what to check, then the action's own read of the real state settles it in the thread.
   */
  private async unknown(
    request: ActionRequest,
    incident: Incident,
    params: JsonParams,
    error: unknown,
    note: (text: string) => Promise<void>,
  ): Promise<void> {
    const def = findAction(request.action);
    const why = errorMessage(error);
    const check = def?.outcomeCheck?.(params);
    const message = `no answer in time (${why}): it may or may not have applied`;
    const done = await this.deps.store.transitionRequest(request.id, "executing", "outcome-unknown", {
      at: new Date(),
      actor: "bot",
      result: { ok: false, unknown: true, message, ...(check ? { check } : {}) },
      note: message,
    });
    await note(
      `:grey_question: *${request.preview}*: outcome unknown, ${message}.` +
        (check ? ` Check ${check}.` : " Check by hand before retrying.") +
        (def?.settle ? " The bot is reading the real state to settle it." : ""),
    );
    if (done.won) await this.show(done.request);
    if (done.won && def?.settle) {
      const settle = def.settle;
      await this.verifier.settle(done.request, incident, (ctx) => settle(params, ctx));
    }
  }

  async expire(request: ActionRequest, now: Date): Promise<void> {
    const out = await this.deps.store.transitionRequest(request.id, "requested", "expired", {
      at: now,
      actor: "bot",
    });
    if (out.won) await this.announceExpired(out.request);
  }

  /** Redraws a request whose state the bot changed by itself, and says why in its thread. */
  private async announce(request: ActionRequest, line: string): Promise<void> {
    const incident = await this.deps.store.getIncident(request.incidentId);
    if (!incident) return;
    await this.show(request);
    await this.work.safe(() => this.deps.thread.postNote(incident.channel, incident.threadTs, line));
  }

  private announceExpired(request: ActionRequest): Promise<void> {
    return this.announce(request, `:hourglass: The request for *${request.preview}* expired unapproved.`);
  }

  /** Expires requests past their deadline; run periodically. */
  async sweepExpired(now = new Date()): Promise<number> {
    const ids = await this.deps.store.expireDue(now);
    for (const id of ids) {
      const request = await this.deps.store.getRequest(id);
      if (request) await this.announceExpired(request);
    }
    return ids.length;
  }

  /**
   * Executions whose executor stopped renewing its lease (its process died) become outcome-unknown,
   * said in their threads. Live executions of other processes sharing the store are left alone.
   * Run at start and periodically.
   */
  async sweepInterrupted(now = new Date()): Promise<number> {
    const leaseMs = this.deps.config.actions.executionLeaseSeconds * 1000;
    const interrupted = await this.deps.store.markInterruptedExecutions(now, {
      heartbeatBefore: new Date(now.getTime() - leaseMs),
    });
    for (const request of interrupted) {
      await this.announce(
        request,
        `:warning: The bot stopped while executing *${request.preview}*: its outcome is unknown. Check by hand; it will not be re-run automatically.`,
      );
    }
    return interrupted.length;
  }

  /** At start: interrupted executions (see sweepInterrupted), approved requests never started, unfinished watches. */
  async recoverInterrupted(): Promise<number> {
    const interrupted = await this.sweepInterrupted();
    // Approved but never started (the bot stopped between the two writes): the approval stands,
    // so execute it now; preconditions are re-checked as always.
    const approved = await this.deps.store.listRequests({ state: "approved" });
    for (const request of approved) this.work.track(this.execute(request));
    // Fixes whose recovery watch was cut short by the stop are watched for the time they had left.
    await this.verifier.resume();
    return interrupted;
  }
}

/** Why a fix no longer applies: its alert resolved (the seed's precondition "is the alert still firing"). */
export function resolvedReason(incident: Incident | undefined): string | undefined {
  if (incident?.state !== "resolved") return undefined;
  const at = incident.resolvedAt ? ` at ${formatUtc(incident.resolvedAt)}` : "";
  return `the alert ${incident.alertName} resolved${at}`;
}
