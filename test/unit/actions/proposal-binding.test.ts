/**
 * Issue 10, finding 4: buttons bound to stored proposals. Table tests plus fast-check properties
 * (pinned seed) over the parts that read a click: a button's value and the payload's channel.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, matchesProposal, proposalsOf } from "../../../src/core/proposal-binding.ts";
import type { RunReport, StepReport } from "../../../src/core/runbook.ts";
import { originOf, parseJson, proposalOf } from "../../../src/slack/listeners/click-payload.ts";
import { normalizeInteraction } from "../../../src/slack/normalize-payload.ts";

const SEED = 10_004;
const scale = {
  action: "scale-taskmanagers",
  label: "Scale taskmanagers 4 -> 8",
  params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
};
const step: StepReport = {
  id: "fix",
  title: "Fix",
  status: "warning",
  summary: "",
  durationMs: 1,
  findings: [{ severity: "warning", title: "t", evidence: [], proposals: [scale] }],
} as unknown as StepReport;
const report = {
  runbook: "consumer-lag",
  title: "",
  startedAt: "",
  finishedAt: "",
  steps: [],
  conclusion: {
    summary: "",
    severity: "warning",
    suggestedActions: [{ action: "trigger-checkpoint", label: "Checkpoint", params: {} }],
  },
} as unknown as RunReport;

describe("proposal binding", () => {
  const stored = proposalsOf([step], [report]);

  it("collects the proposals of steps and conclusions", () => {
    expect(stored.map((p) => p.action)).toEqual(["scale-taskmanagers", "trigger-checkpoint"]);
  });

  it("matches exactly, whatever the key order; not other values, extra keys or other actions", () => {
    expect(
      matchesProposal(stored, "scale-taskmanagers", {
        fromReplicas: 4,
        replicas: 8,
        deployment: "flink-taskmanager",
        namespace: "flink",
      }),
    ).toBe(true);
    expect(matchesProposal(stored, "trigger-checkpoint", {})).toBe(true);
    expect(matchesProposal(stored, "scale-taskmanagers", { ...scale.params, replicas: 6 })).toBe(false);
    expect(matchesProposal(stored, "scale-taskmanagers", { ...scale.params, extra: 1 })).toBe(false);
    expect(matchesProposal(stored, "scale-taskmanagers", { ...scale.params, replicas: "8" })).toBe(false);
    expect(matchesProposal(stored, "restart-taskmanagers", scale.params)).toBe(false);
    expect(matchesProposal([], "trigger-checkpoint", {})).toBe(false);
  });

  it("property: a value matches iff it is canonically the stored proposal", () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (action, params) => {
        const expected =
          stored.some((p) => p.action === action && canonicalJson(p.params) === canonicalJson(params)) &&
          canonicalJson(params) !== undefined;
        expect(matchesProposal(stored, action, params)).toBe(expected);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("property: a JSON round trip (what a button carries) keeps a proposal matching", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (params) => {
        const roundTripped = JSON.parse(JSON.stringify(params)) as unknown;
        expect(matchesProposal([{ action: "a", params }], "a", roundTripped)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("reading a click (never throws, whatever the payload)", () => {
  it("property: parseJson/proposalOf on any string, originOf and normalizeInteraction on any body", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.anything(), (value, channel) => {
        const proposal = proposalOf(parseJson(value));
        if (proposal) {
          expect(typeof proposal.action).toBe("string");
          expect(typeof proposal.incidentId).toBe("string");
        }
        const body = normalizeInteraction({ type: "block_actions", channel }) as Record<string, unknown>;
        const origin = originOf(body as never);
        // A channel is only ever taken from an object with a non-empty string id.
        if (origin) expect(origin.channelId).toBe((channel as { id: string }).id);
        else
          expect(
            channel === null ||
              typeof channel !== "object" ||
              typeof (channel as { id?: unknown }).id !== "string" ||
              (channel as { id: string }).id === "",
          ).toBe(true);
        // What Bolt reads next (body.channel.id) cannot throw.
        expect(() =>
          body.channel === undefined ? undefined : (body.channel as { id?: unknown }).id,
        ).not.toThrow();
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("no channel: no origin (the listeners refuse the click)", () => {
    expect(originOf({ type: "block_actions" } as never)).toBeUndefined();
    expect(normalizeInteraction({ type: "block_actions", channel: null })).toEqual({ type: "block_actions" });
    expect(normalizeInteraction({ type: "view_submission", channel: null })).toEqual({
      type: "view_submission",
      channel: null,
    });
  });
});
