/**
 * Exactly once across OS processes: the real bot in separate processes (child-bot.ts) on one SQLite
 * file (and again on one PostgreSQL database), one Slack emulator (each process with its own Socket Mode connection; each envelope goes to
 * one of them) and one Kubernetes API test server.
 * - Two processes get Approve clicks at the same moment, each click having read the request while
 *   it was still pending: one scale PATCH, one succeeded row, one "Done" in the thread; every
 *   losing click is told it lost.
 * - A process killed (SIGKILL) while its PATCH is held by the server: the next process marks the
 *   request outcome-unknown at start, says so in the thread for a human to check, replaces the
 *   buttons, audits it, and never runs it again, not even when Approve is pressed again.
 */
import { describe, expect, inject, it } from "vitest";
import type { InteractionResult } from "../../src/sandbox/slack-emulator/index.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from "../../src/slack/render/index.ts";
import { buttonOf, CHANNEL, harnessPerTest, SCALE_PATH, textOf, until, WAIT_MS } from "./harness.ts";
import { type ProcessHarness, type ProcessHarnessOptions, startProcessHarness } from "./process-harness.ts";

const writes = (harness: ProcessHarness) => harness.kube.requests.filter((r) => r.method !== "GET");
const SCALE_PATCH = {
  method: "PATCH",
  path: SCALE_PATH,
  contentType: "application/merge-patch+json",
  body: { spec: { replicas: 8 } },
};
/** Concurrent Approve clicks in the two-process test. */
const CLICKS = 10;

/** What the bot answered a click through its response_url (to the clicker only); undefined: nothing. */
function answerTo(harness: ProcessHarness, click: InteractionResult): string | undefined {
  const id = click.responseUrl?.split("/").pop();
  const text = harness.emulator.responseUrlPosts.find((p) => p.responseUrlId === id)?.body.text;
  return typeof text === "string" ? text : undefined;
}

function requestIdOf(approval: StoredMessage): string {
  const value = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof value !== "string") throw new Error("no Approve button");
  return value;
}

/** Waits until the message `ts` (edits included) satisfies `predicate`. */
function messageNow(harness: ProcessHarness, ts: string, predicate: (m: StoredMessage) => boolean) {
  return harness.emulator.waitFor((m) => m.channel === CHANNEL && m.ts === ts && predicate(m), WAIT_MS);
}

/** The same facts on both stores: a SQLite file, and a PostgreSQL database (the run's server). */
const STORES: { name: string; options: () => ProcessHarnessOptions }[] = [
  { name: "SQLite", options: () => ({}) },
  { name: "PostgreSQL", options: () => ({ databaseUrl: inject("postgresUrl") }) },
];

describe.each(STORES)("on $name", ({ options: storeOptions }) => {
  const start = harnessPerTest((options?: ProcessHarnessOptions) =>
    startProcessHarness({ ...options, ...storeOptions() }),
  );

  describe("two bot processes sharing the store", () => {
    it("Approve clicks reaching both processes at the same moment execute once", async () => {
      // The approvers are the members of S_SRE (alice, bob, carol), resolved with usergroups.users.list.
      const harness = await start({ approvers: [], usergroups: ["S_SRE"] });
      // One process opens the incident and posts the request; then two fresh processes take over,
      // whose user group caches are cold: every click asks Slack for the members before deciding.
      const opener = await harness.startBot();
      const root = await harness.runAlert("consumer-lag");
      const approval = await harness.requestScale(root.ts, "U_ALICE");
      const requestId = requestIdOf(approval);
      await harness.idle();
      await harness.endBot(opener, "stop");
      const first = await harness.startBot();
      const second = await harness.startBot();
      expect(new Set([opener.pid, first.pid, second.pid]).size).toBe(3);
      expect(harness.emulator.socketConnectionCount).toBe(2);

      // Ten clicks at once by the two other approvers; the emulator hands them to the two
      // connections in turn. Slack answers usergroups.users.list slowly: once all ten are waiting
      // for it, every click in both processes has read the request while it was still `requested`,
      // so only the store's conditional write can stop a second execution.
      const members = harness.emulator.holdMethod("usergroups.users.list");
      const clicks = await Promise.all(
        Array.from({ length: CLICKS }, (_, i) =>
          harness.emulator.clickButton(
            i % 2 === 0 ? "U_BOB" : "U_CAROL",
            CHANNEL,
            approval.ts,
            APPROVE_ACTION_ID,
          ),
        ),
      );
      expect(clicks.every((c) => c.delivery.acked)).toBe(true);
      const connections = new Set(clicks.map((c) => c.delivery.connectionId));
      expect(connections).toEqual(new Set(harness.emulator.socketConnectionIds));
      expect(connections.size).toBe(2);
      await until(() => members.waiting === CLICKS);
      members.release();

      await messageNow(
        harness,
        approval.ts,
        (m) => buttonOf(m, APPROVE_ACTION_ID) === undefined && /executed:/.test(textOf(m)),
      );
      await harness.idle();

      // The cluster got exactly one write.
      expect(writes(harness)).toEqual([expect.objectContaining(SCALE_PATCH)]);
      expect(harness.kube.state.deployments[0]?.spec.replicas).toBe(8);

      // One approval, one executing/succeeded pair, by one of the two processes.
      const audit = await harness.store.listAudit({ requestId });
      expect(audit.map((e) => e.kind)).toEqual([
        "action.requested",
        "action.approved",
        "action.executing",
        "action.succeeded",
      ]);
      const executor = audit.find((e) => e.kind === "action.executing")?.details.executor;
      expect([first.instanceId, second.instanceId]).toContain(executor);
      expect(await harness.store.getRequest(requestId)).toMatchObject({ state: "succeeded", executor });

      // The thread says it once.
      const replies = harness.botReplies(root.ts);
      expect(replies.filter((m) => m.text.startsWith(":white_check_mark: Done:"))).toHaveLength(1);
      expect(replies.filter((m) => /<@U_(BOB|CAROL)> approved/.test(m.text))).toHaveLength(1);
      expect(replies.filter((m) => /failed|refused/.test(m.text))).toEqual([]);

      // Every other click, in both processes, lost at the store and was told so; never an error.
      const answers = clicks.map((c) => ({
        connection: c.delivery.connectionId,
        text: answerTo(harness, c),
      }));
      const losers = answers.filter((a) => a.text !== undefined);
      expect(losers).toHaveLength(CLICKS - 1);
      for (const loser of losers) expect(loser.text).toMatch(/^Already (approved|executing|succeeded)\.$/);
      for (const connection of connections) {
        expect(losers.filter((l) => l.connection === connection).length).toBeGreaterThanOrEqual(
          CLICKS / 2 - 1,
        );
      }
    });
  });

  const LEASE_1S = { actions: { executionLeaseSeconds: 1 } };

  describe("a crash during execution", () => {
    it("the next process marks it outcome-unknown, tells the thread, and never runs it again", async () => {
      // A one-second lease: the dead process stops renewing it, so the next one sees it stale.
      const harness = await start({ config: LEASE_1S, expirySweepMs: 200 });
      const crashing = await harness.startBot();
      const root = await harness.runAlert("consumer-lag");
      const approval = await harness.requestScale(root.ts, "U_ALICE");
      const requestId = requestIdOf(approval);

      // The API server holds the scale PATCH: the bot is inside execute() when it dies.
      harness.kube.setFailure({ verb: "patch", resource: "deployments.apps/scale", delayMs: 600_000 });
      await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
      await until(() => writes(harness).length === 1);
      expect((await harness.store.getRequest(requestId))?.state).toBe("executing");
      const exit = await harness.endBot(crashing, "kill");
      expect(exit.signal).toBe("SIGKILL");
      expect(harness.emulator.socketConnectionCount).toBe(0);
      // Nothing was recorded after `executing`: the dead process never learnt the outcome.
      expect((await harness.store.getRequest(requestId))?.state).toBe("executing");
      expect(
        harness.botReplies(root.ts).some((m) => m.text.includes("Done:") || m.text.includes("failed")),
      ).toBe(false);
      harness.kube.clearFailures();

      // A new process on the same file, once the lease has run out: outcome-unknown, said in the
      // thread, buttons replaced.
      const next = await harness.startBot();
      const note = await harness.waitForReply(root.ts, (m) => m.text.includes("its outcome is unknown"));
      expect(note.text).toBe(
        ":warning: The bot stopped while executing *flink-taskmanager: 4 -> 8 replicas in namespace flink*: its outcome is unknown. Check by hand; it will not be re-run automatically.",
      );
      const shown = await messageNow(harness, approval.ts, (m) => /Outcome unknown/.test(textOf(m)));
      expect(buttonOf(shown, APPROVE_ACTION_ID)).toBeUndefined();
      expect(buttonOf(shown, REJECT_ACTION_ID)).toBeUndefined();
      expect(textOf(shown)).toContain("check before retrying");
      await harness.idle();
      expect(await harness.store.getRequest(requestId)).toMatchObject({
        state: "outcome-unknown",
        executor: crashing.instanceId,
      });
      const audit = await harness.store.listAudit({ requestId });
      expect(audit.map((e) => [e.kind, e.actor])).toEqual([
        ["action.requested", "U_ALICE"],
        ["action.approved", "U_BOB"],
        ["action.executing", "bot"],
        ["action.outcome-unknown", "bot"],
      ]);
      expect(audit[2]?.details.executor).toBe(crashing.instanceId);
      expect(writes(harness)).toHaveLength(1); // the held PATCH only, not run again

      // Approve pressed again on a stale copy of the old message: refused, nothing runs.
      await harness.emulator.editMessage(CHANNEL, approval.ts, { blocks: approval.blocks ?? [] });
      await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
      const told = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB", WAIT_MS);
      expect(told.text).toBe("Refused: request is already final.");
      await harness.idle();
      expect(writes(harness)).toHaveLength(1);

      // And another restart does not touch it again: no second note, no second audit event.
      await harness.endBot(next, "stop");
      await harness.startBot();
      await harness.idle();
      expect(writes(harness)).toHaveLength(1);
      expect(
        harness.botReplies(root.ts).filter((m) => m.text.includes("its outcome is unknown")),
      ).toHaveLength(1);
      const kinds = (await harness.store.listAudit({ requestId })).map((e) => e.kind);
      expect(kinds.filter((k) => k === "action.outcome-unknown")).toHaveLength(1);
      expect(kinds.filter((k) => k === "action.executing")).toHaveLength(1);
      expect((await harness.store.getRequest(requestId))?.state).toBe("outcome-unknown");
    });
    it("a process that starts while another one is executing leaves that live execution alone", async () => {
      const harness = await start({ config: LEASE_1S, expirySweepMs: 200 });
      const working = await harness.startBot();
      const root = await harness.runAlert("consumer-lag");
      const approval = await harness.requestScale(root.ts, "U_ALICE");
      const requestId = requestIdOf(approval);

      // The PATCH takes 8 s (eight leases; under the adapter's 10 s timeout): the executing process stays alive and renews its lease.
      harness.kube.setFailure({
        verb: "patch",
        resource: "deployments.apps/scale",
        delayMs: 8_000,
        times: 1,
      });
      await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
      await until(() => writes(harness).length === 1);
      // A second process starts (a rolling deploy) and sweeps every 200 ms meanwhile.
      const started = Date.now();
      await harness.startBot();
      // Two leases and several of its sweeps later, the execution is still the first process's.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(Date.now() - started).toBeLessThan(7_500); // (still inside the held PATCH)
      expect((await harness.store.getRequest(requestId))?.state).toBe("executing");

      // The PATCH answers: the first process finishes it as usual.
      await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
      await harness.idle();
      expect(await harness.store.getRequest(requestId)).toMatchObject({
        state: "succeeded",
        executor: working.instanceId,
      });
      const kinds = (await harness.store.listAudit({ requestId })).map((e) => e.kind);
      expect(kinds).not.toContain("action.outcome-unknown");
      expect(harness.botReplies(root.ts).some((m) => m.text.includes("its outcome is unknown"))).toBe(false);
      expect(writes(harness)).toHaveLength(1);
    });
  });
});
