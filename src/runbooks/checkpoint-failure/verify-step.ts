/** Step 4 (Verify Fix): a checkpoint triggered and watched. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { formatDuration } from "../../core/format-units.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { diagnosisOf } from "./cause.ts";
import { checkpointConfigProbe, checkpointsProbe, jobProbe } from "./probes.ts";

export function triggerProposal(results: ProbeResults): Proposal | undefined {
  const job = read(results, jobProbe)?.job;
  const jobId = job?.id ?? read(results, checkpointsProbe)?.jobId;
  if (jobId === undefined || (job != null && job.state !== "RUNNING")) return undefined;
  return { action: "trigger-checkpoint", label: "Trigger a checkpoint", params: { jobId } };
}

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const checkpoints = read(results, checkpointsProbe);
  const cfg = read(results, checkpointConfigProbe);
  const proposal =
    diagnosis.cause === "recovered" || diagnosis.cause === "job-down" ? undefined : triggerProposal(results);
  const nextId = checkpoints ? Math.max(0, ...checkpoints.stats.history.map((c) => c.id)) + 1 : undefined;
  const jobId = checkpoints?.jobId ?? "<job-id>";
  const interval = cfg ? formatDuration(cfg.intervalMs) : "one checkpoint interval";
  const success = `Success: Flink reports the triggered checkpoint${nextId === undefined ? "" : ` (${nextId} or later)`} COMPLETED and the jobmanager logs "Completed checkpoint ${nextId ?? "N"} for job ${jobId} (... bytes, checkpointDuration=... ms)"; then the next periodic checkpoint, within ${interval}, completes too. Failure: the same message as in Step 2 comes back.`;
  const findings: Finding[] = [];
  if (diagnosis.cause === "recovered") {
    findings.push(finding("ok", "Already verified: the newest checkpoint completed", { detail: success }));
  } else if (diagnosis.cause === "job-down") {
    findings.push(
      finding("info", "Verify once the job runs again", {
        detail: `A checkpoint can only be triggered on a RUNNING job. ${success}`,
      }),
    );
  } else {
    findings.push(
      finding("info", "After the fix: trigger a checkpoint", {
        detail: success,
        evidence: [
          {
            kind: "code",
            text: `# by hand (Flink 1.17+; the REST port is 8081, not 6123 as in the seed)\nkubectl port-forward -n ${config.pipeline.namespace} svc/flink-jobmanager 8081:8081 &\ncurl -X POST http://localhost:8081/jobs/${jobId}/checkpoints`,
          },
        ],
        proposals: proposal ? [proposal] : [],
      }),
    );
  }
  return {
    status: "info",
    summary: proposal ? "Proposed: Trigger a checkpoint once the fix is in." : findings[0]!.title,
    findings,
  };
}
