/** The checkpoint-duration runbook's steps, named as in the seed, each with a pure assess. */
import { resultsOf, type StepSpec } from "../../core/runbook.ts";
import { assessDuration } from "./assess-step.ts";
import { assessFix } from "./fix-step.ts";
import {
  checkpointConfigProbe,
  checkpointPhasesProbe,
  checkpointSizesProbe,
  compactionLogsProbe,
  durationProbe,
  flinkCheckpointsProbe,
  latencyProbe,
  stateBytesProbe,
} from "./probes.ts";
import { assessRootCause } from "./root-cause-step.ts";
import { assessVerify } from "./verify-step.ts";

const assessProbes = [durationProbe, flinkCheckpointsProbe, checkpointSizesProbe];

export const checkpointDurationSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessDuration(resultsOf(results, assessProbes), config),
  },
  {
    id: "root-cause",
    title: "Step 2: Root Cause",
    budgetSeconds: 120,
    probes: [stateBytesProbe, compactionLogsProbe, checkpointPhasesProbe],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 3: Fix", probes: [checkpointConfigProbe], assess: assessFix },
  { id: "verify", title: "Step 4: Verify", probes: [latencyProbe], assess: assessVerify },
];
