/**
 * The outbox: every thread post and status update goes through it, so that the bot keeps to
 * Slack's limits and loses nothing.
 *  - posts (chat.postMessage) queue per channel, one at a time, at Slack's per-channel rate (a
 *    token bucket: about 1 a second, short bursts); a first reply (`urgent`) goes before steps
 *    and notes already waiting in that channel;
 *  - updates (chat.update, Tier 3) queue in one lane at their own rate, coalesced per message:
 *    a newer update replaces a waiting older one, and only one call per message is in flight,
 *    so an older state never lands after a newer one;
 *  - a retryable failure (see retry-policy.ts) waits for Slack's Retry-After (or a backoff) and
 *    tries again, bounded; anything else fails the job at once;
 *  - durable jobs are in the ledger from enqueue to answer (the ledger's write is awaited before
 *    the job is queued, and jobs are queued in call order): `close()` drains within a bound and
 *    leaves the rest there; `resume()` at the next start sends it;
 *  - with a shared pacer (shared-pacing.ts) the send times come from slots in the store, shared by
 *    every replica on it (Slack's limits are per channel and per workspace); priorities and
 *    coalescing stay within the process: a reserved slot goes to whatever is at the lane's head.
 */
import type { LedgerEntry, NewLedgerEntry, OutboxCall, OutboxLedger } from "../../store/outbox-ledger.ts";
import {
  classifyFailure,
  DEFAULT_RETRY_LIMITS,
  type FailureClass,
  type RetryLimits,
  retryDelayMs,
} from "./retry-policy.ts";
import { FallbackNotice, LanePacing, type SharedPacer } from "./shared-pacing.ts";
import type { BucketRate } from "./token-bucket.ts";

export interface OutboxTimer {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface OutboxLimits {
  /** chat.postMessage per channel (Slack: about 1/s, short bursts). */
  readonly postPerChannel: BucketRate;
  /** chat.update for the workspace (Tier 3: 50+ a minute). */
  readonly updates: BucketRate;
  readonly retry: RetryLimits;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  postPerChannel: { perSecond: 1, burst: 3 },
  updates: { perSecond: 45 / 60, burst: 5 },
  retry: DEFAULT_RETRY_LIMITS,
};

export interface OutboxOptions {
  /** Makes the Web API call; throws WebClient's errors. */
  readonly send: (call: OutboxCall) => Promise<{ readonly ts?: string }>;
  readonly ledger: OutboxLedger;
  readonly timer: OutboxTimer;
  readonly limits?: Partial<OutboxLimits>;
  /** Send slots shared with the other replicas on the store (default: this process paces alone). */
  readonly pacer?: SharedPacer;
  /** The shared pacer failed (`shared: false`, once per outage: paced locally meanwhile) or is back. */
  readonly onPacing?: (shared: boolean, error?: unknown) => void;
  /** A failure that will be retried, or that ended a job (for the log). */
  readonly onFailure?: (call: OutboxCall, failure: FailureClass, willRetry: boolean) => void;
}

/**
 * A job that failed for good (or was left in the ledger at shutdown). `data.error` carries Slack's
 * error code as a WebClient platform error does, for callers that tell `not_in_channel` apart.
 */
export class OutboxError extends Error {
  readonly data: { readonly ok: false; readonly error: string };

  constructor(
    message: string,
    readonly reason: string,
    readonly kept: boolean,
  ) {
    super(message);
    this.name = "OutboxError";
    this.data = { ok: false, error: reason };
  }
}

interface Waiter {
  resolve(result: { ts?: string }): void;
  reject(error: Error): void;
}

interface Job {
  ledgerId: number | undefined;
  call: OutboxCall;
  key: string | undefined;
  attempts: number;
  waiters: Waiter[];
}

interface Lane {
  readonly kind: "post" | "update";
  readonly urgent: Job[];
  readonly normal: Job[];
  readonly pacing: LanePacing;
  blockedUntil: number;
  running: boolean;
}

export class Outbox {
  private readonly limits: OutboxLimits;
  private readonly posts = new Map<string, Lane>();
  private readonly updates: Lane;
  /** Waiting (not in flight) updates by message key: the one a newer update replaces. */
  private readonly waitingUpdates = new Map<string, Job>();
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly abort = new AbortController();
  /** Calls Slack has not answered yet: `close()` waits for them (WebClient's timeout bounds them). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly fallback: FallbackNotice;
  /** Ledger writes one after the other, so that jobs are queued in the order they were handed in. */
  private admitted: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OutboxOptions) {
    this.limits = { ...DEFAULT_OUTBOX_LIMITS, ...options.limits };
    this.fallback = new FallbackNotice(options.onPacing);
    this.updates = this.newLane("update", "update:workspace");
  }

  /** Jobs not yet answered (waiting or in flight). */
  get pending(): number {
    return this.outstanding;
  }

  /**
   * Queues a chat.postMessage; resolves with its ts once Slack accepted it. `durable`: kept in
   * the ledger until answered (a step, a note); `urgent`: ahead of waiting non-urgent posts.
   */
  post(call: OutboxCall, opts: { durable: boolean; urgent?: boolean }): Promise<{ ts?: string }> {
    const urgent = opts.urgent === true;
    const entry: NewLedgerEntry | undefined = opts.durable
      ? { lane: "post", channel: call.args.channel, urgent, call }
      : undefined;
    return this.admit(entry).then((ledgerId) =>
      this.enqueuePost({ ledgerId, call, key: undefined, attempts: 0, waiters: [] }, urgent, true),
    );
  }

  /** Queues a chat.update of the message `ts`, replacing a waiting older update of it. */
  update(call: OutboxCall & { readonly args: { readonly ts: string } }): Promise<void> {
    const key = `${call.args.channel}:${call.args.ts}`;
    return this.admit({ lane: "update", channel: call.args.channel, key, urgent: false, call })
      .then((ledgerId) => this.enqueueUpdate({ ledgerId, call, key, attempts: 0, waiters: [] }, true))
      .then(() => undefined);
  }

  /**
   * Counts the job as outstanding at once (so `idle()` and `close()` wait for it) and writes its
   * ledger entry after the ones before it; resolves with the entry's id (undefined: not kept).
   */
  private admit(entry: NewLedgerEntry | undefined): Promise<number | undefined> {
    this.outstanding++;
    const ready = this.admitted.then(() =>
      entry === undefined ? undefined : this.options.ledger.add(entry).catch(() => undefined),
    );
    this.admitted = ready;
    return ready;
  }

  /** Sends what an earlier process left in the ledger (call once, at start); resolves with how many. */
  async resume(): Promise<number> {
    const left: LedgerEntry[] = await this.options.ledger.list();
    for (const entry of left) {
      const job: Job = { ledgerId: entry.id, call: entry.call, key: entry.key, attempts: 0, waiters: [] };
      const done =
        entry.lane === "update" && entry.key !== undefined
          ? this.enqueueUpdate(job)
          : this.enqueuePost(job, entry.urgent);
      done.catch(() => undefined);
    }
    return left.length;
  }

  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Drains for at most `drainMs`, then stops: jobs still waiting fail with a `kept` OutboxError
   * (durable ones stay in the ledger for the next start). Calls in flight are waited for (their
   * HTTP timeout bounds them), so that what Slack took is not sent again at the next start.
   */
  async close(drainMs: number): Promise<{ left: number }> {
    if (!this.closed) {
      const timeout = new AbortController();
      await Promise.race([
        this.idle(),
        this.options.timer.sleep(drainMs, timeout.signal).catch(() => undefined),
      ]);
      timeout.abort();
      this.closed = true;
      this.abort.abort();
    }
    await Promise.allSettled([...this.inFlight]);
    let left = 0;
    for (const lane of [this.updates, ...this.posts.values()]) {
      for (const job of [...lane.urgent.splice(0), ...lane.normal.splice(0)]) {
        left++;
        this.finish(() => {
          const error = new OutboxError(
            "the bot stopped before Slack had this message",
            "stopped",
            job.ledgerId !== undefined,
          );
          for (const w of job.waiters) w.reject(error);
        });
      }
    }
    this.waitingUpdates.clear();
    return { left };
  }

  // ------------------------------------------------------------------------------ internals

  private newLane(kind: "post" | "update", key: string): Lane {
    const rate: BucketRate = kind === "post" ? this.limits.postPerChannel : this.limits.updates;
    const pacing = new LanePacing(key, rate, this.options.pacer, this.fallback);
    return { kind, urgent: [], normal: [], pacing, blockedUntil: 0, running: false };
  }

  private waitFor(job: Job): Promise<{ ts?: string }> {
    return new Promise((resolve, reject) => job.waiters.push({ resolve, reject }));
  }

  /** `counted`: `admit` already counted the job as outstanding. */
  private enqueuePost(job: Job, urgent: boolean, counted = false): Promise<{ ts?: string }> {
    const done = this.waitFor(job);
    if (this.closed) {
      this.rejectClosed(job, counted);
      return done;
    }
    const channel = job.call.args.channel;
    let lane = this.posts.get(channel);
    if (!lane) {
      lane = this.newLane("post", `post:${channel}`);
      this.posts.set(channel, lane);
    }
    (urgent ? lane.urgent : lane.normal).push(job);
    if (!counted) this.outstanding++;
    void this.pump(lane);
    return done;
  }

  private enqueueUpdate(job: Job, counted = false): Promise<{ ts?: string }> {
    const done = this.waitFor(job);
    if (this.closed) {
      this.rejectClosed(job, counted);
      return done;
    }
    const key = job.key ?? "";
    const older = this.waitingUpdates.get(key);
    if (older) {
      // The newer state replaces the older one in its place in the queue; both callers hear
      // when the newer one is in.
      if (older.ledgerId !== undefined) this.forget(older.ledgerId);
      older.ledgerId = job.ledgerId;
      older.call = job.call;
      older.attempts = 0;
      older.waiters.push(...job.waiters);
      if (counted) this.finish(() => undefined);
      return done;
    }
    this.waitingUpdates.set(key, job);
    this.updates.normal.push(job);
    if (!counted) this.outstanding++;
    void this.pump(this.updates);
    return done;
  }

  private rejectClosed(job: Job, counted: boolean): void {
    const error = new OutboxError("the bot is stopping", "stopped", job.ledgerId !== undefined);
    const settle = () => {
      for (const w of job.waiters) w.reject(error);
    };
    if (counted) this.finish(settle);
    else settle();
  }

  /** Removes a ledger entry (the ledger is best effort: a failure is its own to report). */
  private forget(ledgerId: number): void {
    this.options.ledger.remove(ledgerId).catch(() => undefined);
  }

  private finish(settle: () => void): void {
    this.outstanding--;
    settle();
    if (this.outstanding === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async pump(lane: Lane): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (!this.closed) {
        if (lane.urgent.length + lane.normal.length === 0) break;
        const now = this.options.timer.now();
        if (lane.blockedUntil > now) {
          await this.options.timer.sleep(lane.blockedUntil - now, this.abort.signal).catch(() => undefined);
          continue;
        }
        const next = lane.pacing.next(now);
        const pace = next instanceof Promise ? await next : next;
        if (pace.waitMs > 0) {
          await this.options.timer.sleep(pace.waitMs, this.abort.signal).catch(() => undefined);
          // A local token is taken only when there; a reserved slot is this lane's: use it.
          if (!pace.reserved || this.closed) continue;
        }
        // The head now: an urgent job that came in while waiting goes first.
        const queue = lane.urgent.length > 0 ? lane.urgent : lane.normal;
        const job = queue[0];
        if (!job) break;
        queue.shift();
        if (job.key !== undefined && this.waitingUpdates.get(job.key) === job)
          this.waitingUpdates.delete(job.key);
        await this.attempt(lane, queue, job);
      }
    } finally {
      lane.running = false;
    }
  }

  private async attempt(lane: Lane, queue: Job[], job: Job): Promise<void> {
    job.attempts++;
    let result: { ts?: string };
    const call = this.options.send(job.call);
    this.inFlight.add(call);
    try {
      result = await call;
    } catch (error) {
      this.inFlight.delete(call);
      const failure = classifyFailure(error);
      const retry = failure.retryable && job.attempts < this.limits.retry.maxAttempts;
      this.options.onFailure?.(job.call, failure, retry);
      if (!retry) {
        this.drop(job, failure);
        return;
      }
      lane.blockedUntil = this.options.timer.now() + retryDelayMs(failure, job.attempts, this.limits.retry);
      const newer = job.key === undefined ? undefined : this.waitingUpdates.get(job.key);
      if (newer) {
        // A newer state of the same message is waiting: it is the one worth sending.
        if (job.ledgerId !== undefined) this.forget(job.ledgerId);
        this.outstanding--;
        newer.waiters.push(...job.waiters);
        return;
      }
      queue.unshift(job);
      if (job.key !== undefined) this.waitingUpdates.set(job.key, job);
      return;
    }
    this.inFlight.delete(call);
    this.finish(() => {
      if (job.ledgerId !== undefined) this.forget(job.ledgerId);
      for (const w of job.waiters) w.resolve(result);
    });
  }

  private drop(job: Job, failure: FailureClass): void {
    this.finish(() => {
      if (job.ledgerId !== undefined) this.forget(job.ledgerId);
      const error = new OutboxError(
        `Slack refused ${job.call.method} after ${job.attempts} attempt(s): ${failure.reason}`,
        failure.reason,
        false,
      );
      for (const w of job.waiters) w.reject(error);
    });
  }
}
