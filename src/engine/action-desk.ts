/**
 * The fix half of an incident: proposals become requests with the exact change, approved by the
 * people the risk tier asks for, refused outside the allowed channels or while frozen, executed
 * once after a recheck, and expired or recovered when nobody (or no process) finished them.
 * Every decision is an audit event and a line in the thread.
 */
import { ActionRefusal, type JsonParams } from "../actions/action.ts";
import { type ActionForm, type FormValues, problemsByField } from "../actions/action-form.ts";
import { findAction } from "../actions/registry.ts";
import {
  approvedOnRequest,
  canReject,
  decideApproval,
  describeTier,
  type RiskTier,
  requestDeadline,
  requiredApprovals,
} from "../core/approval.ts";
import type { Proposal } from "../core/finding.ts";
import type { ApprovalView } from "../core/views.ts";
import type { ActionRequest, Incident } from "../store/store.ts";
import { DeskPolicy } from "./desk-policy.ts";
import { frozenReason, KillSwitch } from "./kill-switch.ts";
import { type RequestSource, unboundReason } from "./proposal-guard.ts";
import { RecoveryVerifier } from "./recovery-verifier.ts";
import { RequestExecutor, resolvedReason } from "./request-executor.ts";
import { errorMessage } from "./run-probe.ts";
import type {
  ClickOrigin,
  CommandOutcome,
  DeskWork,
  FreezeState,
  IncidentServiceDeps,
  Outcome,
} from "./service-types.ts";
import { storeRefusal, storeRefusalOf } from "./store-alarm.ts";

export class ActionDesk {
  /** Watches the alert's signal after each successful fix. */
  readonly verifier: RecoveryVerifier;
  private readonly policy: DeskPolicy;
  private readonly killSwitch: KillSwitch;
  private readonly executor: RequestExecutor;

  constructor(
    private readonly deps: IncidentServiceDeps,
    private readonly work: DeskWork,
    readonly instanceId: string,
  ) {
    this.verifier = new RecoveryVerifier(deps, (fn) => work.safe(fn), instanceId);
    this.policy = new DeskPolicy(deps);
    this.killSwitch = new KillSwitch(deps, this.policy, () => this.refreshPendingRequests());
    this.executor = new RequestExecutor(deps, work, instanceId, this.killSwitch, this.verifier, (r) =>
      this.showRequest(r),
    );
  }

  /** The risk tier an action runs under: `approvals.riskTiers`, else its declared risk, else high. */
  tierOf(actionId: string): RiskTier {
    return this.policy.tierOf(actionId);
  }

  freezeState(): Promise<FreezeState> {
    return this.killSwitch.freezeState();
  }

  /** `/runbook freeze [reason]` (see KillSwitch). */
  freeze(channel: string, userId: string, reason?: string): Promise<CommandOutcome> {
    return this.killSwitch.freeze(channel, userId, reason);
  }

  /** `/runbook unfreeze` (see KillSwitch). */
  unfreeze(channel: string, userId: string): Promise<CommandOutcome> {
    return this.killSwitch.unfreeze(channel, userId);
  }

  /** Expires requests past their deadline; run periodically. */
  sweepExpired(now = new Date()): Promise<number> {
    return this.executor.sweepExpired(now);
  }

  /** Executions whose process died become outcome-unknown; run at start and periodically. */
  sweepInterrupted(now = new Date()): Promise<number> {
    return this.executor.sweepInterrupted(now);
  }

  /** At start: interrupted executions, approved requests never started, unfinished watches. */
  recoverInterrupted(): Promise<number> {
    return this.executor.recoverInterrupted();
  }

  /** Audits a refused click or command and says it in the thread. */
  private async refuseInThread(
    incident: Incident,
    userId: string,
    line: string,
    reason: string,
    details: Record<string, unknown>,
    requestId?: string,
  ): Promise<Outcome> {
    // A store that cannot be written records nothing (the refusal is then in the thread and the log).
    await this.deps.store
      .audit({
        at: new Date(),
        actor: userId,
        kind: "action.refused",
        incidentId: incident.id,
        ...(requestId === undefined ? {} : { requestId }),
        details: { ...details, reason },
      })
      .catch((error: unknown) => {
        if (storeRefusalOf(error) === undefined) throw error;
      });
    await this.work.safe(() => this.deps.thread.postNote(incident.channel, incident.threadTs, line));
    return { ok: false, message: `Refused: ${reason}.` };
  }

  /**
   * A button whose action and params are not a fix the bot proposed for this incident: audited and
   * refused to the clicker only (a crafted payload gets no line in the thread). Undefined: it is one.
   */
  private async refuseUnbound(
    incident: Incident,
    userId: string,
    proposal: Pick<Proposal, "action" | "params">,
    attempted: "request" | "preview",
  ): Promise<Outcome | undefined> {
    const reason = await unboundReason(this.deps.store, incident.id, proposal);
    if (reason === undefined) return undefined;
    await this.deps.store.audit({
      at: new Date(),
      actor: userId,
      kind: "action.refused",
      incidentId: incident.id,
      details: { action: proposal.action, attempted, reason },
    });
    return { ok: false, message: `Refused: ${reason}. Nothing was done.` };
  }

  /** A proposal button was pressed: validate, preview from the current state, post an approval request. */
  async requestAction(input: {
    incidentId: string;
    proposal: Pick<Proposal, "action" | "params">;
    userId: string;
    /** Where the button was pressed; absent for callers that are not a button. */
    channel?: ClickOrigin;
    /** "button": the params must be a fix the bot proposed for this incident (see proposal-guard). */
    via?: RequestSource;
  }): Promise<Outcome> {
    const { store, thread, config, ports } = this.deps;
    const incident = await store.getIncident(input.incidentId);
    if (!incident) return { ok: false, message: "This button belongs to an incident the bot does not know." };
    const def = findAction(input.proposal.action);
    const refuse = (reason: string) =>
      this.refuseInThread(
        incident,
        input.userId,
        `:no_entry: <@${input.userId}> asked for *${def?.title ?? input.proposal.action}*: refused, ${reason}.`,
        reason,
        { action: input.proposal.action, attempted: "request", ...channelDetails(input.channel) },
      );
    const wrongChannel = this.policy.channelRefusal(input.channel);
    if (wrongChannel) return refuse(wrongChannel);
    const storeDown = storeRefusal(store);
    if (storeDown) return refuse(storeDown);
    if (input.via === "button") {
      const unbound = await this.refuseUnbound(incident, input.userId, input.proposal, "request");
      if (unbound) return unbound;
    }
    if (!def) return refuse(`unknown action \`${input.proposal.action}\``);
    const resolved = resolvedReason(incident);
    if (resolved)
      return refuse(`${resolved}: run \`/runbook ${incident.runbookId}\` again if a fix is still needed`);
    const { tier, refusal } = await this.policy.requestRefusal(def.id, input.userId);
    if (refusal) return refuse(refusal);
    const parsed = def.parse(input.proposal.params, config);
    if (!parsed.ok) return refuse(`invalid parameters (${parsed.problems.join("; ")})`);
    let prepared: Awaited<ReturnType<typeof def.prepare>>;
    try {
      prepared = await def.prepare(parsed.params, { ports, config });
    } catch (error) {
      if (error instanceof ActionRefusal) return refuse(error.message);
      return refuse(`could not read the current state: ${errorMessage(error)}`);
    }
    const now = new Date();
    // One open request per incident and action: while one waits for approval another click (or
    // a second person) is pointed at it. The key counts earlier requests of this action, so two
    // clicks racing compute the same key and the store's unique constraint lets one through.
    const earlier = (await store.listRequests({ incidentId: incident.id })).filter(
      (r) => r.action === def.id,
    );
    const pending = earlier.find(
      (r) => r.state === "requested" || r.state === "approved" || r.state === "executing",
    );
    if (pending) {
      return {
        ok: false,
        message: `A request for ${def.title} is already open in this thread: ${pending.preview} (${pending.state}).`,
      };
    }
    let created: Awaited<ReturnType<typeof store.createRequest>>;
    try {
      created = await store.createRequest({
        incidentId: incident.id,
        action: def.id,
        params: prepared.params,
        preview: prepared.preview,
        requesterId: input.userId,
        createdAt: now,
        expiresAt: requestDeadline(now, config.approvals.expiryMinutes),
        dedupeKey: `${incident.id}:${def.id}:${earlier.length + 1}`,
      });
    } catch (error) {
      const down = storeRefusalOf(error);
      if (down) return refuse(down);
      throw error;
    }
    const { request } = created;
    if (!created.created) {
      return {
        ok: false,
        message: `A request for ${def.title} is already open in this thread: ${request.preview} (${request.state}).`,
      };
    }
    const freeze = await this.killSwitch.freezeState();
    // Low risk: the requester's click is the approval (unless frozen: then it waits, preview only).
    let shown = request;
    if (approvedOnRequest(tier) && !freeze.frozen) {
      const own = await store.recordApproval(request.id, {
        by: input.userId,
        at: now,
        required: requiredApprovals(tier),
        details: { tier, onRequest: true },
      });
      if (own.recorded) shown = own.request;
    }
    const ts = await thread.postApproval(
      incident.channel,
      incident.threadTs,
      this.approvalView(shown, def.title, { frozen: freeze.frozen }),
    );
    await store.setRequestMessageTs(request.id, ts);
    if (freeze.frozen) {
      await this.work.safe(() =>
        thread.postNote(
          incident.channel,
          incident.threadTs,
          `:ice_cube: <@${input.userId}> asked for *${prepared.preview}*: shown as a preview only, ${frozenReason(freeze)}.`,
        ),
      );
      return { ok: true, message: `Frozen, preview only: ${prepared.preview}` };
    }
    if (shown.state === "approved") {
      await this.work.safe(() =>
        thread.postNote(
          incident.channel,
          incident.threadTs,
          `:ballot_box_with_check: <@${input.userId}> requested and approved *${prepared.preview}* (low risk: one click).`,
        ),
      );
      await this.executor.execute({ ...shown, messageTs: ts });
      return { ok: true, message: `Approved and executed: ${prepared.preview}` };
    }
    return { ok: true, message: `Approval requested: ${prepared.preview}` };
  }

  /**
   * A "Choose…" button: the action's form (its fields and their choices, read from the current
   * state), after the checks a request makes first (the channel allow-list, who may request).
   * Opens nothing itself; the surface shows the form and submits it through checkForm + requestAction.
   */
  async openForm(input: {
    incidentId: string;
    proposal: Pick<Proposal, "action" | "params">;
    userId: string;
    channel?: ClickOrigin;
  }): Promise<
    | { ok: true; form: ActionForm; title: string; tier: RiskTier; risk: string }
    | { ok: false; message: string }
  > {
    const { store, config, ports } = this.deps;
    const incident = await store.getIncident(input.incidentId);
    if (!incident) return { ok: false, message: "This button belongs to an incident the bot does not know." };
    const def = findAction(input.proposal.action);
    const refuse = async (reason: string) => {
      const out = await this.refuseInThread(
        incident,
        input.userId,
        `:no_entry: <@${input.userId}> opened the form of *${def?.title ?? input.proposal.action}*: refused, ${reason}.`,
        reason,
        { action: input.proposal.action, attempted: "form", ...channelDetails(input.channel) },
      );
      return { ok: false as const, message: out.message };
    };
    const wrongChannel = this.policy.channelRefusal(input.channel);
    if (wrongChannel) return refuse(wrongChannel);
    if (!def?.form)
      return { ok: false, message: `${def?.title ?? input.proposal.action} takes no value to choose.` };
    const { tier, refusal } = await this.policy.requestRefusal(def.id, input.userId);
    if (refusal) return refuse(refusal);
    try {
      const form = await def.form.describe(input.proposal.params, { ports, config });
      return {
        ok: true,
        form,
        title: def.title,
        tier,
        risk: describeTier(tier, config.approvals.allowSelfApproval),
      };
    } catch (error) {
      const why =
        error instanceof ActionRefusal
          ? error.message
          : `could not read the current state: ${errorMessage(error)}`;
      return { ok: false, message: `${def.title}: ${why}.` };
    }
  }

  /**
   * A submitted form: its values over the proposal's params, checked by the action's own parse().
   * The problems come back by field id (the form stays open); valid params go to requestAction.
   */
  checkForm(input: {
    action: string;
    base: JsonParams;
    values: FormValues;
  }): { ok: true; params: JsonParams } | { ok: false; errors: Record<string, string> } {
    const def = findAction(input.action);
    const fieldIds = Object.keys(input.values);
    if (!def?.form) {
      return { ok: false, errors: problemsByField(fieldIds, [`unknown action ${input.action}`]) };
    }
    const raw = def.form.toParams(input.values, input.base);
    const parsed = def.parse(raw, this.deps.config);
    if (parsed.ok) return { ok: true, params: raw };
    return { ok: false, errors: problemsByField(fieldIds, parsed.problems, def.form.problemPrefixes) };
  }

  /**
   * The Preview button: the exact change the action would make, computed from the current state,
   * for the clicker only. Creates no request and executes nothing; audited as action.previewed.
   */
  async previewAction(input: {
    incidentId: string;
    proposal: Pick<Proposal, "action" | "params">;
    userId: string;
    channel?: ClickOrigin;
    via?: RequestSource;
  }): Promise<Outcome> {
    const { store, config, ports } = this.deps;
    const incident = await store.getIncident(input.incidentId);
    if (!incident) return { ok: false, message: "This button belongs to an incident the bot does not know." };
    const def = findAction(input.proposal.action);
    const wrongChannel = this.policy.channelRefusal(input.channel);
    if (wrongChannel) {
      return this.refuseInThread(
        incident,
        input.userId,
        `:no_entry: <@${input.userId}> pressed Preview for *${def?.title ?? input.proposal.action}*: refused, ${wrongChannel}.`,
        wrongChannel,
        { action: input.proposal.action, attempted: "preview", ...channelDetails(input.channel) },
      );
    }
    if (input.via === "button") {
      const unbound = await this.refuseUnbound(incident, input.userId, input.proposal, "preview");
      if (unbound) return unbound;
    }
    if (!def)
      return { ok: false, message: `Nothing to preview: unknown action \`${input.proposal.action}\`.` };
    const parsed = def.parse(input.proposal.params, config);
    if (!parsed.ok) {
      return { ok: false, message: `Cannot preview: invalid parameters (${parsed.problems.join("; ")}).` };
    }
    let prepared: Awaited<ReturnType<typeof def.prepare>>;
    try {
      prepared = await def.prepare(parsed.params, { ports, config });
    } catch (error) {
      const why =
        error instanceof ActionRefusal
          ? error.message
          : `could not read the current state: ${errorMessage(error)}`;
      return { ok: false, message: `Preview of ${def.title}: ${why}.` };
    }
    const tier = this.policy.tierOf(def.id);
    const freeze = await this.killSwitch.freezeState();
    await store.audit({
      at: new Date(),
      actor: input.userId,
      kind: "action.previewed",
      incidentId: incident.id,
      details: { action: def.id, params: prepared.params, preview: prepared.preview, tier },
    });
    const lines = [
      `:mag: *Preview* of *${def.title}* (nothing was executed and no request was made):`,
      `\`\`\`${prepared.preview}\`\`\``,
      `Risk: ${describeTier(tier, config.approvals.allowSelfApproval)}.`,
    ];
    if (freeze.frozen) lines.push(`:ice_cube: ${frozenReason(freeze)}.`);
    return { ok: true, message: lines.join("\n") };
  }

  approvalView(request: ActionRequest, title?: string, extra: { frozen?: boolean } = {}): ApprovalView {
    const result = request.result as { ok?: boolean; message?: string } | null;
    const tier = this.policy.tierOf(request.action);
    return {
      requestId: request.id,
      incidentId: request.incidentId,
      actionLabel: title ?? findAction(request.action)?.title ?? request.action,
      preview: request.preview,
      requesterId: request.requesterId,
      state: request.state,
      createdAt: request.createdAt.toISOString(),
      expiresAt: request.expiresAt.toISOString(),
      approvals: request.approvals.map((a) => ({ userId: a.by, at: a.at.toISOString() })),
      requiredApprovals: requiredApprovals(tier),
      risk: tier,
      ...(extra.frozen === true && request.state === "requested" ? { frozen: true } : {}),
      ...(request.decidedBy ? { decidedBy: request.decidedBy } : {}),
      ...(result && typeof result.message === "string"
        ? { result: { ok: result.ok === true, message: result.message } }
        : {}),
      ...(request.note ? { note: request.note } : {}),
    };
  }

  private async showRequest(request: ActionRequest): Promise<void> {
    const incident = await this.deps.store.getIncident(request.incidentId);
    if (!incident || !request.messageTs) return;
    const frozen = request.state === "requested" ? (await this.killSwitch.freezeState()).frozen : false;
    await this.work.safe(() =>
      this.deps.thread.updateApproval(
        incident.channel,
        request.messageTs!,
        this.approvalView(request, undefined, { frozen }),
      ),
    );
  }

  async approve(requestId: string, userId: string, channel?: ClickOrigin): Promise<Outcome> {
    const { config, store, thread } = this.deps;
    const click = await this.clickOn(requestId, userId, channel, "approve");
    if (!click.ok) return click.outcome;
    const { request, incident, refuse } = click;
    const now = new Date();
    const tier = this.policy.tierOf(request.action);
    const decision = decideApproval(
      request,
      userId,
      {
        approvers: await this.policy.approvers(),
        allowSelfApproval: config.approvals.allowSelfApproval,
        tier,
      },
      now,
    );
    if (!decision.ok) {
      if (decision.reason === "request has expired") await this.executor.expire(request, now);
      return refuse(decision.reason);
    }
    const freeze = await this.killSwitch.freezeState();
    if (freeze.frozen) return refuse(frozenReason(freeze));
    const required = requiredApprovals(tier);
    let outcome: Awaited<ReturnType<typeof store.recordApproval>>;
    try {
      outcome = await store.recordApproval(requestId, { by: userId, at: now, required, details: { tier } });
    } catch (error) {
      const down = storeRefusalOf(error);
      if (down) return refuse(down);
      throw error;
    }
    if (!outcome.recorded) {
      if (outcome.reason === "expired" && outcome.current) await this.executor.expire(outcome.current, now);
      if (outcome.reason === "already-approved") {
        return { ok: false, message: "You have already approved this request; it needs another person." };
      }
      return { ok: false, message: `Already ${outcome.current?.state ?? "handled"}.` };
    }
    const count = outcome.request.approvals.length;
    const progress = required > 1 ? ` (${count} of ${required})` : "";
    await this.work.safe(() =>
      thread.postNote(
        incident.channel,
        incident.threadTs,
        outcome.approved
          ? `:ballot_box_with_check: <@${userId}> approved *${request.preview}*${progress} (requested by <@${request.requesterId}>).`
          : `:ballot_box_with_check: <@${userId}> approved *${request.preview}*${progress}: ${required - count} more approval${required - count === 1 ? "" : "s"} needed from someone else.`,
      ),
    );
    await this.showRequest(outcome.request);
    if (!outcome.approved) return { ok: true, message: `Approval recorded${progress}.` };
    await this.executor.execute(outcome.request);
    return { ok: true, message: "Approved." };
  }

  async reject(requestId: string, userId: string, channel?: ClickOrigin): Promise<Outcome> {
    const { store, thread } = this.deps;
    const click = await this.clickOn(requestId, userId, channel, "reject");
    if (!click.ok) return click.outcome;
    const { request, incident, refuse } = click;
    const now = new Date();
    const allowed = canReject({
      actorId: userId,
      requesterId: request.requesterId,
      approvers: await this.policy.approvers(),
    });
    if (!allowed.ok) return refuse(allowed.reason);
    let outcome: Awaited<ReturnType<typeof store.transitionRequest>>;
    try {
      outcome = await store.transitionRequest(requestId, "requested", "rejected", { at: now, actor: userId });
    } catch (error) {
      const down = storeRefusalOf(error);
      if (down) return refuse(down);
      throw error;
    }
    if (!outcome.won) return { ok: false, message: `Already ${outcome.current?.state ?? "handled"}.` };
    await this.work.safe(() =>
      thread.postNote(incident.channel, incident.threadTs, `:x: <@${userId}> rejected *${request.preview}*.`),
    );
    await this.showRequest(outcome.request);
    return { ok: true, message: "Rejected." };
  }

  /**
   * An Approve or Reject click: the request and its thread, a `refuse` that audits the refusal and
   * says it in the thread, and the channel allow-list already applied.
   */
  private async clickOn(
    requestId: string,
    userId: string,
    channel: ClickOrigin | undefined,
    attempted: "approve" | "reject",
  ): Promise<
    | {
        ok: true;
        request: ActionRequest;
        incident: Incident;
        refuse: (reason: string) => Promise<Outcome>;
      }
    | { ok: false; outcome: Outcome }
  > {
    const loaded = await this.loadRequest(requestId);
    if (!loaded.ok) return loaded;
    const { request, incident } = loaded;
    const button = attempted === "approve" ? "Approve" : "Reject";
    const refuse = (reason: string) =>
      this.refuseInThread(
        incident,
        userId,
        `:no_entry: <@${userId}> pressed ${button} on *${request.preview}*: refused, ${reason}.`,
        reason,
        { attempted, ...channelDetails(channel) },
        requestId,
      );
    const wrongChannel = this.policy.channelRefusal(channel);
    if (wrongChannel) return { ok: false, outcome: await refuse(wrongChannel) };
    const storeDown = storeRefusal(this.deps.store);
    if (storeDown) return { ok: false, outcome: await refuse(storeDown) };
    return { ok: true, request, incident, refuse };
  }

  private async loadRequest(
    requestId: string,
  ): Promise<{ ok: true; request: ActionRequest; incident: Incident } | { ok: false; outcome: Outcome }> {
    const { store } = this.deps;
    const request = await store.getRequest(requestId);
    if (!request) {
      return { ok: false, outcome: { ok: false, message: "This approval request is not known to the bot." } };
    }
    const incident = await store.getIncident(request.incidentId);
    if (!incident) {
      return {
        ok: false,
        outcome: { ok: false, message: "This approval request's incident is not known to the bot." },
      };
    }
    return { ok: true, request, incident };
  }

  /** Redraws every pending request, so that its message says whether Approve would execute. */
  private async refreshPendingRequests(): Promise<void> {
    for (const request of await this.deps.store.listRequests({ state: "requested" })) {
      await this.showRequest(request);
    }
  }
}

function channelDetails(origin: ClickOrigin | undefined): Record<string, unknown> {
  if (origin === undefined) return {};
  return { channel: origin.channelId, ...(origin.channelName ? { channelName: origin.channelName } : {}) };
}
