/**
 * Where a lane's send times come from. Slack's limits are per channel and per workspace, not per
 * process: with a shared pacer (replicas on one store) every send draws a slot from the store
 * (Coordination.reserveSlot, keys `post:<channel>` and `update:workspace`), so the replicas'
 * combined rate keeps to the limit. Without one, or while the store cannot be reached, the lane's
 * own token bucket paces this process alone (said once per outage through `onFallback`).
 */
import type { Coordination } from "../../store/coordination.ts";
import { type BucketRate, TokenBucket } from "./token-bucket.ts";

export interface SharedPacer {
  /** Reserves the next slot of `key` among all replicas; resolves with the milliseconds to wait for it. */
  reserve(key: string, intervalMs: number, burst: number): Promise<number>;
}

/** The pacer of the replicas on one store. `now` is the wall clock the replicas agree on. */
export function coordinatedPacer(
  coordination: Pick<Coordination, "reserveSlot">,
  now: () => Date = () => new Date(),
): SharedPacer {
  return {
    async reserve(key, intervalMs, burst) {
      const at = now();
      const slot = await coordination.reserveSlot(key, at, intervalMs, burst);
      return Math.max(0, slot.getTime() - at.getTime());
    },
  };
}

/** A wait before the next send: `reserved` when a shared slot is the caller's (send at its end, whatever is at the head). */
export interface PaceDecision {
  readonly waitMs: number;
  readonly reserved: boolean;
}

export class LanePacing {
  private readonly bucket: TokenBucket;

  constructor(
    private readonly key: string,
    private readonly rate: BucketRate,
    private readonly shared: SharedPacer | undefined,
    private readonly fallback: FallbackNotice,
  ) {
    this.bucket = new TokenBucket(rate);
  }

  /**
   * The wait before this lane's next send (`now`: the outbox timer's time, for the local bucket).
   * Synchronous without a shared pacer, so that the outbox picks its job in the same tick.
   */
  next(now: number): PaceDecision | Promise<PaceDecision> {
    if (!this.shared) return this.local(now);
    const shared = this.shared;
    return (async () => {
      try {
        const waitMs = await shared.reserve(
          this.key,
          1000 / this.rate.perSecond,
          Math.max(1, this.rate.burst),
        );
        this.fallback.recovered();
        return { waitMs, reserved: true };
      } catch (error) {
        this.fallback.failed(error);
        return this.local(now);
      }
    })();
  }

  private local(now: number): PaceDecision {
    return { waitMs: this.bucket.take(now), reserved: false };
  }
}

/** Says once when the shared pacing fails (and once when it is back), not on every send. */
export class FallbackNotice {
  private down = false;

  constructor(private readonly onChange?: (shared: boolean, error?: unknown) => void) {}

  failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.onChange?.(false, error);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.onChange?.(true);
  }
}
