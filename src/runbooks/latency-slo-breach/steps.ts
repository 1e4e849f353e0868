/** The latency-slo-breach runbook's steps, named as in the seed, each with a pure assess. */
import type { StepSpec } from "../../core/runbook.ts";
import { podUsageProbe, scaleProbe } from "../taskmanager-probes.ts";
import { assessDrillDown } from "./drill-down-step.ts";
import { assessFix } from "./fix-step.ts";
import { assessOperators } from "./operators-step.ts";
import { assessPercentiles } from "./percentiles-step.ts";
import {
  backpressureProbe,
  bufferUsageProbe,
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  firehoseStreamProbe,
  operatorLatencyProbe,
  percentilesProbe,
  slowEnrichmentProbe,
} from "./probes.ts";
import { assessVerify } from "./verify-step.ts";

export const latencySloBreachSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [percentilesProbe],
    assess: assessPercentiles,
  },
  {
    id: "slow-operator",
    title: "Step 2: Identify Which Operator is Slow",
    budgetSeconds: 120,
    probes: [operatorLatencyProbe],
    assess: assessOperators,
  },
  {
    id: "drill-down",
    title: "Step 3: Drill Into Slow Operator",
    budgetSeconds: 120,
    probes: [
      enrichmentLatencyProbe,
      slowEnrichmentProbe,
      firehoseDeliveryProbe,
      backpressureProbe,
      bufferUsageProbe,
      podUsageProbe,
      scaleProbe,
      firehoseStreamProbe,
    ],
    assess: assessDrillDown,
  },
  { id: "fix", title: "Step 4: Fix", probes: [], assess: assessFix },
  { id: "verify", title: "Step 5: Verify", probes: [], assess: assessVerify },
];
