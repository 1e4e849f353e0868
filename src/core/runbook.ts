/**
 * A runbook is data plus pure functions: ordered steps of named probes (read-only I/O through
 * ports, each with its own timeout) and a pure `assess` that turns probe results into findings.
 */
import type { AppConfig } from "../config/schema.ts";
import type { PortName, Ports } from "../ports/index.ts";
import type { RunbookMeta } from "./catalog.ts";
import type { Finding, FindingSeverity, Proposal } from "./finding.ts";
import type { RecoveryCheck } from "./verification.ts";

/** What a probe came back with. Failures are values, never exceptions. */
export type ProbeResult<T = unknown> =
  | { readonly status: "ok"; readonly value: T; readonly durationMs: number }
  | { readonly status: "failed"; readonly error: string; readonly durationMs: number }
  | { readonly status: "timeout"; readonly error: string; readonly durationMs: number }
  | { readonly status: "unconfigured"; readonly port: PortName; readonly durationMs: 0 };

/** Results of every probe run so far in this runbook run, by probe id. */
export type ProbeResults = Readonly<Record<string, ProbeResult>>;

export interface ProbeContext {
  readonly ports: Ports;
  readonly config: AppConfig;
  /** Aborted when the probe's timeout passes. */
  readonly signal: AbortSignal;
  /** Time the run started (windows of metric queries end here). */
  readonly startedAt: Date;
  /** Results of earlier steps' probes. */
  readonly prior: ProbeResults;
}

export interface Probe<T = unknown> {
  readonly id: string;
  /** What it checks, for "could not ..." findings: e.g. "read consumer group lag". */
  readonly title: string;
  /** The ports it needs; if one is absent the probe is not run and reports "not configured". */
  readonly needs: readonly PortName[];
  /** Overrides the configured per-probe timeout (a function when it depends on the config). */
  readonly timeoutMs?: number | ((config: AppConfig) => number);
  run(ctx: ProbeContext): Promise<T>;
}

export type StepStatus = FindingSeverity;

export interface StepAssessment {
  readonly status: StepStatus;
  /** One line: what the step found. */
  readonly summary: string;
  readonly findings: readonly Finding[];
}

export interface StepSpec {
  readonly id: string;
  readonly title: string;
  /** The seed's time budget for the step, in seconds (e.g. Assess: 60). */
  readonly budgetSeconds?: number;
  readonly probes: readonly Probe[];
  /** Pure: probe results (this step's and earlier ones) -> what they mean. */
  assess(results: ProbeResults, config: AppConfig): StepAssessment;
}

export type Confidence = "high" | "medium" | "low";

export interface Conclusion {
  readonly summary: string;
  readonly severity: FindingSeverity;
  readonly suggestedActions: readonly Proposal[];
  /** The branch of the runbook the evidence points to (stable id, e.g. "resource", "parse-error-schema-change"). */
  readonly cause?: string;
  /** How sure the bot is: high when the signals agree, low when data is missing or conflicting. */
  readonly confidence?: Confidence;
  /** The evidence behind the conclusion, one short line each. */
  readonly evidence?: readonly string[];
  /** Branches still possible when the bot cannot tell them apart. */
  readonly openBranches?: readonly string[];
}

export interface Runbook {
  readonly meta: RunbookMeta;
  readonly steps: readonly StepSpec[];
  /** The Verify step after a fix: what to watch, and for how long (the engine polls it). */
  readonly verify: RecoveryCheck;
  /** Pure: every probe result and step assessment -> the conclusion shown at the top. */
  conclude(results: ProbeResults, steps: readonly StepAssessment[], config: AppConfig): Conclusion;
}

/** One step as reported (the JSON contract of `diagnose --json`). */
export interface StepReport {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
  readonly summary: string;
  readonly findings: readonly Finding[];
  readonly durationMs: number;
  readonly budgetSeconds?: number;
}

export interface RunReport {
  readonly runbook: string;
  readonly title: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly steps: readonly StepReport[];
  readonly conclusion: Conclusion;
}

/**
 * The value of a probe that succeeded, typed by the probe itself: `read(results, lagProbe)`.
 * Keyed by the probe definition, not its id string, so a misspelt probe is a compile error.
 */
export function read<T>(results: ProbeResults, p: Probe<T>): T | undefined {
  const r = results[p.id];
  return r?.status === "ok" ? (r.value as T) : undefined;
}

/** The raw result of a probe (status, error, value), typed by the probe; undefined when it did not run. */
export function resultOf<T>(results: ProbeResults, p: Probe<T>): ProbeResult<T> | undefined {
  return results[p.id] as ProbeResult<T> | undefined;
}

/**
 * The results of these probes only. A step whose assess runs a whole-runbook reading (signals, a
 * diagnosis) hands it this, so the step reads nothing a later step declares (their probes have not
 * run yet: reading them would only ever give "not read").
 */
export function resultsOf(results: ProbeResults, probes: readonly Probe[]): ProbeResults {
  const out: Record<string, ProbeResult> = {};
  for (const p of probes) {
    const r = results[p.id];
    if (r !== undefined) out[p.id] = r;
  }
  return out;
}

export function probe<T>(spec: Probe<T>): Probe<T> {
  return spec;
}

export type { Ports };
