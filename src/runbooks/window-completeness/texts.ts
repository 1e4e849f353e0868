/** Static text of the window-completeness runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { CompletenessCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<CompletenessCause, string> = {
  recovered: "completeness is back over the threshold",
  "watermark-stuck": "watermark stuck: Flink is stalled (B)",
  "source-idle": "watermark stuck because the source stopped sending (upstream)",
  "window-not-fired": "window never triggered (D)",
  "state-backend-loss": "state backend lost records (C)",
  "late-arrivals": "late arrivals beyond the allowed lateness (A)",
  unknown: "not determined",
};

/** The seed's fix per cause: its title, its prose and its code snippet where they are static (the step adds names, times and proposals). */
export const FIX_TEXT = {
  "late-arrivals": {
    title: "Late arrivals: increase allowedLateness (code change)",
    detail:
      "A code change for a human: accept records up to 10 minutes late. This increases correctness but also latency. If the source system is delaying messages, raise it with its owners too.",
    snippet:
      "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.allowedLateness(Time.minutes(10))  // accept records 10 min late",
  },
  "watermark-stuck": {
    title: "Watermark stuck: restart Flink",
    detail:
      "Restarting the taskmanagers resets the watermark to current time; the job restores from its latest checkpoint. Check the taskmanager logs for what it is stuck on first if you can:",
  },
  "source-idle": {
    title: "Source idle: an upstream issue, not Flink",
    snippet:
      "// KafkaStreamingJob.java\nWatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofSeconds(30))\n    .withIdleness(Duration.ofMinutes(1))",
  },
  "state-backend-loss": { title: "State corruption: restore from the latest checkpoint" },
  "window-not-fired": {
    title: "Window trigger bug: fix the trigger logic (code change)",
    detail:
      "A code change for a human: if the job uses a custom trigger, revert to the standard EventTimeTrigger. A restart does not fix a trigger bug.",
    snippet:
      "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.trigger(EventTimeTrigger.create())  // instead of the custom trigger",
  },
  recovered: {
    title: "No fix needed now",
    detail:
      "Completeness is back over the threshold; the alert should clear. Step 5 checks windows keep emitting.",
  },
  unknown: {
    title: "Work the branches by hand",
    detail: "The configured sources did not single out a cause: see the queries in Steps 2 and 3.",
  },
} as const satisfies Record<CompletenessCause, { title: string; detail?: string; snippet?: string }>;
