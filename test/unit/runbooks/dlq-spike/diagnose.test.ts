import { describe, expect, it } from "vitest";
import {
  type DlqCause,
  type DlqSignals,
  deployedShortlyBefore,
  diagnoseDlq,
} from "../../../../src/runbooks/dlq-spike/diagnose.ts";
import type { SchemaDrift } from "../../../../src/runbooks/dlq-spike/schema-drift.ts";

const NOW = new Date("2025-01-13T10:30:00Z");
const SPIKE = new Date("2025-01-13T10:22:00Z");
const minutesBefore = (at: Date, m: number) => new Date(at.getTime() - m * 60_000);

const base: DlqSignals = { threshold: 100, now: NOW };
const spiking = { latestRate: 900, spikeStart: SPIKE } as const;
const parse96 = [
  { type: "parse_error", count: 9_600 },
  { type: "validation_error", count: 400 },
];
const oldRevision = {
  revision: 3,
  createdAt: new Date("2024-12-01T08:00:00Z"),
  images: ["job:1.4.3"],
  changeCause: null,
};
const newRevision = {
  revision: 4,
  createdAt: minutesBefore(SPIKE, 7),
  images: ["job:1.5.0"],
  changeCause: "deploy 1.5.0",
};

const cleanSource: SchemaDrift = {
  sampled: 20,
  malformed: 0,
  missing: [],
  renamed: [],
  retyped: [],
  unexpected: [],
  nonConforming: 0,
  nonConformingBySender: [],
};
const renamedSource: SchemaDrift = {
  ...cleanSource,
  missing: ["customer_id"],
  renamed: [{ from: "customer_id", to: "cust_id" }],
  nonConforming: 20,
  nonConformingBySender: [{ sender: "checkout-service", count: 20 }],
};
const subsetSource: SchemaDrift = {
  ...cleanSource,
  malformed: 3,
  nonConforming: 3,
  nonConformingBySender: [{ sender: "partner-api", count: 3 }],
};

interface Case {
  readonly name: string;
  readonly signals: Partial<DlqSignals>;
  readonly cause: DlqCause;
  readonly confidence?: "high" | "medium" | "low";
  readonly open?: readonly string[];
  readonly because?: RegExp;
}

const cases: Case[] = [
  {
    name: "rate at the threshold",
    signals: { latestRate: 100 },
    cause: "below-threshold",
    confidence: "high",
  },
  {
    name: "rate under the threshold",
    signals: { latestRate: 3, breakdown: parse96 },
    cause: "below-threshold",
  },
  {
    name: "breakdown unread",
    signals: spiking,
    cause: "unknown",
    confidence: "low",
    because: /could not be read/,
  },
  {
    name: "breakdown empty",
    signals: { ...spiking, breakdown: [] },
    cause: "unknown",
    because: /no DLQ records/,
  },
  {
    name: "parse errors, rollout 7 min before the spike, source unchanged",
    signals: { ...spiking, breakdown: parse96, currentRevision: newRevision, sourceDrift: cleanSource },
    cause: "parse-error-deployment",
    confidence: "high",
    open: [],
    because: /revision 4 rolled out 10:15 UTC, shortly before the spike began at 10:22 UTC/,
  },
  {
    name: "parse errors, rollout recent, source not sampled",
    signals: { ...spiking, breakdown: parse96, currentRevision: newRevision },
    cause: "parse-error-deployment",
    confidence: "medium",
    open: ["parse errors from a source schema change"],
  },
  {
    name: "parse errors, rollout after the spike began is no suspect",
    signals: {
      ...spiking,
      breakdown: parse96,
      currentRevision: { ...newRevision, createdAt: new Date(SPIKE.getTime() + 5 * 60_000) },
      sourceDrift: cleanSource,
    },
    cause: "parse-error-traffic-pattern",
  },
  {
    name: "parse errors, rollout 31 min before the spike is no suspect",
    signals: {
      ...spiking,
      breakdown: parse96,
      currentRevision: { ...newRevision, createdAt: minutesBefore(SPIKE, 31) },
      sourceDrift: subsetSource,
    },
    cause: "parse-error-traffic-pattern",
    confidence: "high",
  },
  {
    name: "parse errors, source field renamed",
    signals: { ...spiking, breakdown: parse96, currentRevision: oldRevision, sourceDrift: renamedSource },
    cause: "parse-error-schema-change",
    confidence: "high",
    because: /`customer_id` now arrives as `cust_id`/,
  },
  {
    name: "parse errors, source renamed and a recent rollout: schema change, deployment stays open",
    signals: { ...spiking, breakdown: parse96, currentRevision: newRevision, sourceDrift: renamedSource },
    cause: "parse-error-schema-change",
    confidence: "medium",
    open: ["parse errors from a recent deployment (code bug)"],
  },
  {
    name: "parse errors, neither: a new traffic pattern (by elimination)",
    signals: { ...spiking, breakdown: parse96, currentRevision: oldRevision, sourceDrift: cleanSource },
    cause: "parse-error-traffic-pattern",
    confidence: "medium",
  },
  {
    name: "parse errors, failing samples concentrated on one sender",
    signals: {
      ...spiking,
      breakdown: parse96,
      currentRevision: oldRevision,
      sourceDrift: cleanSource,
      failingSenders: { sampled: 10, distinct: 2, top: { sender: "partner-api", count: 9 } },
    },
    cause: "parse-error-traffic-pattern",
    confidence: "high",
    because: /9 of 10 failing samples come from partner-api/,
  },
  {
    name: "parse errors, neither rollout nor source readable",
    signals: { ...spiking, breakdown: parse96 },
    cause: "parse-error-undetermined",
    confidence: "low",
    open: [
      "parse errors from a recent deployment (code bug)",
      "parse errors from a source schema change",
      "parse errors from a new traffic pattern",
    ],
  },
  {
    name: "parse errors, no revisions at all, source unreadable",
    signals: { ...spiking, breakdown: parse96, currentRevision: null },
    cause: "parse-error-undetermined",
    open: ["parse errors from a source schema change", "parse errors from a new traffic pattern"],
  },
  {
    name: "parse_error exactly 80% is not over 80%",
    signals: {
      ...spiking,
      breakdown: [
        { type: "parse_error", count: 80 },
        { type: "timeout", count: 20 },
      ],
    },
    cause: "mixed",
    because: /parse_error is under the 80%/,
  },
  {
    name: "validation errors dominate",
    signals: {
      ...spiking,
      breakdown: [
        { type: "validation_error", count: 850 },
        { type: "parse_error", count: 150 },
      ],
    },
    cause: "validation-error",
    confidence: "high",
  },
  {
    name: "duplicates at 60%: medium, the runner-up stays open",
    signals: {
      ...spiking,
      breakdown: [
        { type: "duplicate", count: 600 },
        { type: "timeout", count: 400 },
      ],
    },
    cause: "duplicate",
    confidence: "medium",
    open: ["enrichment timeouts"],
  },
  {
    name: "timeouts dominate",
    signals: { ...spiking, breakdown: [{ type: "timeout", count: 900 }] },
    cause: "timeout",
  },
  {
    name: "external API errors dominate",
    signals: { ...spiking, breakdown: [{ type: "external_api_error", count: 900 }] },
    cause: "external-api-error",
  },
  {
    name: "an error type the runbook does not know",
    signals: { ...spiking, breakdown: [{ type: "serialization_error", count: 900 }] },
    cause: "unknown",
    because: /not an error type the runbook knows/,
  },
  {
    name: "no dominant type",
    signals: {
      ...spiking,
      breakdown: [
        { type: "parse_error", count: 45 },
        { type: "validation_error", count: 35 },
        { type: "timeout", count: 20 },
      ],
    },
    cause: "mixed",
    confidence: "low",
    open: ["parse errors", "validation failures (business rule)", "enrichment timeouts"],
  },
  {
    name: "rate unknown still classifies from the breakdown",
    signals: { breakdown: [{ type: "duplicate", count: 900 }] },
    cause: "duplicate",
  },
];

describe("diagnoseDlq", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseDlq({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    if (c.confidence) expect(d.confidence).toBe(c.confidence);
    if (c.open) expect(d.openBranches).toEqual(c.open);
    if (c.because) expect(d.because).toMatch(c.because);
    expect(d.evidence.length).toBeGreaterThan(0);
  });
});

describe("deployedShortlyBefore", () => {
  it.each([
    [30, true],
    [31, false],
    [0, true],
    [-1, true],
    [-2, false],
  ])("a rollout %i min before the spike -> %s", (minutes, expected) => {
    expect(deployedShortlyBefore({ ...newRevision, createdAt: minutesBefore(SPIKE, minutes) }, SPIKE)).toBe(
      expected,
    );
  });
});
