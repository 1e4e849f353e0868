/**
 * The alert storm of `npm run bench storm`, at small scale (`--quick`: 3 alerts, 100 messages in
 * 6 s, with Slack's posting limits enforced by the emulator): the same invariants as the full
 * bench (issue 10, finding 8); and with three bot processes on one SQLite file (`--replicas 3`).
 */
import { expect, it } from "vitest";
import { QUICK_STORM, runStorm } from "../../bench/storm.ts";

it("every thread complete, none empty, no status backwards, about one call per message", async () => {
  const r = await runStorm(QUICK_STORM);
  expect(r.incidents).toBe(4); // three alerts, one fires again after resolving
  expect(r.complete).toBe(r.incidents);
  expect(r.empty).toBe(0);
  expect(r.backwards).toBe(0);
  expect(r.postCalls / r.delivered).toBeLessThan(1.1);
  expect(r.p95FirstReplyMs).toBeLessThan(5_000);
}, 150_000);

it("three replicas on one store: no thread empty or twice, Slack's per-channel limit kept across them", async () => {
  const r = await runStorm({ ...QUICK_STORM, replicas: 3 });
  expect(r.replicas).toBe(3);
  expect(r.incidents).toBe(4);
  expect(r.empty).toBe(0);
  // No run started twice by two replicas (a re-fire or the sweep on another replica while the
  // first message still waited in the channel's queue): seen failing before the run leases.
  expect(r.duplicated).toBe(0);
  // The emulator's limit (1/s, burst 4) was never exceeded across the replicas: it refused nothing.
  expect(r.rateLimited).toBe(0);
  expect(r.peakPostsPerChannelSecond).toBeLessThanOrEqual(4);
  // Not asserted (README, known gaps): every thread complete and no status message backwards.
  // Each replica keeps the order of its own updates of a status message, but two replicas'
  // updates of one message can land out of order, and the last one may be the older state.
}, 240_000);
