/** Step 1 (Assess): the job and its pods. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { formatDuration, formatUtc } from "../../core/format-units.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { PodInfo } from "../../ports/kubernetes.ts";
import { isJobDown, isRestarting, restartText } from "./diagnose.ts";
import { logBlock } from "./log-blocks.ts";
import { type JobState, jobmanagerPodsProbe, jobProbe, taskmanagerLogsProbe } from "./probes.ts";
import { allPods, checkpointFailureSignals, podTrouble } from "./signals.ts";

export function jobFinding(job: JobState): Finding {
  if (job.job === null) {
    return finding("critical", "Flink lists no job", {
      detail: `${job.noRunningJob ?? "No RUNNING job matched."} The job is not running: checkpoints cannot happen until it is restarted.`,
      evidence:
        job.otherJobs.length === 0
          ? []
          : [
              {
                kind: "table",
                columns: ["JOB", "ID", "STATE", "STARTED"],
                rows: job.otherJobs.map((j) => [
                  j.name,
                  j.id,
                  j.state,
                  j.startTime ? formatUtc(j.startTime) : "-",
                ]),
              },
            ],
    });
  }
  const j = job.job;
  const running = j.state === "RUNNING";
  const notRunningVertices = job.details?.vertices.filter((v) => v.status !== "RUNNING") ?? [];
  return finding(
    running && notRunningVertices.length === 0 ? "ok" : "critical",
    `Job ${j.name} is ${j.state}${running ? ` (up ${formatDuration(j.durationMs)})` : ""}`,
    {
      detail: running
        ? notRunningVertices.length > 0
          ? `${notRunningVertices.length} vertex/vertices not RUNNING: the job is still alive but not all tasks run.`
          : "The job is still running: it keeps processing, but state written since the last completed checkpoint is lost on a restart."
        : `The job is not running (${j.state}): ${job.noRunningJob ?? "Flink reports it so"}. It restarts from the last completed checkpoint.`,
      evidence: [
        {
          kind: "fields",
          fields: [
            { label: "Job id", value: j.id },
            { label: "State", value: j.state },
            { label: "Started", value: j.startTime ? formatUtc(j.startTime) : "-" },
            ...(job.details
              ? [
                  {
                    label: "Vertices",
                    value: job.details.vertices.map((v) => `${v.name}: ${v.status}`).join("; "),
                  },
                ]
              : job.detailsError
                ? [{ label: "Vertices", value: `could not be read: ${job.detailsError}` }]
                : []),
          ],
        },
      ],
    },
  );
}

export function podsFinding(
  pods: readonly PodInfo[],
  config: AppConfig,
  jmRead: boolean,
  jmCount: number,
): Finding {
  const broken = pods.filter((p) => podTrouble(p) !== undefined);
  const restarted = pods.filter((p) => p.restarts > 0);
  const severity = broken.length > 0 ? "critical" : restarted.length > 0 ? "warning" : "ok";
  const title =
    broken.length > 0
      ? `${broken.length} of ${pods.length} Flink pod(s) not running: ${[...new Set(broken.map((p) => podTrouble(p)))].join(", ")}`
      : `${pods.length} Flink pod(s) Running${restarted.length > 0 ? `, ${restarted.length} restarted` : ", no restarts"}`;
  const notes: string[] = [];
  if (broken.length > 0) notes.push("CrashLoopBackOff = the job crashed and keeps crashing.");
  if (jmRead && jmCount === 0) {
    notes.push(
      `No pod matches the jobmanager selector \`${config.pipeline.jobmanagerSelector}\` (set pipeline.jobmanagerSelector if it is labelled otherwise).`,
    );
  }
  return finding(severity, title, {
    ...(notes.length > 0 ? { detail: notes.join(" ") } : {}),
    evidence:
      pods.length === 0
        ? []
        : [
            {
              kind: "table",
              columns: ["POD", "PHASE", "READY", "RESTARTS", "PROBLEM"],
              rows: pods.map((p) => [
                p.name,
                p.phase,
                p.ready ? "yes" : "no",
                String(p.restarts),
                podTrouble(p) ?? p.problem ?? "-",
              ]),
            },
          ],
  });
}

export function assessJob(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const job = read(results, jobProbe);
  if (job) findings.push(jobFinding(job));
  const pods = allPods(results);
  const jm = read(results, jobmanagerPodsProbe);
  if (pods) findings.push(podsFinding(pods, config, jm !== undefined, jm?.length ?? 0));
  const logs = read(results, taskmanagerLogsProbe);
  if (logs) {
    const matched = logs.reduce((a, l) => a + l.matched, 0);
    const block = logBlock(logs);
    findings.push(
      finding("info", `Taskmanager log: ${matched} line(s) mention checkpoints`, {
        detail: `\`kubectl logs -n ${config.pipeline.namespace} -l ${config.pipeline.taskmanagerSelector} --tail=500 | grep -i checkpoint\`, the last lines:`,
        evidence: block ? [block] : [],
      }),
    );
  }
  const signals = checkpointFailureSignals(results, config.pipeline.statePvc);
  const down = isJobDown(signals);
  const stateText =
    job === undefined
      ? "job state unknown"
      : job.job === null
        ? "Flink lists no job"
        : `job ${job.job.name} ${job.job.state}${isRestarting(signals) && signals.restarts ? ` but keeps restarting (${restartText(signals.restarts)})` : signals.restarts && signals.restarts.total > 0 ? ` (numRestarts ${signals.restarts.total})` : ""}`;
  const podText =
    pods === undefined
      ? "pods not read"
      : `${pods.length - (signals.brokenPods?.length ?? 0)} of ${pods.length} Flink pod(s) running`;
  return {
    status: down ? "critical" : job === undefined && pods === undefined ? "error" : "ok",
    summary: `${stateText}; ${podText}${down ? ": the job is down or crash-looping" : ": still running, checkpoints are the problem"}.`,
    findings,
  };
}
