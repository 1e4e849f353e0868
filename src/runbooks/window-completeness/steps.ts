/** The window-completeness runbook's steps, named as in the seed, each with a pure assess. */
import { resultsOf, type StepSpec } from "../../core/runbook.ts";
import { assessCompleteness } from "./assess-step.ts";
import { assessFix } from "./fix-step.ts";
import {
  completenessProbe,
  flinkWatermarksProbe,
  lateArrivalsProbe,
  latestCheckpointProbe,
  recordsInProbe,
  sourceNewestProbe,
  stateReadsProbe,
  watermarkLagProbe,
  windowEmitsProbe,
  windowRecordsProbe,
  windowsSinceProbe,
} from "./probes.ts";
import { assessRootCause } from "./root-cause-step.ts";
import { assessTypeOfLoss } from "./type-of-loss-step.ts";
import { assessVerify } from "./verify-step.ts";

export const windowCompletenessSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [completenessProbe],
    assess: assessCompleteness,
  },
  {
    id: "type-of-loss",
    title: "Step 2: Determine Type of Loss",
    budgetSeconds: 120,
    probes: [windowRecordsProbe],
    // Its signals are read from the probes of Steps 1-2 only: the later steps' have not run yet.
    assess: (results, config) =>
      assessTypeOfLoss(resultsOf(results, [completenessProbe, windowRecordsProbe]), config),
  },
  {
    id: "root-cause",
    title: "Step 3: Root Cause",
    probes: [
      lateArrivalsProbe,
      watermarkLagProbe,
      sourceNewestProbe,
      flinkWatermarksProbe,
      stateReadsProbe,
      recordsInProbe,
      windowEmitsProbe,
      latestCheckpointProbe,
    ],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Fix Based on Root Cause", probes: [], assess: assessFix },
  { id: "verify", title: "Step 5: Verify", probes: [windowsSinceProbe], assess: assessVerify },
];
