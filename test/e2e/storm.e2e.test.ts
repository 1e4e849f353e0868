/**
 * The alert storm of `npm run bench storm`, at small scale (`--quick`: 3 alerts, 100 messages in
 * 6 s, with Slack's posting limits enforced by the emulator): the same invariants as the full
 * bench (issue 10, finding 8).
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
