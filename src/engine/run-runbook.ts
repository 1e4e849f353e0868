/**
 * Runs a runbook: steps in order, the probes within a step in parallel, each step assessed by the
 * runbook's pure function as soon as its probes are in, and reported to the observer live.
 */
import type { AppConfig } from "../config/schema.ts";
import { finding, worstSeverity } from "../core/finding.ts";
import type {
  Conclusion,
  ProbeResult,
  ProbeResults,
  Runbook,
  RunReport,
  StepAssessment,
  StepReport,
} from "../core/runbook.ts";
import type { Ports } from "../ports/index.ts";
import { noTelemetry, SYSTEM_OF_PORT, type Telemetry } from "../ports/telemetry.ts";
import { probeProblem } from "./probe-problems.ts";
import { errorMessage, runProbe } from "./run-probe.ts";

export interface RunObserver {
  onStepStarted?(info: { index: number; total: number; stepId: string; title: string }): void | Promise<void>;
  onStepCompleted?(info: { index: number; total: number; report: StepReport }): void | Promise<void>;
}

export interface RunRunbookOptions {
  readonly ports: Ports;
  readonly config: AppConfig;
  readonly observer?: RunObserver;
  /** Step and run durations, probe errors by system. */
  readonly telemetry?: Telemetry;
}

export async function runRunbook(runbook: Runbook, options: RunRunbookOptions): Promise<RunReport> {
  const { ports, config, observer } = options;
  const telemetry = options.telemetry ?? noTelemetry;
  const runStarted = performance.now();
  const startedAt = ports.clock.now();
  const results: Record<string, ProbeResult> = {};
  const assessments: StepAssessment[] = [];
  const reports: StepReport[] = [];
  const total = runbook.steps.length;

  for (const [index, step] of runbook.steps.entries()) {
    await notify(() => observer?.onStepStarted?.({ index, total, stepId: step.id, title: step.title }));
    const stepStarted = performance.now();
    const settled = await Promise.all(
      step.probes.map(async (p) => {
        const result = await runProbe(p, {
          ports,
          config,
          startedAt,
          prior: { ...results },
          defaultTimeoutMs: config.runbooks.probeTimeoutSeconds * 1000,
        });
        return [p, result] as const;
      }),
    );
    for (const [p, result] of settled) {
      results[p.id] = result;
      if (result.status === "failed" || result.status === "timeout")
        telemetry.probeError(
          p.needs[0] === undefined ? "internal" : SYSTEM_OF_PORT[p.needs[0]],
          result.status,
        );
    }

    const problems = settled.flatMap(([p, result]) => {
      const f = probeProblem(p, result, ports);
      return f ? [f] : [];
    });
    const assessed = safeAssess(() => step.assess(results as ProbeResults, config));
    const findings = [...assessed.findings, ...problems];
    const assessment: StepAssessment = {
      status: worstSeverity([assessed.status, ...problems.map((f) => f.severity)]),
      summary: assessed.summary,
      findings,
    };
    assessments.push(assessment);
    const report: StepReport = {
      id: step.id,
      title: step.title,
      status: assessment.status,
      summary: assessment.summary,
      findings,
      durationMs: Math.round(performance.now() - stepStarted),
      ...(step.budgetSeconds === undefined ? {} : { budgetSeconds: step.budgetSeconds }),
    };
    reports.push(report);
    telemetry.stepFinished(runbook.meta.id, step.id, report.status, (performance.now() - stepStarted) / 1000);
    await notify(() => observer?.onStepCompleted?.({ index, total, report }));
  }

  const conclusion = safeConclude(() => runbook.conclude(results, assessments, config));
  telemetry.runbookFinished(runbook.meta.id, conclusion.severity, (performance.now() - runStarted) / 1000);
  return {
    runbook: runbook.meta.id,
    title: runbook.meta.title,
    startedAt: startedAt.toISOString(),
    finishedAt: ports.clock.now().toISOString(),
    steps: reports,
    conclusion,
  };
}

/** An observer that fails (Slack down) must not stop the diagnosis. */
async function notify(fn: () => void | Promise<void> | undefined): Promise<void> {
  try {
    await fn();
  } catch {
    // The observer reports its own failures; the run goes on.
  }
}

function safeAssess(fn: () => StepAssessment): StepAssessment {
  try {
    return fn();
  } catch (error) {
    return {
      status: "error",
      summary: "The bot could not interpret this step's results.",
      findings: [
        finding("error", "Internal error while assessing this step", { detail: errorMessage(error) }),
      ],
    };
  }
}

function safeConclude(fn: () => Conclusion): Conclusion {
  try {
    return fn();
  } catch (error) {
    return {
      summary: `The bot could not reach a conclusion: ${errorMessage(error)}`,
      severity: "error",
      suggestedActions: [],
    };
  }
}
