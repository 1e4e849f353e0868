/**
 * Whether the bot is ready for work, from what it knows about itself (pure: the HTTP server asks
 * the live state and renders this). Ready when the config is loaded, Slack is connected (the
 * Socket Mode connection open, or the HTTP receiver listening) and the store can be written.
 */
import type { StoreCondition } from "../store/store.ts";

export interface ReadinessInput {
  readonly configLoaded: boolean;
  readonly slack: { readonly connected: boolean; readonly detail?: string };
  /** undefined: not opened yet. A store without `health()` counts as writable once open. */
  readonly store: StoreCondition | "open-without-health" | undefined;
  /** The process is stopping: not ready for new work whatever else holds. */
  readonly stopping?: boolean;
}

export type CheckName = "config" | "slack" | "store" | "process";

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<CheckName, { readonly ok: boolean; readonly detail: string }>>;
  /** The checks that failed, in a fixed order (the 503 body names them). */
  readonly notReady: readonly CheckName[];
}

export function readiness(input: ReadinessInput): Readiness {
  const store = input.store;
  const checks: Readiness["checks"] = {
    config: input.configLoaded
      ? { ok: true, detail: "loaded" }
      : { ok: false, detail: "the configuration is not loaded" },
    slack: input.slack.connected
      ? { ok: true, detail: input.slack.detail ?? "connected" }
      : { ok: false, detail: input.slack.detail ?? "not connected to Slack" },
    store:
      store === undefined
        ? { ok: false, detail: "the store is not open" }
        : store === "open-without-health"
          ? { ok: true, detail: "open" }
          : store.ok
            ? { ok: true, detail: "writable" }
            : { ok: false, detail: store.reason },
    process: input.stopping ? { ok: false, detail: "stopping" } : { ok: true, detail: "running" },
  };
  const order: CheckName[] = ["config", "slack", "store", "process"];
  const notReady = order.filter((name) => !checks[name].ok);
  return { ready: notReady.length === 0, checks, notReady };
}
