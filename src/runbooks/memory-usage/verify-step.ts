/** Step 5 (Verify Fix). */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import type { ProbeResults, StepAssessment } from "../../core/runbook.ts";
import { fmtPct } from "./diagnose.ts";
import { fullestPod, memorySignals } from "./signals.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const s = memorySignals(results, config);
  const pod = fullestPod(results) ?? `${config.pipeline.taskmanagerDeployment}-0`;
  const { namespace, taskmanagerSelector } = config.pipeline;
  return {
    status: "info",
    summary: `Memory should stabilize or decrease after the fix (now ${s.latestPercent === undefined ? "unknown" : fmtPct(s.latestPercent)}); re-run \`/runbook memory\` to compare.`,
    findings: [
      finding("info", "Monitor the memory trend after the fix", {
        detail:
          "Memory should stabilize or decrease. If it is a leak, GC pauses increase while memory decreases. Once stable, investigate the root cause offline: do not just scale memory forever.",
        evidence: [
          {
            kind: "code",
            text: [
              `watch -n 60 'kubectl top pod -n ${namespace} -l ${taskmanagerSelector}'`,
              "# If leak: GC should free memory",
              `kubectl exec -n ${namespace} ${pod} -- jstat -gc 1 1000 | tail -10`,
            ].join("\n"),
          },
        ],
      }),
    ],
  };
}
