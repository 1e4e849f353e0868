/**
 * Verification after a fix, end to end (Socket Mode): a scale approved by a second person, then the
 * bot watches the consumer group's lag (the consumer-lag runbook's recovery check) and posts
 * "Recovered" or "Not recovered after N: next step" in the thread, with one audit event that the
 * post-incident report shows. Timings are shortened through `actions.verification`.
 */
import { describe, expect, it } from "vitest";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { CHANNEL, type Harness, harnessPerTest, startHarness } from "./harness.ts";

const start = harnessPerTest(startHarness);

const fast = (withinMinutes: number) => ({
  config: { actions: { verification: { withinMinutes, everySeconds: 0.25 } } },
});

/** Alert, scale requested by Alice, approved by Bob, executed: the thread's root and the request id. */
async function scaleApproved(harness: Harness): Promise<{ rootTs: string; requestId: string }> {
  const root = await harness.runAlert("consumer-lag");
  const approval = await harness.requestScale(root.ts, "U_ALICE");
  await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
  await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
  const request = (await harness.store.listRequests({ state: "succeeded" }))[0];
  if (!request) throw new Error("the scale did not succeed");
  return { rootTs: root.ts, requestId: request.id };
}

describe("after a fix succeeds", () => {
  it("says what it watches, then 'Recovered' once the lag falls; one audit event, shown in the report", async () => {
    const harness = await start(fast(0.5));
    const { rootTs, requestId } = await scaleApproved(harness);
    const watching = await harness.waitForReply(rootTs, (m) => m.text.startsWith(":mag: Verifying"));
    expect(watching.text).toBe(
      ":mag: Verifying *flink-taskmanager: 4 -> 8 replicas in namespace flink*: watching the consumer group's lag for up to 30.0 s; recovered when lag at or below 50,000 records, or at least 10% below the first look and falling.",
    );
    // The cluster reacts to the new replica count (the kube test server does not drive the world):
    // sixty taskmanagers drain the backlog within a few looks.
    harness.scenario.scale(60);
    const verdict = await harness.waitForReply(rootTs, (m) => /Recovered|Not recovered/.test(m.text));
    expect(verdict.text).toMatch(
      /^:white_check_mark: \*Recovered\* \([\d.]+ (ms|s) after the fix\): lag of order-processor on orders\.raw [\d,]+ records, (falling \([\d,]+ at the first look\): draining|at or below 50,000)\.$/,
    );
    await harness.bot.service.verificationsSettled();

    const verified = (await harness.store.listAudit({ requestId })).filter(
      (e) => e.kind === "action.verified",
    );
    expect(verified).toHaveLength(1);
    expect(verified[0]).toMatchObject({ actor: "bot", incidentId: expect.any(String) });
    expect(verified[0]!.details).toMatchObject({ recovered: true, watched: "the consumer group's lag" });
    expect(String(verified[0]!.details.message)).toMatch(/^Recovered \(/);

    const incident = await harness.store.findIncidentByThread(CHANNEL, rootTs);
    const report = await harness.bot.service.writeReport(incident!.id, "U_ALICE");
    expect(report.ok).toBe(true);
    if (report.ok)
      expect(report.markdown).toMatch(
        /\| Verification: Recovered \([^|]+\): lag of order-processor[^|]*\| bot \|/,
      );
  });

  it("when the lag keeps growing: 'Not recovered after' the window, with the next suggested step", async () => {
    const harness = await start(fast(0.05));
    const { rootTs, requestId } = await scaleApproved(harness);
    // The world does not react: four taskmanagers' worth of processing, arrivals still higher.
    const verdict = await harness.waitForReply(rootTs, (m) => /Recovered|Not recovered/.test(m.text));
    expect(verdict.text).toMatch(
      /^:warning: \*Not recovered after [\d.]+ s\*: lag of order-processor on orders\.raw [\d,]+ records, still growing \([\d,]+ at the first look\)\. Next suggested step: re-run `\/runbook lag`/,
    );
    await harness.bot.service.verificationsSettled();
    const verified = (await harness.store.listAudit({ requestId })).filter(
      (e) => e.kind === "action.verified",
    );
    expect(verified.map((e) => e.details.recovered)).toEqual([false]);
  });

  it("a watch cut short by a restart is resumed by the next process for the time it had left, once", async () => {
    const harness = await start(fast(0.25));
    const { rootTs, requestId } = await scaleApproved(harness);
    await harness.waitForReply(rootTs, (m) => m.text.startsWith(":mag: Verifying"));
    await harness.restartBot();
    harness.scenario.scale(60);
    const resumed = await harness.waitForReply(rootTs, (m) => m.text.startsWith(":mag: Resuming the check"));
    expect(resumed.text).toMatch(
      /^:mag: Resuming the check after \*flink-taskmanager: 4 -> 8 replicas in namespace flink\* \(the bot restarted\): watching the consumer group's lag for [\d.]+ (ms|s) more\.$/,
    );
    await harness.bot.service.verificationsSettled();
    const verdicts = harness.botReplies(rootTs).filter((m) => /Recovered|Not recovered/.test(m.text));
    expect(verdicts.map((m) => m.text)).toEqual([
      expect.stringMatching(/^:white_check_mark: \*Recovered\* /),
    ]);
    const verified = (await harness.store.listAudit({ requestId })).filter(
      (e) => e.kind === "action.verified",
    );
    expect(verified).toHaveLength(1);
    // A third process finds the verdict already given and watches nothing.
    await harness.restartBot();
    await harness.idle();
    expect(harness.botReplies(rootTs).filter((m) => m.text.startsWith(":mag: Resuming"))).toHaveLength(1);
  });

  it("with verification disabled, the fix is done and nothing is watched", async () => {
    const harness = await start({ config: { actions: { verification: { enabled: false } } } });
    const { rootTs } = await scaleApproved(harness);
    await harness.idle();
    expect(harness.botReplies(rootTs).filter((m) => m.text.startsWith(":mag:"))).toEqual([]);
  });
});
