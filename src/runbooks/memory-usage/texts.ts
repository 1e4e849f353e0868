/** Static text of the memory-usage runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { MemoryCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<MemoryCause, string> = {
  "below-threshold": "memory is back under the threshold",
  "state-growth": "state backend growing (B: state not cleared)",
  "backpressure-buffers": "buffers full (C: backpressure)",
  "heap-leak": "memory leak (A: JVM heap growing)",
  spike: "temporary spike (stable level)",
  unknown: "not determined",
};

export const EVICTOR_SNIPPET = [
  "# Fix: Add TTL to state",
  "# File: KafkaStreamingJob.java",
  ".window(TumblingEventTimeWindow.of(Time.minutes(5)))",
  " .trigger(EventTimeTrigger.create())",
  " .evictor(TimeEvictor.of(Time.minutes(5)))  # Clear old data",
].join("\n");

export const TRIGGER_SNIPPET = [
  "# Fix: Check window trigger",
  "# File: KafkaStreamingJob.java",
  ".window(TumblingEventTimeWindow.of(Time.minutes(5)))",
  " .trigger(EventTimeTrigger.create())  # Close window on event time",
].join("\n");

export const GC_SNIPPET = [
  "# Option 2: Increase GC frequency",
  "# File: flink-config.yaml",
  'env.java.opts: "-XX:+UseG1GC -XX:MaxGCPauseMillis=200"',
].join("\n");

export const STATE_TTL_SNIPPET = [
  "# Option 3: Reduce state TTL (clear old data faster)",
  "# File: KafkaStreamingJob.java",
  "StateTtlConfig ttlConfig = StateTtlConfig",
  "  .newBuilder(Time.seconds(3600))  # 1 hour instead of 24 hours",
  "  .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)",
  "  .build();",
].join("\n");

/** Titles and prose of the findings the step shows, by cause (static; the step adds names, numbers and proposals). */
export const FIX_TEXT = {
  "state-growth": {
    title: "Human step: check the window trigger (code change)",
    detail:
      "Likely cause: a window never emitting, so records accumulate in state. Make sure windows close on event time:",
  },
  "backpressure-buffers": {
    title: "Check downstream: buffers are full because the next stage is slow",
    detail:
      "Is Firehose accepting data? Run `/runbook firehose` (delivery failures) and `/runbook lag` (consumer lag: the bottleneck). More memory does not help while downstream refuses data.",
  },
  spike: {
    title: "No fix needed now: monitor",
    detail:
      "Memory is stable: a temporary spike. Re-run `/runbook memory` if it starts growing; at 95% a taskmanager is OOMKilled.",
  },
  unknown: {
    title: "Work the branches by hand",
    detail:
      "Without the memory trend the bot cannot tell a leak from a spike. Read memory_usage_percentage for the last hour (growing = leak, flat = spike):",
  },
} as const;
