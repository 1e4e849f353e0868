/** The kafka-broker-down runbook's steps, named as in the seed, each with a pure assess. */
import type { StepSpec } from "../../core/runbook.ts";
import { assessAction } from "./action-step.ts";
import { assessBrokers } from "./brokers-step.ts";
import {
  groupLagProbe,
  kafkaClusterProbe,
  mskClusterProbe,
  partitionHealthProbe,
  roundTripProbe,
} from "./probes.ts";
import { assessPostIncident, assessVerify } from "./verify-step.ts";

export const kafkaBrokerDownSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [mskClusterProbe, kafkaClusterProbe, partitionHealthProbe, roundTripProbe],
    assess: assessBrokers,
  },
  { id: "action", title: "Step 2: Action", probes: [], assess: assessAction },
  {
    id: "verify",
    title: "Step 3: Verify Cluster Health",
    probes: [groupLagProbe],
    assess: assessVerify,
  },
  { id: "post-incident", title: "Step 4: Post-Incident", probes: [], assess: assessPostIncident },
];
