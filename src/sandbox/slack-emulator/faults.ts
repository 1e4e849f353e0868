/**
 * Injected Web API failures, on demand: the next `times` calls of a method are answered with an
 * error instead of being run, as Slack does when it is in trouble: HTTP 200 `{ok:false, error}`
 * (`internal_error`, `ratelimited`, `fatal_error`...), or HTTP 429 with Retry-After, or a 5xx.
 */
import type { ApiAnswer } from "./web-api-context.ts";

export interface FaultOptions {
  /** How many calls in a row fail (default 1). */
  readonly times?: number;
  /** HTTP status (default 200, Slack's usual for errors; 429 and 5xx model the others). */
  readonly status?: number;
  /** Seconds sent in Retry-After (default 1 with status 429, none otherwise). */
  readonly retryAfter?: number;
  /** Calls of the method let through first (default 0). */
  readonly after?: number;
}

interface Fault {
  readonly error: string;
  readonly status: number;
  readonly retryAfter: number | undefined;
  skip: number;
  left: number;
}

export class FaultPlan {
  private readonly faults = new Map<string, Fault[]>();

  add(method: string, error: string, options: FaultOptions = {}): void {
    const status = options.status ?? 200;
    const retryAfter = options.retryAfter ?? (status === 429 ? 1 : undefined);
    const list = this.faults.get(method) ?? [];
    list.push({ error, status, retryAfter, skip: options.after ?? 0, left: Math.max(1, options.times ?? 1) });
    this.faults.set(method, list);
  }

  /** The answer for this call of `method` if a fault is due (using it up), else undefined. */
  take(method: string): ApiAnswer | undefined {
    const list = this.faults.get(method);
    const fault = list?.[0];
    if (!list || !fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    fault.left--;
    if (fault.left <= 0) list.shift();
    return {
      status: fault.status,
      ...(fault.retryAfter === undefined ? {} : { headers: { "retry-after": String(fault.retryAfter) } }),
      body: { ok: false, error: fault.error },
    };
  }

  /** Faults still to be used for `method`. */
  pending(method: string): number {
    return (this.faults.get(method) ?? []).reduce((n, f) => n + f.left, 0);
  }
}
