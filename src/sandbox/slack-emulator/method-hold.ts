/**
 * A slow Slack, on demand: while a method is held, its calls arrive (and are read) but wait
 * unanswered until `release()`. Tests use it to line up work that would otherwise race past a
 * Web API call, e.g. every click of two bot processes waiting on usergroups.users.list at once.
 */
export class MethodHold {
  private readonly waiters: Array<() => void> = [];
  private released = false;

  constructor(
    readonly method: string,
    private readonly onRelease: () => void,
  ) {}

  /** Calls waiting for their answer now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when the hold is released (at once if it already is). */
  wait(): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Answers every waiting call, and every later one straight away. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
