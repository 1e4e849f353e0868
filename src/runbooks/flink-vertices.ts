/**
 * A per-vertex read of the configured Flink job (watermarks, back pressure, ...): the job found by
 * its configured name, its vertices, and one read per vertex, all at once.
 */
import type { ProbeContext } from "../core/runbook.ts";
import type { FlinkJobSummary, FlinkPort, FlinkVertex } from "../ports/flink.ts";

export async function readEachVertex<T>(
  { ports, config }: Pick<ProbeContext, "ports" | "config">,
  read: (flink: FlinkPort, jobId: string, vertex: FlinkVertex) => Promise<T>,
): Promise<{ readonly job: FlinkJobSummary; readonly vertices: T[] }> {
  const flink = ports.flink!;
  const job = await flink.findJob(config.flink?.jobName);
  const details = await flink.jobDetails(job.id);
  const vertices = await Promise.all(details.vertices.map((v) => read(flink, job.id, v)));
  return { job, vertices };
}
