/** The checkpoint-failure runbook's steps, named as in the seed, each with a pure assess. */
import { resultsOf, type StepSpec } from "../../core/runbook.ts";
import { assessJob } from "./assess-step.ts";
import { assessFailureType } from "./failure-type-step.ts";
import { assessFix } from "./fix-step.ts";
import { assessPostIncident } from "./post-incident-step.ts";
import {
  checkpointConfigProbe,
  checkpointsProbe,
  exceptionsProbe,
  jobmanagerLogProbe,
  jobmanagerLogsProbe,
  jobmanagerPodsProbe,
  jobProbe,
  taskmanagerLogsProbe,
  taskmanagerPodsProbe,
  volumeClaimProbe,
  volumeUsageProbe,
  workloadProbe,
} from "./probes.ts";
import { assessVerify } from "./verify-step.ts";

export { CAUSE_TITLE, diagnosisOf } from "./cause.ts";

export {
  assessFix,
  deletePodsProposal,
  growPvcProposal,
  proposedTimeoutMs,
  whereToLook,
} from "./fix-step.ts";
export { FIX_LINE, iamPolicyDocument } from "./texts.ts";

const assessProbes = [jobProbe, taskmanagerPodsProbe, jobmanagerPodsProbe, taskmanagerLogsProbe];

const failureTypeProbes = [checkpointsProbe, exceptionsProbe, jobmanagerLogsProbe, jobmanagerLogProbe];

export const checkpointFailureSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessJob(resultsOf(results, assessProbes), config),
  },
  {
    id: "identify-failure-type",
    title: "Step 2: Identify Failure Type",
    budgetSeconds: 120,
    probes: failureTypeProbes,
    // Its signals are read from the probes of Steps 1-2 only: the later steps' have not run yet.
    assess: (results, config) =>
      assessFailureType(resultsOf(results, [...assessProbes, ...failureTypeProbes]), config),
  },
  {
    id: "common-fixes",
    title: "Step 3: Common Fixes",
    probes: [volumeUsageProbe, volumeClaimProbe, checkpointConfigProbe, workloadProbe],
    assess: assessFix,
  },
  { id: "verify-fix", title: "Step 4: Verify Fix", probes: [], assess: assessVerify },
  { id: "post-incident", title: "Step 5: Post-Incident", probes: [], assess: assessPostIncident },
];
