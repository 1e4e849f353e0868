/**
 * Issue 10: property-based fuzzing (fast-check, pinned seed) of block_actions payloads against the
 * real bot on the Slack emulator. Each run clicks the real "Scale taskmanagers" button of a
 * consumer-lag thread with the payload rewritten: another action_id, a mutated or broken value,
 * another incident, no channel or another channel, another user, junk fields. (An action_id no
 * listener has is Bolt's to handle: not fuzzed.) Whatever arrives:
 * every payload is acknowledged, the bot keeps answering, and the only request that can exist is
 * exactly the proposal the bot stored (scale to 8, in #incidents).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/sandbox/slack-emulator/types.ts";
import {
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  REPORT_ACTION_ID,
  RERUN_ACTION_ID,
} from "../../src/slack/render/index.ts";
import { buttonOf, CHANNEL, harnessPerTest, scaleButtonId, startHarness } from "./harness.ts";

const start = harnessPerTest(startHarness);
const SEED = 10_004;
const RUNS = 120;

type Mutation = (payload: JsonObject) => JsonObject;

function firstAction(payload: JsonObject): JsonObject {
  return ((payload.actions as JsonObject[] | undefined) ?? [])[0] ?? {};
}

describe("fuzzed block_actions payloads", () => {
  it("never crash the listener and never create a request that is not a stored proposal", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const actionId = scaleButtonId(step4)!;
    const original = JSON.parse(String(buttonOf(step4, actionId)?.value)) as {
      action: string;
      incidentId: string;
      params: Record<string, unknown>;
    };

    const knownIds = [
      actionId,
      actionId.replace(/^proposal:/, "preview:"),
      "proposal:restart-taskmanagers:0",
      "proposal:reset-consumer-offsets:1",
      "scale-choice",
      APPROVE_ACTION_ID,
      REJECT_ACTION_ID,
      RERUN_ACTION_ID,
      REPORT_ACTION_ID,
    ];
    // Only action_ids the bot listens to: one nobody listens to is Bolt's (never acknowledged).
    // Weighted toward the proposal button and intact channel/user, so that runs reach the request.
    const actionIds = fc.oneof({ arbitrary: fc.constant(actionId), weight: 3 }, fc.constantFrom(...knownIds));
    const params = fc.record(
      {
        namespace: fc.constantFrom("flink", "kube-system", ""),
        deployment: fc.constantFrom("flink-taskmanager", "flink-jobmanager"),
        replicas: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constant(8), fc.double(), fc.string()),
        fromReplicas: fc.oneof(fc.constant(4), fc.integer({ min: 0, max: 20 })),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    // The proposal with one parameter changed within the action's bounds (finding 4's click).
    const nearMisses = fc
      .record(
        { replicas: fc.integer({ min: 1, max: 16 }), fromReplicas: fc.integer({ min: 0, max: 8 }) },
        { requiredKeys: [] },
      )
      .map((changed) => JSON.stringify({ ...original, params: { ...original.params, ...changed } }));
    const values = fc.oneof(
      fc.constant(JSON.stringify(original)),
      nearMisses,
      nearMisses,
      fc
        .record({
          action: fc.constantFrom(original.action, "restart-taskmanagers", "grow-pvc", "nope"),
          incidentId: fc.constantFrom(original.incidentId, "inc-other", ""),
          params,
        })
        .map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant(undefined),
    );
    const keep: Mutation = (p) => p;
    const channels = fc.constantFrom<Mutation>(
      keep,
      keep,
      keep,
      keep,
      ({ channel: _c, ...rest }) => rest,
      (p) => ({ ...p, channel: null }),
      (p) => ({ ...p, channel: "C_INCIDENTS" }),
      (p) => ({ ...p, channel: { id: "C_RANDOM", name: "random" } }),
      (p) => ({ ...p, channel: { name: "incidents" } }),
      (p) => ({ ...p, channel: { id: 42 } }),
    );
    const users = fc.constantFrom<Mutation>(
      keep,
      keep,
      (p) => ({ ...p, user: { id: "U_CAROL", name: "carol" } }),
      (p) => ({ ...p, user: { id: "U_BOB", name: "bob" } }),
    );
    const junk = fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 3 }), {
      nil: undefined,
    });

    let created = 0;
    await fc.assert(
      fc.asyncProperty(actionIds, values, channels, users, junk, async (id, value, channel, user, extra) => {
        const tamper = (payload: JsonObject): JsonObject => {
          const action: JsonObject = { ...firstAction(payload), action_id: id };
          if (value === undefined) delete action.value;
          else action.value = value;
          if (id === "scale-choice") action.selected_option = { value: value ?? "" };
          return user(channel({ ...payload, ...(extra ?? {}), type: "block_actions", actions: [action] }));
        };
        const result = await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId, { tamper });
        // Acknowledged whatever the payload around the action_id.
        expect(result.delivery.acked).toBe(true);
        await harness.idle();
        // Whatever became a request is exactly the stored proposal; closed so the next click may open one.
        for (const r of await harness.store.listRequests({ state: "requested" })) {
          expect(r.action).toBe("scale-taskmanagers");
          expect(r.params).toEqual({ ...original.params, fromReplicas: 4 });
          created += 1;
          await harness.store.transitionRequest(r.id, "requested", "rejected", {
            at: new Date(),
            actor: "U_BOB",
          });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await harness.idle();

    // The runs did reach the point where a request is made (the property is not vacuous).
    expect(created).toBeGreaterThan(0);
    expect(await harness.store.listRequests()).toHaveLength(created);
    // The bot still answers a real click.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId);
    await harness.idle();
    expect(await harness.store.listRequests()).toHaveLength(created + 1);
    expect(
      harness.failedCalls().filter((c) => c.method !== "views.open" && c.method !== "views.update"),
    ).toEqual([]);
  }, 120_000);
});
