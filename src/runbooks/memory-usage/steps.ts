/** The memory-usage runbook's steps, named as in the seed, each with a pure assess. */
import { resultsOf, type StepSpec } from "../../core/runbook.ts";
import { assessAssess } from "./assess-step.ts";
import { assessCause } from "./cause-step.ts";
import { assessFixByCause } from "./fix-by-cause-step.ts";
import { assessMitigation } from "./mitigation-step.ts";
import {
  bufferUsageProbe,
  lastCheckpointProbe,
  memoryTrendProbe,
  podsProbe,
  podUsageProbe,
  stateSizeProbe,
  stateVolumeProbe,
  taskmanagerMemoryProbe,
  windowEmitsProbe,
} from "./probes.ts";
import { assessVerify } from "./verify-step.ts";

const assessProbes = [memoryTrendProbe, taskmanagerMemoryProbe, podUsageProbe, podsProbe];

export const memoryUsageSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessAssess(resultsOf(results, assessProbes), config),
  },
  {
    id: "determine-cause",
    title: "Step 2: Determine Cause",
    budgetSeconds: 120,
    probes: [stateSizeProbe, bufferUsageProbe],
    assess: assessCause,
  },
  {
    id: "fix-by-cause",
    title: "Step 3: Fix Based on Cause",
    probes: [stateVolumeProbe, windowEmitsProbe],
    assess: assessFixByCause,
  },
  {
    id: "mitigation",
    title: "Step 4: Immediate Mitigation",
    probes: [lastCheckpointProbe],
    assess: assessMitigation,
  },
  { id: "verify", title: "Step 5: Verify Fix", probes: [], assess: assessVerify },
];
