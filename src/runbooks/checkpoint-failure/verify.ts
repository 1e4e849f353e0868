/** Verify (seed Step 4): the next checkpoint completes, and none fails after the fix. */
import { formatUtcClock } from "../../core/format-units.ts";
import type { RecoveryCheck } from "../../core/verification.ts";

/** Flink's failure texts carry whole stack traces: the first line, without its final period. */
function firstLine(text: string | null): string {
  const line = (text ?? "no reason given").split("\n")[0]!.trim().replace(/\.+$/, "");
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

export const checkpointFailureRecovery: RecoveryCheck = {
  watches: "the job's checkpoints",
  recoveredWhen: () => "a checkpoint triggered after the fix completed, and none failed since",
  withinMinutes: 5,
  everySeconds: 30,
  needs: ["flink"],
  nextStep:
    "re-run `/runbook checkpoint` for the newest failure text; trigger a checkpoint by hand to see its error at once.",
  async read({ ports, config, since }) {
    const flink = ports.flink!;
    const job = await flink.findJob(config.flink?.jobName);
    const stats = await flink.checkpoints(job.id);
    const after = (at: Date | null | undefined) => at != null && at.getTime() >= since.getTime();
    const failed = stats.history.filter((c) => c.status === "FAILED" && after(c.triggerTime));
    const latestFailed = stats.latest.failed;
    if (latestFailed && after(latestFailed.triggerTime) && !failed.some((c) => c.id === latestFailed.id))
      failed.push(latestFailed);
    const completed = stats.latest.completed;
    if (failed.length > 0) {
      const newest = failed.reduce((a, b) => (a.id > b.id ? a : b));
      return {
        recovered: false,
        value: failed.length,
        text: `checkpoint ${newest.id} failed at ${formatUtcClock(newest.triggerTime)} after the fix: ${firstLine(newest.failureMessage)}`,
      };
    }
    if (completed && after(completed.triggerTime)) {
      return {
        recovered: true,
        value: 0,
        text: `checkpoint ${completed.id} completed (triggered ${formatUtcClock(completed.triggerTime)}), none failed since the fix`,
      };
    }
    return {
      recovered: false,
      value: 0,
      text: `no checkpoint has completed since the fix yet (job ${job.state}; newest completed: ${completed ? `${completed.id} at ${formatUtcClock(completed.triggerTime)}` : "none"})`,
    };
  },
};
