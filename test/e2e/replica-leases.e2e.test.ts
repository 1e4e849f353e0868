/**
 * Work one replica at a time does, across real bot processes on one SQLite file (child-bot.ts):
 * - the sweeps (and the start-up recovery) run on the holder of lease `sweeps` only; killed with
 *   SIGKILL, another process takes them over within the lease;
 * - a recovery watch cut short by a stop is resumed by one process, not one per replica; when the
 *   process watching it is killed, another resumes it within the lease (and a sweep), and one
 *   verdict is posted in all.
 */
import { describe, expect, it } from "vitest";
import { SWEEPS_LEASE } from "../../src/engine/replica-sweeps.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { CHANNEL, harnessPerTest, until, WAIT_MS } from "./harness.ts";
import { type ProcessHarness, startProcessHarness } from "./process-harness.ts";

const start = harnessPerTest(startProcessHarness);
const LEASE_S = 2;
const CONFIG = {
  replicas: { leaseSeconds: LEASE_S },
  actions: { verification: { withinMinutes: 0.75, everySeconds: 0.25 } },
};

const holderOf = (harness: ProcessHarness, lease: string) =>
  harness.store.coordination().leaseHolder(lease, new Date());

const count = (harness: ProcessHarness, rootTs: string, prefix: string) =>
  harness.botReplies(rootTs).filter((m) => m.text.startsWith(prefix)).length;

async function waitForHolder(harness: ProcessHarness, lease: string, among: readonly string[]) {
  let holder: string | undefined;
  await until(async () => {
    holder = await holderOf(harness, lease);
    return holder !== undefined && among.includes(holder);
  }, WAIT_MS);
  return holder as string;
}

describe("replicas on one store", () => {
  it("one replica sweeps and resumes a watch; killed, another takes both over within the lease", async () => {
    const harness = await start({ config: CONFIG, expirySweepMs: 200 });
    const first = await harness.startBot();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":mag: Verifying"));
    const request = (await harness.store.listRequests({ state: "succeeded" }))[0];
    if (!request) throw new Error("the scale did not succeed");
    // A clean stop: the watch ends without a verdict and its lease is released.
    await harness.endBot(first, "stop");
    expect(await holderOf(harness, `verify:${request.id}`)).toBeUndefined();

    // Three replicas start: one of them resumes the watch, the others leave it alone.
    const bots = [await harness.startBot(), await harness.startBot(), await harness.startBot()];
    const ids = bots.map((b) => b.instanceId);
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":mag: Resuming the check"));
    // Several sweeps (every 200 ms) of every replica later: still one resumption.
    await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_S * 1000));
    expect(count(harness, root.ts, ":mag: Resuming the check")).toBe(1);
    const sweeper = await waitForHolder(harness, SWEEPS_LEASE, ids);
    const watcher = await waitForHolder(harness, `verify:${request.id}`, ids);
    expect(await holderOf(harness, SWEEPS_LEASE)).toBe(sweeper);
    expect(await holderOf(harness, `verify:${request.id}`)).toBe(watcher);

    // SIGKILL the replica watching (and the sweeper, when it is the same one).
    const victim = bots.find((b) => b.instanceId === watcher);
    if (!victim) throw new Error("the watcher is none of the bots");
    const killedAt = Date.now();
    await harness.endBot(victim, "kill");
    const survivors = ids.filter((id) => id !== watcher);
    await until(() => count(harness, root.ts, ":mag: Resuming the check") === 2, WAIT_MS);
    const resumedAfterMs = Date.now() - killedAt;
    const newWatcher = await waitForHolder(harness, `verify:${request.id}`, survivors);
    const newSweeper = await waitForHolder(harness, SWEEPS_LEASE, survivors);
    const takenOverMs = Date.now() - killedAt;
    // Within the lease, a third of it (the next try) and a sweep, with room for a loaded machine.
    expect(resumedAfterMs).toBeLessThan(LEASE_S * 1000 * 2 + 2_000);
    expect(takenOverMs).toBeLessThan(LEASE_S * 1000 * 2 + 2_000);
    expect(survivors).toContain(newWatcher);
    expect(survivors).toContain(newSweeper);

    // One verdict in all, from the new watcher; no third resumption.
    const verdicts = () => harness.botReplies(root.ts).filter((m) => /Recovered|Not recovered/.test(m.text));
    await until(() => verdicts().length > 0, 60_000);
    await harness.idle();
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_S * 1000));
    expect(count(harness, root.ts, ":mag: Resuming the check")).toBe(2);
    expect(verdicts()).toHaveLength(1);
    const verified = (await harness.store.listAudit({ requestId: request.id })).filter(
      (e) => e.kind === "action.verified",
    );
    expect(verified).toHaveLength(1);
  }, 150_000);
});
