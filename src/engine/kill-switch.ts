/**
 * The kill switch: every action preview-only, by the config (`actions.frozen`) or at run time by
 * `/runbook freeze` (a store setting, so a restart and every process sharing the store see it),
 * lifted by `/runbook unfreeze` (never the config's). Only authorised approvers may switch it.
 */
import { approverSet } from "../core/approval.ts";
import type { DeskPolicy } from "./desk-policy.ts";
import type { CommandOutcome, FreezeState, IncidentServiceDeps } from "./service-types.ts";

/** The store setting that holds the runtime freeze. */
const FREEZE_KEY = "actions.frozen";

/** Why nothing executes, for refusals and failed requests. */
export function frozenReason(state: FreezeState): string {
  return state.config
    ? "actions are frozen by the config (actions.frozen): preview only"
    : "actions are frozen (`/runbook freeze`): preview only until `/runbook unfreeze`";
}

export class KillSwitch {
  constructor(
    private readonly deps: IncidentServiceDeps,
    private readonly policy: DeskPolicy,
    /** Called after the switch moved (e.g. to redraw pending requests). */
    private readonly onChange: () => Promise<void>,
  ) {}

  /**
   * Whether actions are frozen (preview only): by the config kill switch `actions.frozen`, or at
   * run time by `/runbook freeze` (kept in the store, so a restart and every replica see it).
   */
  async freezeState(): Promise<FreezeState> {
    const setting = await this.deps.store.getSetting(FREEZE_KEY);
    const runtime =
      setting?.value === true ? { by: setting.updatedBy, at: setting.updatedAt.toISOString() } : undefined;
    const config = this.deps.config.actions.frozen;
    return { frozen: config || runtime !== undefined, config, ...(runtime ? { runtime } : {}) };
  }

  /**
   * `/runbook freeze [reason]` by an authorised person: every action becomes preview-only until
   * `/runbook unfreeze`. Kept in the store (a restart keeps it). `channelLine` is said in the
   * channel where the command was typed; `message` goes to the person.
   */
  async freeze(channel: string, userId: string, reason?: string): Promise<CommandOutcome> {
    return this.set(channel, userId, true, reason);
  }

  /** `/runbook unfreeze`: lifts the runtime freeze (never the config's `actions.frozen`). */
  async unfreeze(channel: string, userId: string): Promise<CommandOutcome> {
    return this.set(channel, userId, false);
  }

  private async set(
    channel: string,
    userId: string,
    frozen: boolean,
    reason?: string,
  ): Promise<CommandOutcome> {
    const { store } = this.deps;
    const verb = frozen ? "freeze" : "unfreeze";
    const now = new Date();
    if (!approverSet(await this.policy.approvers()).has(userId)) {
      const why = "only an authorised approver can freeze or unfreeze actions";
      await store.audit({
        at: now,
        actor: userId,
        kind: "action.refused",
        details: { attempted: verb, channel, reason: why },
      });
      return {
        ok: false,
        message: `Refused: ${why}.`,
        channelLine: `:no_entry: <@${userId}> typed \`/runbook ${verb}\`: refused, ${why}.`,
      };
    }
    // Unfreezing when no `/runbook freeze` is in force changes nothing (and audits nothing).
    const current = (await store.getSetting(FREEZE_KEY))?.value === true;
    const changed =
      current !== frozen &&
      (await store.putSetting(FREEZE_KEY, frozen, {
        at: now,
        actor: userId,
        kind: frozen ? "actions.frozen" : "actions.unfrozen",
        details: { channel, ...(reason ? { reason } : {}) },
      }));
    const state = await this.freezeState();
    if (!changed) {
      const message = frozen
        ? `Actions are already frozen (${frozenReason(state)}).`
        : state.config
          ? "No `/runbook freeze` is in force; actions stay frozen by the config (actions.frozen)."
          : "Actions are not frozen.";
      return { ok: true, message };
    }
    await this.onChange();
    const why = reason ? ` Reason: ${reason}` : "";
    const line = frozen
      ? `:ice_cube: <@${userId}> froze all actions: requests are shown as previews and Approve executes nothing until \`/runbook unfreeze\`.${why}`
      : state.config
        ? `:ice_cube: <@${userId}> lifted \`/runbook freeze\`, but actions stay frozen by the config (actions.frozen).`
        : `:sunny: <@${userId}> unfroze actions: approved requests execute again.`;
    return { ok: true, message: frozen ? "Actions frozen." : "Runtime freeze lifted.", channelLine: line };
  }
}
