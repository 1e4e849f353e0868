/**
 * Settling an unknown outcome: the action's own read of the real state (settle), looked at right
 * away and then every `everyMs` until the change is there or `withinMs` has passed. A write held by
 * the server lands late: the first look may say "not yet" and a later one "applied". A look that
 * fails is recorded and the watch goes on. Rejects only when `signal` aborts (the bot stops).
 */
import type { SettleReading } from "../actions/action.ts";
import { formatDuration } from "../core/format-units.ts";
import type { Clock } from "../ports/clock.ts";
import { errorMessage } from "./run-probe.ts";

export type SettleVerdict =
  /** The change is in place. */
  | { readonly state: "applied"; readonly detail: string; readonly afterMs: number }
  /** Still not in place when the window ended (the last reading, or why nothing could be read). */
  | {
      readonly state: "not-applied";
      readonly detail: string | undefined;
      readonly error: string | undefined;
      readonly afterMs: number;
    };

export interface SettleInput {
  readonly read: () => Promise<SettleReading>;
  readonly clock: Clock;
  readonly withinMs: number;
  readonly everyMs: number;
  readonly signal: AbortSignal;
}

export async function settleOutcome(input: SettleInput): Promise<SettleVerdict> {
  const { clock, signal } = input;
  const started = clock.now().getTime();
  const deadline = started + input.withinMs;
  let last: SettleReading | undefined;
  let error: string | undefined;
  for (;;) {
    signal.throwIfAborted();
    try {
      last = await input.read();
      error = undefined;
      if (last.applied)
        return { state: "applied", detail: last.detail, afterMs: clock.now().getTime() - started };
    } catch (e) {
      error = errorMessage(e);
    }
    const left = deadline - clock.now().getTime();
    if (left <= 0) {
      return { state: "not-applied", detail: last?.detail, error, afterMs: clock.now().getTime() - started };
    }
    await clock.sleep(Math.min(input.everyMs, left), signal);
  }
}

/** The thread's line for a settled outcome: "the scale did apply: 8 taskmanagers" or "did not apply". */
export function settleLine(preview: string, verdict: SettleVerdict): string {
  if (verdict.state === "applied") {
    return `:white_check_mark: Settled: *${preview}* did apply: ${verdict.detail} (read ${formatDuration(verdict.afterMs)} after the timeout).`;
  }
  if (verdict.detail === undefined) {
    return `:warning: *${preview}*: outcome still unknown, the real state could not be read in ${formatDuration(verdict.afterMs)} (${verdict.error ?? "no reading"}). Check by hand before retrying.`;
  }
  const read = `: ${verdict.detail}`;
  const error = verdict.error === undefined ? "" : ` (last read failed: ${verdict.error})`;
  return `:x: Settled: *${preview}* did not apply${read} after ${formatDuration(verdict.afterMs)} of reading the real state${error}. Request it again if it is still needed.`;
}
