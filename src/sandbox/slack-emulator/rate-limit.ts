/**
 * Per-channel rate limiting for chat.postMessage (Slack: about 1 message per second per channel,
 * short bursts tolerated). Off unless configured; over the limit the Web API answers HTTP 429 with
 * `Retry-After` and `{ok:false, error:"ratelimited"}`.
 */

export interface RateLimitConfig {
  /** Messages allowed per channel within any 1-second window. */
  postMessagePerChannelPerSecond: number;
  /** Seconds sent in Retry-After (default 1). */
  retryAfterSeconds?: number;
}

export class ChannelRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly config: RateLimitConfig) {}

  /** Returns the Retry-After seconds when the call must be refused, otherwise records it. */
  check(channel: string, now = Date.now()): number | undefined {
    const recent = (this.windows.get(channel) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= this.config.postMessagePerChannelPerSecond) {
      this.windows.set(channel, recent);
      return this.config.retryAfterSeconds ?? 1;
    }
    recent.push(now);
    this.windows.set(channel, recent);
    return undefined;
  }
}
