/** The dlq-spike runbook's steps, named as in the seed, each with a pure assess. */
import type { StepSpec } from "../../core/runbook.ts";
import { assessClassify } from "./classify-step.ts";
import { assessFix } from "./fix-step.ts";
import {
  breakdownProbe,
  dlqRateProbe,
  parseSamplesProbe,
  recentErrorsProbe,
  rolloutHistoryProbe,
  sourceSampleProbe,
  validationSamplesProbe,
  verifyErrorsProbe,
} from "./probes.ts";
import { assessRate } from "./rate-step.ts";
import { assessRootCause } from "./root-cause-step.ts";
import { assessPostIncident, assessVerify } from "./verify-step.ts";

export const dlqSpikeSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [dlqRateProbe, recentErrorsProbe, rolloutHistoryProbe],
    assess: assessRate,
  },
  {
    id: "classify",
    title: "Step 2: Classify",
    budgetSeconds: 120,
    probes: [breakdownProbe],
    assess: assessClassify,
  },
  {
    id: "root-cause",
    title: "Step 3: Root Cause",
    budgetSeconds: 300,
    probes: [parseSamplesProbe, sourceSampleProbe, validationSamplesProbe],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Immediate Fix", budgetSeconds: 120, probes: [], assess: assessFix },
  {
    id: "verify",
    title: "Step 5: Verify",
    budgetSeconds: 120,
    probes: [verifyErrorsProbe],
    assess: assessVerify,
  },
  {
    id: "post-incident",
    title: "Step 6: Post-Incident",
    budgetSeconds: 300,
    probes: [],
    assess: assessPostIncident,
  },
];
