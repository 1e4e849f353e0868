/** The consumer-lag runbook's steps, named as in the seed, each with a pure assess. */
import type { StepSpec } from "../../core/runbook.ts";
import { flinkWatermarksProbe } from "../flink-watermarks.ts";
import { podUsageProbe, scaleProbe } from "../taskmanager-probes.ts";
import { assessLag } from "./assess-step.ts";
import { assessFix } from "./fix-step.ts";
import {
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  flinkBackpressureProbe,
  lagProbe,
  recordsInProbe,
  recordsOutProbe,
  watermarkProbe,
  windowEmitProbe,
} from "./probes.ts";
import { assessRootCause } from "./root-cause-step.ts";
import { assessThroughput } from "./throughput-step.ts";

export const consumerLagSteps: readonly StepSpec[] = [
  { id: "assess", title: "Step 1: Assess", budgetSeconds: 60, probes: [lagProbe], assess: assessLag },
  {
    id: "identify-bottleneck",
    title: "Step 2: Identify bottleneck",
    budgetSeconds: 120,
    probes: [recordsInProbe, recordsOutProbe],
    assess: assessThroughput,
  },
  {
    id: "root-cause",
    title: "Step 3: Root cause",
    budgetSeconds: 300,
    probes: [
      podUsageProbe,
      scaleProbe,
      watermarkProbe,
      flinkWatermarksProbe,
      windowEmitProbe,
      firehoseDeliveryProbe,
      enrichmentLatencyProbe,
      flinkBackpressureProbe,
    ],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Fix", probes: [], assess: assessFix },
];
