/**
 * Slack's rate limits, when configured (off by default). chat.postMessage: about 1 message per
 * second per channel, short bursts tolerated (a token bucket: `postMessageBurst` at once, refilled
 * at `postMessagePerChannelPerSecond`; without a burst, at most that many in any 1-second window).
 * chat.update: Tier 3, `chatUpdatePerMinute` (50) per workspace in any 60-second window. Over the
 * limit the Web API answers HTTP 429 with `Retry-After` and `{ok:false, error:"ratelimited"}`.
 */

export interface RateLimitConfig {
  /** Messages allowed per channel per second. */
  postMessagePerChannelPerSecond: number;
  /** Messages a channel may take back to back after a quiet spell (a token bucket); unset: a 1 s window. */
  postMessageBurst?: number;
  /** chat.update calls per minute for the workspace (Slack's Tier 3: 50); unset: no limit. */
  chatUpdatePerMinute?: number;
  /** Seconds sent in Retry-After (default 1). */
  retryAfterSeconds?: number;
}

export class ChannelRateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private updates: number[] = [];

  constructor(private readonly config: RateLimitConfig) {}

  /** chat.postMessage: the Retry-After seconds when the call must be refused, otherwise records it. */
  check(channel: string, now = Date.now()): number | undefined {
    const burst = this.config.postMessageBurst;
    return burst === undefined ? this.checkWindow(channel, now) : this.checkBucket(channel, burst, now);
  }

  /** chat.update (Tier 3, per workspace): as `check`. */
  checkUpdate(now = Date.now()): number | undefined {
    const limit = this.config.chatUpdatePerMinute;
    if (limit === undefined) return undefined;
    this.updates = this.updates.filter((t) => now - t < 60_000);
    if (this.updates.length >= limit) {
      const oldest = this.updates[0] ?? now;
      return Math.max(1, Math.ceil((60_000 - (now - oldest)) / 1000));
    }
    this.updates.push(now);
    return undefined;
  }

  private checkWindow(channel: string, now: number): number | undefined {
    const recent = (this.windows.get(channel) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= this.config.postMessagePerChannelPerSecond) {
      this.windows.set(channel, recent);
      return this.config.retryAfterSeconds ?? 1;
    }
    recent.push(now);
    this.windows.set(channel, recent);
    return undefined;
  }

  private checkBucket(channel: string, burst: number, now: number): number | undefined {
    const rate = this.config.postMessagePerChannelPerSecond;
    const b = this.buckets.get(channel) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(channel, b);
    if (b.tokens < 1) return this.config.retryAfterSeconds ?? Math.max(1, Math.ceil((1 - b.tokens) / rate));
    b.tokens -= 1;
    return undefined;
  }
}
