/**
 * For every drill whose runbook proposes a fix: the proposal is executed in the drill's world (parse,
 * prepare, recheck, execute, as the action desk does) and the runbook's recovery check watches the
 * world afterwards on a virtual clock. Worlds that react to the fix (the consumer-lag scenario drains
 * when scaled; MSK brings a rebooted broker back) must read "recovered"; worlds scripted to stay
 * broken must read "not recovered" with the next step.
 */
import { describe, expect, it } from "vitest";
import type { ActionResult } from "../../src/actions/action.ts";
import { findAction } from "../../src/actions/registry.ts";
import { configSchema } from "../../src/config/schema.ts";
import { verdictLine } from "../../src/core/verification.ts";
import { watchRecovery } from "../../src/engine/recovery-watch.ts";
import { errorMessage } from "../../src/engine/run-probe.ts";
import { runRunbook } from "../../src/engine/run-runbook.ts";
import { automatedRunbook } from "../../src/runbooks/registry.ts";
import { DRILLS } from "../../src/sandbox/drills/registry.ts";
import { VirtualClock } from "../../src/sandbox/drills/virtual-clock.ts";
import { withSimulatedWorldNames } from "../../src/sandbox/simulated/world-config.ts";

const config = withSimulatedWorldNames({ ...configSchema.parse({}), secrets: {} });

const PROPOSING = DRILLS.filter((d) => (d.expect.proposes ?? []).length > 0);

async function fixAndVerify(id: string) {
  const scenario = DRILLS.find((d) => d.id === id)!;
  const clock = new VirtualClock();
  const ports = scenario.build(clock);
  const runbook = automatedRunbook(scenario.runbook)!;
  const report = await runRunbook(runbook, { ports, config });
  const proposal = report.conclusion.suggestedActions[0]!;
  const def = findAction(proposal.action)!;
  const parsed = def.parse(proposal.params, config);
  if (!parsed.ok) throw new Error(`${proposal.action}: ${parsed.problems.join("; ")}`);
  const prepared = await def.prepare(parsed.params, { ports, config });
  const changed = await def.recheck(prepared.params, { ports, config });
  let result: ActionResult | undefined;
  try {
    result = changed === undefined ? await def.execute(prepared.params, { ports, config }) : undefined;
  } catch (error) {
    // A failed fix is not verified (the action desk only watches after a success).
    return { action: proposal.action, changed, failure: errorMessage(error) } as const;
  }
  const since = clock.now();
  const verdict = await watchRecovery({
    check: runbook.verify,
    ports,
    config,
    since,
    signal: new AbortController().signal,
  });
  return {
    action: proposal.action,
    changed,
    result,
    verdict,
    line: verdictLine(verdict, runbook.verify),
  } as const;
}

/** Worlds that react to their fix; every other proposing world is scripted to stay broken. */
const RECOVERS: Readonly<Record<string, { readonly text: RegExp; readonly atLeastMs: number }>> = {
  // Eight taskmanagers out-process the arrivals: lag falls from the first look on.
  "consumer-lag/resource": {
    text: /lag of order-processor on orders\.raw [\d,]+ records, falling/,
    atLeastMs: 30_000,
  },
  // MSK's reboot takes 90 s in the simulated world; Kafka sees the broker again once it is done.
  "kafka-broker-down/one-broker-down": { text: /3 of 3 brokers alive/, atLeastMs: 90_000 },
  // These two worlds script window completeness as recovering in the newest windows.
  "window-completeness/watermark-stuck": { text: /WindowCompleteness 99\.4%/, atLeastMs: 0 },
  "window-completeness/state-backend-loss": { text: /WindowCompleteness 99\.4%/, atLeastMs: 0 },
};

/**
 * Worlds where the proposed fix itself fails: a checkpoint triggered by hand while the cause (IAM,
 * KMS, a timeout, an unknown failure) persists fails the way the periodic ones do.
 */
const FIX_FAILS: Readonly<Record<string, RegExp>> = {
  "checkpoint-failure/s3-access-denied": /failed: .*Asynchronous task checkpoint failed/,
  "checkpoint-failure/kms-denied": /failed: .*Asynchronous task checkpoint failed/,
  "checkpoint-failure/timeout": /failed: Checkpoint expired before completing/,
  "checkpoint-failure/timeout-operator-managed": /failed: Checkpoint expired before completing/,
  "checkpoint-failure/unknown": /failed: .*Task local checkpoint failure/,
};

describe("fix, then verify, in every drill world that proposes a fix", () => {
  it("covers every action a drill proposes", () => {
    const actions = new Set(PROPOSING.flatMap((d) => d.expect.proposes ?? []));
    expect(PROPOSING.length).toBeGreaterThanOrEqual(15);
    for (const id of [
      "scale-taskmanagers",
      "rollback",
      "reboot-broker",
      "firehose-buffering",
      "trigger-checkpoint",
    ])
      expect(actions.has(id), id).toBe(true);
  });

  it.each(PROPOSING.map((d) => [d.id] as const))(
    "%s: the fix runs and the watch reaches a verdict",
    async (id) => {
      const out = await fixAndVerify(id);
      // The world did not change between preview and execution.
      expect(out.changed).toBeUndefined();
      const fails = FIX_FAILS[id];
      if (fails || "failure" in out) {
        expect("failure" in out ? out.failure : "(the fix succeeded)").toMatch(fails ?? /^$/);
        return;
      }
      expect(out.result?.message.length).toBeGreaterThan(0);
      const want = RECOVERS[id];
      if (want) {
        expect(out.verdict.state, out.line).toBe("recovered");
        expect(out.verdict.afterMs).toBeGreaterThanOrEqual(want.atLeastMs);
        expect(out.line).toMatch(want.text);
        expect(out.line).toMatch(/^:white_check_mark: \*Recovered\* \(.+ after the fix\): /);
      } else {
        expect(out.verdict.state, out.line).toBe("not-recovered");
        const check = automatedRunbook(DRILLS.find((d) => d.id === id)!.runbook)!.verify;
        // The whole expected recovery time was watched before giving up.
        expect(out.verdict.afterMs).toBeGreaterThanOrEqual(check.withinMinutes * 60_000);
        expect(out.line).toContain(`Next suggested step: ${check.nextStep}`);
        expect(out.line).not.toMatch(/\.\./);
        expect(out.line).not.toContain("\n");
      }
    },
  );

  it("two brokers down: rebooting one is not a recovery, and the line names the broker still missing", async () => {
    const out = await fixAndVerify("kafka-broker-down/cluster-unusable");
    if ("failure" in out) throw new Error(out.failure);
    expect(out.line).toMatch(/Not recovered after 15 min\*: 2 of 3 brokers alive, broker 3 still missing/);
  });
});
