/**
 * Runs one probe with its own timeout. A probe that throws, times out, or needs a port that is
 * not configured comes back as a result value: a run never stops because a system is down.
 */

import type { Probe, ProbeContext, ProbeResult } from "../core/runbook.ts";
import type { Ports } from "../ports/index.ts";

export interface RunProbeOptions extends Omit<ProbeContext, "signal"> {
  readonly defaultTimeoutMs: number;
}

export async function runProbe(probe: Probe, options: RunProbeOptions): Promise<ProbeResult> {
  const missing = probe.needs.find((port) => options.ports[port] === undefined);
  if (missing !== undefined) return { status: "unconfigured", port: missing, durationMs: 0 };

  const timeoutMs =
    typeof probe.timeoutMs === "function"
      ? probe.timeoutMs(options.config)
      : (probe.timeoutMs ?? options.defaultTimeoutMs);
  const controller = new AbortController();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${formatShortDuration(timeoutMs)}`));
      resolve("timeout");
    }, timeoutMs);
  });
  try {
    const work = probe.run({ ...options, signal: controller.signal });
    // A late rejection after the timeout must not surface as an unhandled rejection.
    work.catch(() => undefined);
    const outcome = await Promise.race([work.then((value) => ({ value })), timeout]);
    if (outcome === "timeout") {
      return {
        status: "timeout",
        error: `timed out after ${formatShortDuration(timeoutMs)}`,
        durationMs: elapsed(),
      };
    }
    return { status: "ok", value: outcome.value, durationMs: elapsed() };
  } catch (error) {
    return { status: "failed", error: errorMessage(error), durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** A duration for people: "50ms" under a second, else seconds to one decimal ("1.5s", "10s"). */
export function formatShortDuration(ms: number): string {
  const rounded = Math.round(ms);
  if (rounded < 1000) return `${rounded}ms`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}

export type { Ports };
