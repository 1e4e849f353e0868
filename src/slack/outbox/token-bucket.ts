/**
 * A token bucket: `capacity` calls at once (a short burst), refilled at `perSecond`. Pure: the
 * caller passes the time, so that tests run it on a virtual clock.
 */
export interface BucketRate {
  /** Sustained calls per second. */
  readonly perSecond: number;
  /** Calls allowed back to back after a quiet spell (at least 1). */
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private at: number | undefined;

  constructor(private readonly rate: BucketRate) {
    this.tokens = Math.max(1, rate.burst);
  }

  private refill(now: number): void {
    if (this.at !== undefined) {
      // A clock that went back (a wall-clock change) gives no tokens and takes none.
      const gained = (Math.max(0, now - this.at) / 1000) * this.rate.perSecond;
      this.tokens = Math.min(Math.max(1, this.rate.burst), this.tokens + gained);
    }
    this.at = now;
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is there (taking none). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000);
  }
}
