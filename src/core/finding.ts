/**
 * Findings: what a probe or step found and what it means, as platform-neutral blocks that each
 * sink (Block Kit, terminal, JSON) renders. Buttons are data (action id + params), not code.
 */

/** ok = healthy; info = context; warning = degraded; critical = the cause of the alert; error = could not check. */
export type FindingSeverity = "ok" | "info" | "warning" | "critical" | "error";

export type EvidenceBlock =
  | { readonly kind: "markdown"; readonly text: string }
  | {
      readonly kind: "fields";
      readonly fields: readonly { readonly label: string; readonly value: string }[];
    }
  | {
      readonly kind: "table";
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** Rows left out of `rows` (shown as a note). */
      readonly omittedRows?: number;
    }
  | {
      readonly kind: "series";
      readonly label: string;
      readonly unit?: string;
      readonly points: readonly { readonly at: string; readonly value: number }[];
      /** The level that matters (an alarm threshold, an SLO), drawn as a line on the chart. */
      readonly threshold?: number;
    }
  | { readonly kind: "log"; readonly lines: readonly string[] }
  | { readonly kind: "code"; readonly text: string };

/** A fix the runbook proposes: a reference to an action with its parameters. */
export interface Proposal {
  readonly action: string;
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Finding {
  readonly severity: FindingSeverity;
  readonly title: string;
  /** What it means, in a sentence or two. */
  readonly detail?: string;
  readonly evidence: readonly EvidenceBlock[];
  readonly proposals: readonly Proposal[];
}

const RANK: Record<FindingSeverity, number> = { ok: 0, info: 1, error: 2, warning: 3, critical: 4 };

/** The most severe of a set of severities (`ok` for none). */
export function worstSeverity(severities: Iterable<FindingSeverity>): FindingSeverity {
  let worst: FindingSeverity = "ok";
  for (const s of severities) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export function finding(
  severity: FindingSeverity,
  title: string,
  opts: { detail?: string; evidence?: EvidenceBlock[]; proposals?: Proposal[] } = {},
): Finding {
  return {
    severity,
    title,
    ...(opts.detail === undefined ? {} : { detail: opts.detail }),
    evidence: opts.evidence ?? [],
    proposals: opts.proposals ?? [],
  };
}

/** A metric series as evidence (shown as a sparkline in text and a chart in Slack). */
export function seriesEvidence(
  label: string,
  points: readonly { readonly at: Date; readonly value: number }[],
  unit?: string,
): EvidenceBlock {
  return {
    kind: "series",
    label,
    ...(unit === undefined ? {} : { unit }),
    points: points.map((p) => ({ at: p.at.toISOString(), value: p.value })),
  };
}
