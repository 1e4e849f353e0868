/** The firehose-delivery-failure runbook's steps, named as in the seed, each with a pure assess. */
import type { StepSpec } from "../../core/runbook.ts";
import { assessCause } from "./cause-step.ts";
import {
  deliveredRecordsProbe,
  deliverySuccessProbe,
  errorLogProbe,
  recordsOutProbe,
  streamProbe,
} from "./probes.ts";
import { assessStream } from "./stream-step.ts";
import { assessPostIncident, assessVerify } from "./verify-step.ts";

export const firehoseDeliveryFailureSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [streamProbe, deliveredRecordsProbe, deliverySuccessProbe],
    assess: assessStream,
  },
  {
    id: "identify-cause",
    title: "Step 2: Identify Failure Cause",
    budgetSeconds: 120,
    probes: [errorLogProbe],
    assess: assessCause,
  },
  { id: "verify", title: "Step 3: Verify Fix", probes: [], assess: assessVerify },
  {
    id: "post-incident",
    title: "Step 4: Post-Incident",
    probes: [recordsOutProbe],
    assess: assessPostIncident,
  },
];
