/** Static text of the consumer-lag runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import { renderLogQuery } from "../../core/log-queries.ts";
import type { LagDiagnosis } from "./diagnose.ts";

export const ENRICHMENT_QUERY = renderLogQuery("enrichment-latency-per-minute");

export const CAUSE_TITLE: Record<LagDiagnosis["cause"], string> = {
  "below-threshold": "lag is back under the threshold",
  "not-consuming": "the Flink job is not consuming",
  backpressure: "backpressure from Firehose (D)",
  windowing: "windowing: watermark stuck (C)",
  resource: "Flink resource constraint (B)",
  enrichment: "enrichment API slow (A)",
  transient: "temporary spike",
  unknown: "not determined",
};

export const FIX_TEXT: Record<LagDiagnosis["cause"], string> = {
  "below-threshold":
    "No fix needed now: lag is under the threshold. Keep watching it; the alert should clear.",
  "not-consuming":
    "Get the job consuming again: check the Flink job and taskmanager pods (`/runbook checkpoint` for a crashed job). Lag will drain once it runs.",
  backpressure:
    "Fix the downstream first: check Firehose (`/runbook firehose`). Scaling Flink will not help while Firehose refuses data.",
  windowing:
    "Check watermark lag (upstream issue): see `/runbook window`. If records are still arriving, the Flink job is stalled.",
  resource:
    "Scale up task managers (5 min) or increase resources per replica, then increase parallelism to use them (`env.setParallelism(8)` in KafkaStreamingJob.java).",
  enrichment:
    "Enrichment API: add caching (5 min fix), increase the timeout (1 min fix), or scale the enrichment service (contact the backend team).",
  transient: "Monitor: stable lag is a temporary spike. Re-run diagnostics if it starts growing.",
  unknown: "Work the branches by hand: the configured sources did not single out a cause.",
};
