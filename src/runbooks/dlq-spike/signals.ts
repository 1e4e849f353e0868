/** Pure: probe results -> the signals the dlq-spike diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { breachStart, firstAbove, latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { RolloutRevision } from "../../ports/kubernetes.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import type { DlqSignals, RevisionRef } from "./diagnose.ts";
import {
  breakdownOf,
  dlqRateProbe,
  parseSamplesProbe,
  rolloutHistoryProbe,
  sourceSampleProbe,
} from "./probes.ts";
import { analyseSource, expectedFields, failingSenders, type SchemaDrift } from "./schema-drift.ts";

export function dlqPoints(results: ProbeResults): MetricPoint[] | undefined {
  return read(results, dlqRateProbe);
}

/** Where the spike began: the start of the current run above the threshold, else the first minute above it. */
export function spikeStartOf(points: readonly MetricPoint[], threshold: number): MetricPoint | undefined {
  return breachStart(points, threshold) ?? firstAbove(points, threshold);
}

/** Records sent to the DLQ from the spike's first minute on. */
export function dlqSinceSpike(points: readonly MetricPoint[], threshold: number): number | undefined {
  const start = spikeStartOf(points, threshold);
  if (start === undefined) return undefined;
  return sumOf(points.filter((p) => p.at.getTime() >= start.at.getTime()));
}

function toRef(r: RolloutRevision): RevisionRef {
  return {
    revision: r.revision,
    createdAt: new Date(r.createdAt),
    images: r.images,
    changeCause: r.changeCause,
  };
}

export interface Revisions {
  readonly current: RolloutRevision;
  readonly previous?: RolloutRevision;
}

/** The revision the deployment runs and the one before it (the rollback target). */
export function revisionsOf(results: ProbeResults): Revisions | null | undefined {
  const history = read(results, rolloutHistoryProbe);
  if (history === undefined) return undefined;
  const sorted = [...history.revisions].sort((a, b) => a.revision - b.revision);
  const current = sorted.find((r) => r.current) ?? sorted.at(-1);
  if (current === undefined) return null;
  const previous = sorted.filter((r) => r.revision < current.revision).at(-1);
  return { current, ...(previous === undefined ? {} : { previous }) };
}

export function parseMessages(results: ProbeResults): string[] | undefined {
  const samples = read(results, parseSamplesProbe);
  if (samples === undefined || samples === null) return undefined;
  return samples.rows.map((r) => r["@message"] ?? "").filter((m) => m !== "");
}

export function sourceDriftOf(results: ProbeResults): SchemaDrift | undefined {
  const sample = read(results, sourceSampleProbe);
  if (sample === undefined || sample === null) return undefined;
  return analyseSource(sample.records, expectedFields(parseMessages(results) ?? []));
}

export function dlqSignals(results: ProbeResults, config: AppConfig): DlqSignals {
  const threshold = config.thresholds.dlqRecordsPerMinute;
  const points = dlqPoints(results);
  const latest = points === undefined ? undefined : latestOf(points);
  const start = points === undefined ? undefined : spikeStartOf(points, threshold);
  const breakdown = breakdownOf(results);
  const revisions = revisionsOf(results);
  const history = read(results, rolloutHistoryProbe);
  const drift = sourceDriftOf(results);
  const messages = parseMessages(results);
  const senders = messages === undefined ? undefined : failingSenders(messages);
  const now = history?.readAt ?? (latest ? new Date(latest.at.getTime() + 60_000) : new Date(0));
  return {
    threshold,
    now,
    ...(latest === undefined ? {} : { latestRate: latest.value }),
    ...(start === undefined ? {} : { spikeStart: start.at }),
    ...(breakdown === undefined ? {} : { breakdown }),
    ...(revisions === undefined
      ? {}
      : { currentRevision: revisions === null ? null : toRef(revisions.current) }),
    ...(drift === undefined ? {} : { sourceDrift: drift }),
    ...(senders === undefined ? {} : { failingSenders: senders }),
  };
}
