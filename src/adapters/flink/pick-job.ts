/** Which job the runbooks work on, from the jobs Flink lists. Pure; shared with the simulated adapter. */
import { FlinkError, type FlinkJobSummary } from "../../ports/flink.ts";

/** "The" job among `jobs` (see FlinkPort.findJob). */
export function pickJob(
  jobs: readonly FlinkJobSummary[],
  name: string | undefined,
  target: string,
): FlinkJobSummary {
  const newestFirst = [...jobs].sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
  const listing = (list: readonly FlinkJobSummary[]) =>
    list.length === 0 ? "no jobs at all" : list.map((j) => `${j.name} ${j.state}`).join(", ");
  if (name !== undefined) {
    const named = newestFirst.filter((j) => j.name === name);
    const running = named.filter((j) => j.state === "RUNNING");
    if (running.length > 1) {
      throw new FlinkError(
        "ambiguous-job",
        `${running.length} RUNNING jobs are named "${name}" on ${target} (${running.map((j) => j.id).join(", ")})`,
      );
    }
    const job = running[0] ?? named[0];
    if (job === undefined) {
      throw new FlinkError("no-job", `no job named "${name}" on ${target} (${listing(newestFirst)})`);
    }
    return job;
  }
  const running = newestFirst.filter((j) => j.state === "RUNNING");
  if (running.length === 1 && running[0] !== undefined) return running[0];
  if (running.length === 0) {
    throw new FlinkError("no-job", `no RUNNING job on ${target} (${listing(newestFirst)})`);
  }
  throw new FlinkError(
    "ambiguous-job",
    `${running.length} RUNNING jobs on ${target} (${running.map((j) => j.name).join(", ")}); configure the job name to pick one`,
  );
}
