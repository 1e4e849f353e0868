/**
 * Says when the store goes bad or comes back: one error (or info) line in the log with the path,
 * and one note in the thread of each open incident, per change of state. While it is bad the
 * action desk refuses requests and approvals (storeRefusal) and says why to the clicker.
 */
import { type Store, type StoreCondition, StoreUnavailableError } from "../store/store.ts";
import { incidentLog } from "./incident-log.ts";
import type { IncidentServiceDeps } from "./service-types.ts";

/** Why a request or an approval cannot be taken now (the store cannot be written), if it cannot. */
export function storeRefusal(store: Store): string | undefined {
  const condition = store.health?.();
  return condition && !condition.ok ? cannotRecord(condition.reason) : undefined;
}

/** The refusal of an error a store write threw, when it is the store's unavailability. */
export function storeRefusalOf(error: unknown): string | undefined {
  return error instanceof StoreUnavailableError ? cannotRecord(error.message) : undefined;
}

function cannotRecord(reason: string): string {
  return `the bot cannot record it: ${reason}`;
}

export function storeAlarmNote(condition: StoreCondition): string {
  return condition.ok
    ? `:white_check_mark: The bot's store ${condition.path} can be written again: requests and approvals are taken again.`
    : `:rotating_light: The bot cannot write to its store: ${condition.reason}. Requests and approvals are refused until it can.`;
}

export class StoreAlarm {
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: IncidentServiceDeps,
    /** Runs the thread posting as the service's background work. */
    track: (work: Promise<unknown>) => void,
  ) {
    this.unsubscribe = deps.store.onHealthChange?.((condition) => {
      if (condition.ok) deps.logger.info({ store: condition.path }, "the store can be written again");
      else
        deps.logger.error(
          { store: condition.path, fault: condition.fault },
          `the store cannot be written: ${condition.reason}`,
        );
      track(this.tellOpenIncidents(condition));
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private async tellOpenIncidents(condition: StoreCondition): Promise<void> {
    const { store, thread, logger } = this.deps;
    let open: Awaited<ReturnType<Store["listOpenIncidents"]>>;
    try {
      open = await store.listOpenIncidents();
    } catch (error) {
      logger.error({ err: error }, "could not list the open incidents to tell them about the store");
      return;
    }
    const note = storeAlarmNote(condition);
    for (const incident of open) {
      try {
        await thread.postNote(incident.channel, incident.threadTs, note);
      } catch (error) {
        incidentLog(logger, incident).warn({ err: error }, "thread update failed");
      }
    }
  }
}
