/** The assessment of a step whose probes gave nothing: not configured (a choice) or could not be read (a failure). */
import { type Probe, type ProbeResults, resultOf, type StepAssessment } from "../core/runbook.ts";

/**
 * "Not checked: <port> is not configured." when every one of `probes` was skipped for a missing
 * port, else an error with `failed` (e.g. "Consumer group lag could not be read.").
 */
export function unreadStep(
  results: ProbeResults,
  probes: readonly Probe[],
  port: string,
  failed: string,
): StepAssessment {
  const unconfigured = probes.every((p) => resultOf(results, p)?.status === "unconfigured");
  return unconfigured
    ? { status: "info", summary: `Not checked: ${port} is not configured.`, findings: [] }
    : { status: "error", summary: failed, findings: [] };
}
