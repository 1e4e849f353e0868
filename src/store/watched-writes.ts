/**
 * Puts a store's methods under its StoreHealth: every write is checked before it starts (refused,
 * writing nothing, while the store is unhealthy) and every storage fault of a read or a write is
 * reported to the watch and surfaces as a StoreUnavailableError naming the path.
 *
 * Reads are the methods named get…, find… or list… (and leaseHolder); `close`, `health`,
 * `onHealthChange`, `outboxLedger` and `coordination` pass through (the store watches the
 * coordination it hands out with watchWrites too); every other method is a write (so a method
 * added later is watched as a write).
 */
import { STORE_PASS_THROUGH as PASS_THROUGH } from "./store.ts";
import type { StoreHealth } from "./store-health.ts";

export function isReadMethod(name: string): boolean {
  return /^(get|find|list)[A-Z]/.test(name) || name === "leaseHolder";
}

export function watchWrites<S extends object>(store: S, health: StoreHealth): S {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || PASS_THROUGH.has(prop)) return value;
      const known = wrapped.get(prop);
      if (known) return known;
      const fn = value as (...args: unknown[]) => unknown;
      const read = isReadMethod(prop);
      const guarded = async (...args: unknown[]) => {
        if (!read) health.beforeWrite();
        try {
          // The target itself as `this`: the store's own inner calls are not watched twice.
          return await fn.apply(target, args);
        } catch (error) {
          throw health.failed(error);
        }
      };
      wrapped.set(prop, guarded);
      return guarded;
    },
  });
}
