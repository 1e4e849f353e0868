/** A clock for drills: time starts at a fixed instant and only moves when something sleeps. */
import type { Clock } from "../../ports/clock.ts";

export class VirtualClock implements Clock {
  private ms: number;
  constructor(start = Date.parse("2026-01-13T10:30:00.000Z")) {
    this.ms = start;
  }
  now(): Date {
    return new Date(this.ms);
  }
  nowMs = (): number => this.ms;
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.ms += ms;
  }
}
