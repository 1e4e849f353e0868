/**
 * The bot's sweeps, on one replica at a time (lease `sweeps`, lease-runner.ts): expired requests,
 * runs whose alert was never answered, executions whose process died, and recovery watches left
 * without a verdict. The first run of each tenure is the start-up recovery (interrupted executions,
 * approved requests never started, unfinished watches), so with several replicas only the holder
 * resumes them, and a replica taking over from a dead one resumes what it left.
 */
import type { Logger } from "../logger.ts";
import { type Clock, systemClock } from "../ports/clock.ts";
import type { Coordination } from "../store/coordination.ts";
import { LeasedLoop } from "./lease-runner.ts";
import { errorMessage } from "./run-probe.ts";

export interface SweptService {
  readonly instanceId: string;
  recoverInterrupted(): Promise<number>;
  sweepExpired(): Promise<number>;
  sweepUndelivered(): Promise<number>;
  sweepInterrupted(): Promise<number>;
  resumeVerifications(): Promise<number>;
}

export interface ReplicaSweepsOptions {
  readonly service: SweptService;
  readonly coordination: Coordination;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly everyMs: number;
  readonly clock?: Clock;
}

export const SWEEPS_LEASE = "sweeps";

export function replicaSweeps(options: ReplicaSweepsOptions): LeasedLoop {
  const { service, logger } = options;
  const attempt = async (what: string, sweep: () => Promise<unknown>) => {
    await sweep().catch((error: unknown) => logger.warn({ err: errorMessage(error) }, `${what} failed`));
  };
  return new LeasedLoop({
    coordination: options.coordination,
    name: SWEEPS_LEASE,
    holder: service.instanceId,
    leaseMs: options.leaseMs,
    everyMs: options.everyMs,
    clock: options.clock ?? systemClock,
    job: async (_signal, first) => {
      if (first) {
        await attempt("recovering interrupted actions", () => service.recoverInterrupted());
        return;
      }
      await attempt("expiry sweep", () => service.sweepExpired());
      await attempt("undelivered-run sweep", () => service.sweepUndelivered());
      await attempt("interrupted-execution sweep", () => service.sweepInterrupted());
      await attempt("resuming recovery watches", () => service.resumeVerifications());
    },
    onHeld: (held) =>
      logger.info(
        { lease: SWEEPS_LEASE, instance: service.instanceId },
        held ? "this replica does the sweeps" : "this replica stopped doing the sweeps",
      ),
    onLost: (name, error) =>
      logger.warn(
        { lease: name, ...(error === undefined ? {} : { err: errorMessage(error) }) },
        "lost the sweeps lease: another replica takes them over",
      ),
  });
}
