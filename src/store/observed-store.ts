/**
 * Puts a store's methods under the telemetry, the way watched-writes.ts puts them under the
 * store's health: every operation timed (by method name and whether it threw), and what the
 * answers say (incidents opened and resolved, approvals, actions ended) counted (store-outcomes.ts).
 * `close`, `health`, `onHealthChange` and `outboxLedger` pass through.
 */
import type { Telemetry } from "../ports/telemetry.ts";
import { STORE_PASS_THROUGH as PASS_THROUGH, type Store } from "./store.ts";
import { countOutcome } from "./store-outcomes.ts";

export function observeStore<S extends Store>(store: S, telemetry: Telemetry): S {
  const wrapped = new Map<PropertyKey, unknown>();
  const runbookOf = async (id: string) => (await store.getIncident(id))?.runbookId;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || PASS_THROUGH.has(prop)) return value;
      const known = wrapped.get(prop);
      if (known) return known;
      const fn = value as (...args: unknown[]) => unknown;
      const observed = async (...args: unknown[]) => {
        const started = performance.now();
        let result: unknown;
        try {
          result = await fn.apply(target, args);
        } catch (error) {
          telemetry.storeOperation(prop, "error", (performance.now() - started) / 1000);
          throw error;
        }
        telemetry.storeOperation(prop, "ok", (performance.now() - started) / 1000);
        // Counting never fails the operation it counts.
        await countOutcome(telemetry, prop, args, result, runbookOf).catch(() => undefined);
        return result;
      };
      wrapped.set(prop, observed);
      return observed;
    },
  });
}
