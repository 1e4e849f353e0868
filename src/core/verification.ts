/**
 * The seed's Verify step after a fix: watch the alert's signal for the time the seed expects
 * recovery to take, and say "recovered" or "not recovered after N minutes" with the next step.
 * A runbook declares what to watch (`RecoveryCheck`); the engine polls it. The judging here is pure.
 */
import type { AppConfig } from "../config/schema.ts";
import type { PortName, Ports } from "../ports/index.ts";
import { formatDuration } from "./format-units.ts";

/** One look at the alert's signal. */
export interface RecoveryReading {
  /** The signal is back where the alert does not fire (or, for lag, clearly draining). */
  readonly recovered: boolean;
  /** What was seen, one line: "lag 42,100 records (was 95,000 at the fix), falling". */
  readonly text: string;
  /** The number behind the text, when there is one (lag, DLQ records per minute, p99 ms, ...). */
  readonly value?: number;
}

export interface RecoveryContext {
  readonly ports: Ports;
  readonly config: AppConfig;
  readonly signal: AbortSignal;
  /** When the action finished: readings judge what happened after it. */
  readonly since: Date;
  readonly now: Date;
  /** The first reading of this watch (undefined while taking it): lets a check see a trend. */
  readonly first: RecoveryReading | undefined;
}

export interface RecoveryCheck {
  /** What is watched, e.g. "consumer lag of order-processor on orders.raw". */
  readonly watches: string;
  /** What counts as recovered, in words: "lag at or below 50,000 records, or falling". */
  readonly recoveredWhen: (config: AppConfig) => string;
  /** The seed's expected recovery time (its Verify step): the watch gives up after it. */
  readonly withinMinutes: number;
  /** How often to look. */
  readonly everySeconds: number;
  readonly needs: readonly PortName[];
  /** When not recovered in time: what a responder should do next. */
  readonly nextStep: string;
  read(ctx: RecoveryContext): Promise<RecoveryReading>;
}

/** A reading, or why there is none this time. */
export type RecoveryLook =
  | { readonly ok: true; readonly at: Date; readonly reading: RecoveryReading }
  | { readonly ok: false; readonly at: Date; readonly error: string };

export type RecoveryVerdict =
  | { readonly state: "recovered"; readonly afterMs: number; readonly reading: RecoveryReading }
  | {
      readonly state: "not-recovered";
      readonly afterMs: number;
      /** The last reading that worked, if any. */
      readonly reading: RecoveryReading | undefined;
      /** The last error, when the last look failed. */
      readonly error?: string;
    }
  | { readonly state: "watching" };

/** Pure: what the looks so far say, given when the watch started and when it must end. */
export function judgeRecovery(
  looks: readonly RecoveryLook[],
  startedAt: Date,
  deadline: Date,
  now: Date,
): RecoveryVerdict {
  const recovered = looks.find((l): l is Extract<RecoveryLook, { ok: true }> => l.ok && l.reading.recovered);
  if (recovered) {
    return {
      state: "recovered",
      afterMs: recovered.at.getTime() - startedAt.getTime(),
      reading: recovered.reading,
    };
  }
  if (now.getTime() < deadline.getTime()) return { state: "watching" };
  const last = looks[looks.length - 1];
  const lastGood = [...looks].reverse().find((l): l is Extract<RecoveryLook, { ok: true }> => l.ok);
  return {
    state: "not-recovered",
    afterMs: now.getTime() - startedAt.getTime(),
    reading: lastGood?.reading,
    ...(last && !last.ok ? { error: last.error } : {}),
  };
}

/** The watch's timing: the check's own, or the config's override (tests, drills, impatient sandboxes). */
export function recoveryTiming(
  check: RecoveryCheck,
  config: AppConfig,
): { readonly withinMs: number; readonly everyMs: number } {
  const v = config.actions.verification;
  const withinMinutes = v.withinMinutes ?? check.withinMinutes;
  const everySeconds = v.everySeconds ?? check.everySeconds;
  return {
    withinMs: Math.round(withinMinutes * 60_000),
    everyMs: Math.max(1, Math.round(everySeconds * 1000)),
  };
}

/** The thread line that ends a watch. */
export function verdictLine(
  verdict: Exclude<RecoveryVerdict, { state: "watching" }>,
  check: RecoveryCheck,
): string {
  const after = formatDuration(verdict.afterMs);
  const sentence = (text: string) => text.replace(/[.\s]+$/, "");
  if (verdict.state === "recovered") {
    return `:white_check_mark: *Recovered* (${after} after the fix): ${sentence(verdict.reading.text)}.`;
  }
  const seen = verdict.reading
    ? sentence(verdict.reading.text)
    : `no reading of ${check.watches} worked${verdict.error ? ` (${verdict.error})` : ""}`;
  const lastError =
    verdict.reading && verdict.error ? ` The last look failed: ${sentence(verdict.error)}.` : "";
  return `:warning: *Not recovered after ${after}*: ${seen}.${lastError} Next suggested step: ${check.nextStep}`;
}
