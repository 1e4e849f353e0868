/**
 * Polls a runbook's recovery check after a fix: one look every `everySeconds` until it reads
 * recovered or the expected recovery time has passed. A look that fails or times out is recorded
 * and the watch goes on; a port that is not configured ends it at once.
 */
import type { AppConfig } from "../config/schema.ts";
import type { ProbeResult } from "../core/runbook.ts";
import {
  judgeRecovery,
  type RecoveryCheck,
  type RecoveryLook,
  type RecoveryReading,
  type RecoveryVerdict,
  recoveryTiming,
} from "../core/verification.ts";
import type { Ports } from "../ports/index.ts";
import { runProbe } from "./run-probe.ts";

export type FinalVerdict = Exclude<RecoveryVerdict, { state: "watching" }>;

export interface RecoveryWatchInput {
  readonly check: RecoveryCheck;
  readonly ports: Ports;
  readonly config: AppConfig;
  /** When the action finished. */
  readonly since: Date;
  /** Aborted when the bot stops: the watch ends without a verdict (it rejects). */
  readonly signal: AbortSignal;
  /** How long to watch, when not the check's (or the config's) window: a resumed watch's remainder. */
  readonly withinMs?: number;
  /** Called after each look (progress lines, logs). */
  readonly onLook?: (look: RecoveryLook) => void;
}

export async function watchRecovery(input: RecoveryWatchInput): Promise<FinalVerdict> {
  const { check, ports, config, since, signal } = input;
  const clock = ports.clock;
  const timing = recoveryTiming(check, config);
  const withinMs = input.withinMs ?? timing.withinMs;
  const everyMs = timing.everyMs;
  const startedAt = clock.now();
  const deadline = new Date(startedAt.getTime() + withinMs);
  const looks: RecoveryLook[] = [];
  let first: RecoveryReading | undefined;
  for (;;) {
    const wait = Math.min(everyMs, deadline.getTime() - clock.now().getTime());
    if (wait > 0) await clock.sleep(wait, signal);
    signal.throwIfAborted();
    const now = clock.now();
    const result: ProbeResult = await runProbe(
      {
        id: "verify",
        title: `read ${check.watches}`,
        needs: check.needs,
        run: (ctx) => check.read({ ports, config, signal: ctx.signal, since, now, first }),
      },
      {
        ports,
        config,
        startedAt: now,
        prior: {},
        defaultTimeoutMs: config.runbooks.probeTimeoutSeconds * 1000,
      },
    );
    const at = clock.now();
    if (result.status === "unconfigured") {
      return {
        state: "not-recovered",
        afterMs: at.getTime() - startedAt.getTime(),
        reading: undefined,
        error: `${result.port} is not configured`,
      };
    }
    const look: RecoveryLook =
      result.status === "ok"
        ? { ok: true, at, reading: result.value as RecoveryReading }
        : { ok: false, at, error: result.error };
    if (look.ok) first ??= look.reading;
    looks.push(look);
    input.onLook?.(look);
    const verdict = judgeRecovery(looks, startedAt, deadline, at);
    if (verdict.state !== "watching") return verdict;
  }
}
