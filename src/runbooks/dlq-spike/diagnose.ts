/**
 * The deciding logic of the dlq-spike runbook, pure: signals in, likely cause out.
 *
 * Step 2 of the seed classifies the DLQ by error_type; Step 3 digs into parse_error when it is over
 * 80% of the DLQ and names three likely causes: a recent deployment (code bug: roll back), a source
 * schema change (parser fix) or a new traffic pattern (add validation). The other error types each
 * point somewhere (validation rules, dedup window, enrichment service, downstream API).
 */
import type { Confidence } from "../../core/runbook.ts";
import type { RolloutRevision } from "../../ports/kubernetes.ts";
import { describeDrift, type SchemaDrift, type SenderConcentration, sourceDrifted } from "./schema-drift.ts";

export type DlqCause =
  | "below-threshold"
  | "parse-error-deployment"
  | "parse-error-schema-change"
  | "parse-error-traffic-pattern"
  | "parse-error-undetermined"
  | "validation-error"
  | "duplicate"
  | "timeout"
  | "external-api-error"
  | "mixed"
  | "unknown";

/** The seed: "If parse_error is >80% of DLQ". */
export const PARSE_ERROR_SHARE = 0.8;
/** Another error type explains the spike when it is at least half of the DLQ. */
export const DOMINANT_SHARE = 0.5;
/** A rollout this long before the spike began counts as "a recent deployment". */
export const RECENT_DEPLOY_MINUTES = 30;
/** The seed's Step 5: "DLQ rate return to <10/min". */
export const VERIFY_RATE_PER_MINUTE = 10;

export interface ErrorTypeCount {
  readonly type: string;
  readonly count: number;
}

export interface RevisionRef {
  readonly revision: number;
  readonly createdAt: Date;
  readonly images: readonly string[];
  readonly changeCause: string | null;
}

export interface DlqSignals {
  readonly threshold: number;
  /** The run's time (when the spike start is unknown, deployments are judged against it). */
  readonly now: Date;
  /** DLQRecordCount of the latest minute. */
  readonly latestRate?: number;
  /** First minute of the current run above the threshold. */
  readonly spikeStart?: Date;
  /** DLQ records by error_type over the last 10 minutes, most first; undefined when not read. */
  readonly breakdown?: readonly ErrorTypeCount[];
  /** The deployment's current revision; null when it has none; undefined when not read. */
  readonly currentRevision?: RevisionRef | null;
  /** The newest source records against the expected fields; undefined when not read. */
  readonly sourceDrift?: SchemaDrift;
  /** Who the parse_error samples come from. */
  readonly failingSenders?: SenderConcentration;
}

export interface DlqDiagnosis {
  readonly cause: DlqCause;
  /** Why, in one sentence with the numbers. */
  readonly because: string;
  readonly confidence: Confidence;
  /** The evidence behind it, one short line each. */
  readonly evidence: readonly string[];
  /** Branches still possible when the signals cannot tell them apart. */
  readonly openBranches: readonly string[];
  /** Share of the top error type, when the breakdown was read. */
  readonly topType?: ErrorTypeCount & { readonly share: number };
  /** A recent rollout (set when one happened shortly before the spike). */
  readonly recentRevision?: RevisionRef;
}

export const BRANCH_TITLE: Record<DlqCause, string> = {
  "below-threshold": "DLQ rate is back under the threshold",
  "parse-error-deployment": "parse errors from a recent deployment (code bug)",
  "parse-error-schema-change": "parse errors from a source schema change",
  "parse-error-traffic-pattern": "parse errors from a new traffic pattern",
  "parse-error-undetermined": "parse errors, origin not determined",
  "validation-error": "validation failures (business rule)",
  duplicate: "duplicates (dedup window)",
  timeout: "enrichment timeouts",
  "external-api-error": "downstream API errors",
  mixed: "several error types at once",
  unknown: "not determined",
};

const TYPE_CAUSE: Readonly<Record<string, DlqCause>> = {
  validation_error: "validation-error",
  duplicate: "duplicate",
  timeout: "timeout",
  external_api_error: "external-api-error",
};

/** What each error type indicates (the seed's Step 2 list). */
export const ERROR_TYPE_MEANING: Readonly<Record<string, string>> = {
  parse_error: "JSON is malformed → check the source data schema",
  validation_error: "a required field is missing → check the business logic rules",
  duplicate: "this order_id was already seen → check the dedup window",
  timeout: "the external API did not respond → check the enrichment service",
  external_api_error: "the API returned an error → check the downstream service's logs",
};

export function totalOf(breakdown: readonly ErrorTypeCount[]): number {
  return breakdown.reduce((a, b) => a + b.count, 0);
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function hhmm(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

/** The rollout counts as the likely culprit when it landed up to 30 min before the spike (or in its first minute). */
export function deployedShortlyBefore(rev: RevisionRef, spikeStart: Date): boolean {
  const delta = spikeStart.getTime() - rev.createdAt.getTime();
  return delta >= -60_000 && delta <= RECENT_DEPLOY_MINUTES * 60_000;
}

export function diagnoseDlq(s: DlqSignals): DlqDiagnosis {
  const rateLine =
    s.latestRate === undefined
      ? "DLQ rate unknown (DLQRecordCount not read)"
      : `DLQ rate ${Math.round(s.latestRate)}/min (threshold ${s.threshold}/min)`;
  if (s.latestRate !== undefined && s.latestRate <= s.threshold) {
    return {
      cause: "below-threshold",
      because: `the DLQ received ${Math.round(s.latestRate)} records in the latest minute, at or under the ${s.threshold}/min threshold`,
      confidence: "high",
      evidence: [rateLine],
      openBranches: [],
    };
  }
  const breakdown = s.breakdown;
  const total = breakdown === undefined ? 0 : totalOf(breakdown);
  if (breakdown === undefined || total === 0) {
    return {
      cause: "unknown",
      because:
        breakdown === undefined
          ? "the DLQ breakdown by error_type could not be read"
          : "the logs show no DLQ records by error_type in the last 10 minutes",
      confidence: "low",
      evidence: [rateLine],
      openBranches: [
        BRANCH_TITLE["parse-error-deployment"],
        BRANCH_TITLE["parse-error-schema-change"],
        BRANCH_TITLE["validation-error"],
        BRANCH_TITLE.duplicate,
        BRANCH_TITLE.timeout,
        BRANCH_TITLE["external-api-error"],
      ],
    };
  }
  const sorted = [...breakdown].sort((a, b) => b.count - a.count);
  const top = sorted[0]!;
  const topType = { ...top, share: top.count / total };
  const mix = sorted.map((b) => `${b.type} ${pct(b.count / total)}`).join(", ");
  const evidence = [rateLine, `DLQ by error_type (10 min): ${mix}`];

  if (top.type === "parse_error" && topType.share > PARSE_ERROR_SHARE) {
    return { ...diagnoseParseErrors(s, evidence), topType };
  }
  const mapped = TYPE_CAUSE[top.type];
  if (topType.share >= DOMINANT_SHARE && mapped !== undefined) {
    return {
      cause: mapped,
      because: `${top.type} is ${pct(topType.share)} of the DLQ: ${ERROR_TYPE_MEANING[top.type]}`,
      confidence: topType.share >= PARSE_ERROR_SHARE ? "high" : "medium",
      evidence,
      openBranches:
        topType.share >= PARSE_ERROR_SHARE
          ? []
          : sorted.slice(1).flatMap((b) => {
              const c = b.type === "parse_error" ? "parse-error-undetermined" : TYPE_CAUSE[b.type];
              return c && b.count / total >= 0.2 ? [BRANCH_TITLE[c]] : [];
            }),
      topType,
    };
  }
  if (topType.share >= DOMINANT_SHARE && top.type !== "parse_error") {
    return {
      cause: "unknown",
      because: `${top.type} (${pct(topType.share)} of the DLQ) is not an error type the runbook knows`,
      confidence: "low",
      evidence,
      openBranches: [],
      topType,
    };
  }
  return {
    cause: "mixed",
    because: `no error type explains the spike alone (${mix})${top.type === "parse_error" ? `; parse_error is under the ${pct(PARSE_ERROR_SHARE)} the seed's parse analysis needs` : ""}`,
    confidence: "low",
    evidence,
    openBranches: sorted
      .filter((b) => b.count / total >= 0.2)
      .map((b) => (b.type === "parse_error" ? "parse errors" : (TYPE_CAUSE[b.type] ?? b.type)))
      .map((c) => (c in BRANCH_TITLE ? BRANCH_TITLE[c as DlqCause] : c)),
    topType,
  };
}

function diagnoseParseErrors(s: DlqSignals, evidence: readonly string[]): Omit<DlqDiagnosis, "topType"> {
  const lines = [...evidence];
  const reference = s.spikeStart ?? s.now;
  const rev = s.currentRevision ?? undefined;
  const recent = rev !== undefined && deployedShortlyBefore(rev, reference);
  const drift = s.sourceDrift;
  const drifted = drift !== undefined && sourceDrifted(drift);
  const spikeText = s.spikeStart ? `the spike began ${hhmm(s.spikeStart)}` : "the spike's start is unknown";

  if (rev !== undefined) {
    lines.push(
      `current revision ${rev.revision} (${rev.images.join(", ") || "no image"}) rolled out ${hhmm(rev.createdAt)}; ${spikeText}`,
    );
  } else if (s.currentRevision === undefined) {
    lines.push("rollout history not read");
  }
  if (drift !== undefined) {
    lines.push(
      drifted
        ? `newest ${drift.sampled} source records: ${describeDrift(drift)}`
        : `newest ${drift.sampled} source records carry the expected fields (${drift.nonConforming} do not fit)`,
    );
  } else {
    lines.push("source topic not sampled");
  }
  const senders = s.failingSenders;
  const concentrated =
    senders !== undefined && senders.sampled >= 3 && senders.top.count / senders.sampled >= 0.5;
  if (senders !== undefined) {
    lines.push(
      `parse_error samples: ${senders.top.count} of ${senders.sampled} from ${senders.top.sender} (${senders.distinct} sender(s))`,
    );
  }

  if (drifted) {
    return {
      cause: "parse-error-schema-change",
      because: `the source topic's newest records changed shape: ${describeDrift(drift)}`,
      confidence: recent || s.currentRevision === undefined ? "medium" : "high",
      evidence: lines,
      openBranches: recent ? [BRANCH_TITLE["parse-error-deployment"]] : [],
    };
  }
  if (recent) {
    const sourceKnown = drift !== undefined;
    return {
      cause: "parse-error-deployment",
      because: `revision ${rev.revision} rolled out ${hhmm(rev.createdAt)}, shortly before ${s.spikeStart ? `the spike began at ${hhmm(s.spikeStart)}` : "now"}, and the source data ${sourceKnown ? "still has the expected shape" : "was not checked"}: a code change in the parser`,
      confidence: sourceKnown && s.spikeStart !== undefined ? "high" : "medium",
      evidence: lines,
      openBranches: sourceKnown ? [] : [BRANCH_TITLE["parse-error-schema-change"]],
    };
  }
  if (s.currentRevision !== undefined && drift !== undefined) {
    return {
      cause: "parse-error-traffic-pattern",
      because: `no rollout shortly before the spike and the source still has the expected shape${concentrated ? `; ${senders.top.count} of ${senders.sampled} failing samples come from ${senders.top.sender}` : drift.nonConformingBySender[0] ? `; the records that do not fit come from ${drift.nonConformingBySender[0].sender}` : ""}: a subset of senders sends data the parser cannot read`,
      confidence: concentrated || drift.nonConforming > 0 ? "high" : "medium",
      evidence: lines,
      openBranches: [],
    };
  }
  const open: string[] = [];
  if (s.currentRevision === undefined) open.push(BRANCH_TITLE["parse-error-deployment"]);
  if (drift === undefined) open.push(BRANCH_TITLE["parse-error-schema-change"]);
  open.push(BRANCH_TITLE["parse-error-traffic-pattern"]);
  return {
    cause: "parse-error-undetermined",
    because: `parse_error is over ${pct(PARSE_ERROR_SHARE)} of the DLQ, but ${[
      s.currentRevision === undefined ? "the rollout history" : "",
      drift === undefined ? "the source topic" : "",
    ]
      .filter(Boolean)
      .join(
        " and ",
      )} could not be read to tell a deployment, a schema change and a new traffic pattern apart`,
    confidence: "low",
    evidence: lines,
    openBranches: open,
  };
}

export interface RolloutHistory {
  readonly revisions: readonly RolloutRevision[];
  /** When it was read (the run's start): a rollout is judged against the spike, else against this. */
  readonly readAt: Date;
}
