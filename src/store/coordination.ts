/**
 * What replicas sharing one store agree on through it: leases (work that one replica at a time
 * does: sweeps, expiries, verification watches) and send slots (Slack's rate limits are per channel
 * and per workspace, not per process, so every replica draws from the same slots).
 *
 * Every call is one conditional write: the store, not the caller, decides who holds a lease and
 * which slot is whose. Times are the caller's clock (`now`); replicas are expected to agree on the
 * time to well under a lease's length.
 */
export interface Coordination {
  /**
   * Takes the lease `name` for `holder` until `now + ttlMs`, or renews it when `holder` already
   * holds it. True when `holder` holds it after the call: it was free, expired (its holder stopped
   * renewing), or already this holder's. False, writing nothing, while another holder's lease runs.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Gives the lease up at once when `holder` holds it (a clean stop); otherwise does nothing. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who holds `name` at `now`, if anyone (for health and logs). */
  leaseHolder(name: string, now: Date): Promise<string | undefined>;
  /**
   * Reserves the next send slot for `key` (e.g. `channel:C123` or `method:chat.update`) among all
   * callers of all replicas: slots are `intervalMs` apart, with up to `burst` available at once
   * after a quiet spell (GCRA). Returns when the caller may send (`now` or later); the slot is
   * the caller's whether it sends or not.
   */
  reserveSlot(key: string, now: Date, intervalMs: number, burst: number): Promise<Date>;
}
