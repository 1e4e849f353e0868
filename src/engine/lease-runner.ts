/**
 * Work that one replica at a time does, under a lease in the shared store (Coordination):
 *  - `underLease` runs one piece of work while holding lease `name` (a request's recovery watch):
 *    it renews the lease every third of its length, aborts the work's signal at once when a renewal
 *    fails (another replica took it, or the store cannot be reached) and releases it when the work
 *    ends or the caller stops;
 *  - `LeasedLoop` does a periodic job (the sweeps) only while it holds lease `name`, and keeps
 *    trying to take it while another replica holds it: when the holder dies (stops renewing),
 *    another replica takes the work over within about a lease and a third.
 * Pure scheduling on the injected clock; the store decides who holds a lease.
 */
import type { Clock } from "../ports/clock.ts";
import type { Coordination } from "../store/coordination.ts";

export interface LeaseTerms {
  readonly coordination: Pick<Coordination, "acquireLease" | "releaseLease">;
  readonly name: string;
  /** This replica (the instance id). */
  readonly holder: string;
  readonly leaseMs: number;
  readonly clock: Clock;
  /** A renewal failed: the work was stopped (`error` when the store failed rather than refused). */
  readonly onLost?: (name: string, error: unknown) => void;
}

export type LeaseOutcome<T> =
  /** Another replica holds it (or the store could not be asked: `error`). Nothing ran. */
  | { readonly state: "busy"; readonly error?: unknown }
  | { readonly state: "done"; readonly value: T }
  /** Lost while working: the work was aborted. */
  | { readonly state: "lost" }
  /** The caller's signal aborted the work (a clean stop); the lease was released. */
  | { readonly state: "stopped" };

/** An abort reason: the lease went to another holder (or could not be renewed). */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(readonly lease: string) {
    super(`lost the lease ${lease}`);
  }
}

export function renewEveryMs(leaseMs: number): number {
  return Math.max(10, Math.floor(leaseMs / 3));
}

export async function underLease<T>(
  terms: LeaseTerms,
  work: (signal: AbortSignal) => Promise<T>,
  stop?: AbortSignal,
): Promise<LeaseOutcome<T>> {
  const { coordination: c, name, holder, leaseMs, clock } = terms;
  if (stop?.aborted) return { state: "stopped" };
  try {
    if (!(await c.acquireLease(name, holder, leaseMs, clock.now()))) return { state: "busy" };
  } catch (error) {
    return { state: "busy", error };
  }
  const tenure = new AbortController();
  const renewal = new AbortController();
  const onStop = () => tenure.abort(stop?.reason);
  stop?.addEventListener("abort", onStop, { once: true });
  let lost = false;
  const renewing = (async () => {
    for (;;) {
      try {
        await clock.sleep(renewEveryMs(leaseMs), renewal.signal);
      } catch {
        return;
      }
      let held = false;
      let failure: unknown;
      try {
        held = await c.acquireLease(name, holder, leaseMs, clock.now());
      } catch (error) {
        failure = error;
      }
      if (renewal.signal.aborted) return; // the work ended meanwhile
      if (!held) {
        lost = true;
        tenure.abort(new LeaseLostError(name));
        terms.onLost?.(name, failure);
        return;
      }
    }
  })();
  try {
    const value = await work(tenure.signal);
    return lost ? { state: "lost" } : { state: "done", value };
  } catch (error) {
    if (lost) return { state: "lost" };
    if (stop?.aborted) return { state: "stopped" };
    throw error;
  } finally {
    stop?.removeEventListener("abort", onStop);
    renewal.abort();
    await renewing;
    if (!lost) await c.releaseLease(name, holder).catch(() => undefined);
  }
}

export interface LeasedLoopOptions extends LeaseTerms {
  /** How often the job runs while the lease is held (the first run is at once). */
  readonly everyMs: number;
  /** The job; `first` on the first run of each tenure (e.g. the start-up resume). */
  readonly job: (signal: AbortSignal, first: boolean) => Promise<void>;
  /** The job threw (the loop goes on). */
  readonly onError?: (error: unknown) => void;
  /** This replica took the lease (true) or gave it up or lost it (false). */
  readonly onHeld?: (held: boolean) => void;
}

export class LeasedLoop {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private heldNow = false;
  private triedOnce: () => void = () => undefined;
  private readonly firstTry = new Promise<void>((resolve) => {
    this.triedOnce = resolve;
  });

  constructor(private readonly options: LeasedLoopOptions) {}

  /** Whether this replica holds the lease (and does the job) now. */
  get held(): boolean {
    return this.heldNow;
  }

  /** Starts; resolves after the first try: the job's first run when the lease was free, else at once. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.firstTry;
  }

  /** Stops the job at once and releases the lease (another replica takes it at its next try). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("stopping"));
    await this.running;
    this.triedOnce();
  }

  private async loop(): Promise<void> {
    const { clock, leaseMs } = this.options;
    while (!this.stopping.signal.aborted) {
      await underLease(this.options, (signal) => this.tenure(signal), this.stopping.signal);
      this.triedOnce();
      if (this.stopping.signal.aborted) break;
      await clock.sleep(renewEveryMs(leaseMs), this.stopping.signal).catch(() => undefined);
    }
  }

  private async tenure(signal: AbortSignal): Promise<void> {
    const { job, clock, everyMs } = this.options;
    this.heldNow = true;
    this.options.onHeld?.(true);
    try {
      for (let first = true; ; first = false) {
        await job(signal, first).catch((error: unknown) => {
          if (!signal.aborted) this.options.onError?.(error);
        });
        this.triedOnce();
        signal.throwIfAborted();
        await clock.sleep(everyMs, signal);
      }
    } finally {
      this.heldNow = false;
      this.options.onHeld?.(false);
    }
  }
}
