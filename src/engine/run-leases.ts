/**
 * Which incident runs are live on some replica: a run holds lease `run:<incident>` (renewed while
 * it works, released at its end), so that another replica's re-fire or undelivered-run sweep does
 * not start it a second time while its first message still waits in the channel's queue. Best
 * effort: the run goes on whether or not the lease could be taken (the store decides races; the
 * lease only stops duplicate runs).
 */
import type { Coordination } from "../store/coordination.ts";
import { renewEveryMs } from "./lease-runner.ts";

export class RunLeases {
  constructor(
    private readonly coordination: () => Coordination,
    private readonly holder: string,
    private readonly leaseMs: () => number,
  ) {}

  async hold<T>(incidentId: string, work: () => Promise<T>): Promise<T> {
    const name = `run:${incidentId}`;
    const leaseMs = this.leaseMs();
    const take = () =>
      this.coordination()
        .acquireLease(name, this.holder, leaseMs, new Date())
        .catch(() => false);
    await take();
    const renewal = setInterval(() => void take(), renewEveryMs(leaseMs));
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.coordination()
        .releaseLease(name, this.holder)
        .catch(() => undefined);
    }
  }

  /** Whether another replica runs this incident now (false when the store cannot say). */
  async liveElsewhere(incidentId: string): Promise<boolean> {
    const holder = await this.coordination()
      .leaseHolder(`run:${incidentId}`, new Date())
      .catch(() => undefined);
    return holder !== undefined && holder !== this.holder;
  }
}
