/**
 * Which pictures a step gets: the series evidence of each finding, series sharing a unit drawn
 * together on one chart (RecordsIn against RecordsOut), at most `limit` charts per step so that
 * a step costs a bounded number of uploads.
 */
import type { EvidenceBlock } from "../finding.ts";
import type { StepReport } from "../runbook.ts";
import { type ChartSeries, type LineChartOptions, renderLineChartPng, SERIES_COLORS } from "./line-chart.ts";

export const MAX_CHARTS_PER_STEP = 2;

export interface StepChart {
  /** The file's title: the series labels ("RecordsIn per minute vs RecordsOut per minute"). */
  readonly title: string;
  /** "RecordsIn-per-minute_vs_RecordsOut-per-minute.png". */
  readonly filename: string;
  /** A description for screen readers. */
  readonly altText: string;
  readonly png: Buffer;
}

type SeriesBlock = Extract<EvidenceBlock, { kind: "series" }>;

const hasData = (s: SeriesBlock): boolean => s.points.some((p) => Number.isFinite(p.value));

/** The series groups of a step, in order: per finding, by unit, at most one palette's worth each. */
export function chartGroups(step: Pick<StepReport, "findings">): SeriesBlock[][] {
  const groups: SeriesBlock[][] = [];
  for (const f of step.findings) {
    const own: SeriesBlock[][] = [];
    for (const e of f.evidence) {
      if (e.kind !== "series" || !hasData(e)) continue;
      const group = own.find((g) => g[0]?.unit === e.unit && g.length < SERIES_COLORS.length);
      if (group) group.push(e);
      else own.push([e]);
    }
    groups.push(...own);
  }
  return groups;
}

function slug(label: string): string {
  return (
    label
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-.]+|[-.]+$/g, "") || "series"
  );
}

function altText(group: readonly ChartSeries[]): string {
  const first = group[0]?.points.find((p) => Number.isFinite(Date.parse(p.at)))?.at;
  const lastSeries = group[group.length - 1];
  const last = lastSeries
    ? [...lastSeries.points].reverse().find((p) => Number.isFinite(Date.parse(p.at)))?.at
    : undefined;
  const span = first && last ? ` from ${first.slice(11, 16)} to ${last.slice(11, 16)} UTC` : "";
  return `Line chart of ${group.map((s) => s.label).join(" and ")}${span}.`;
}

/** The step's charts as PNGs (at most `limit`), ready to attach to its message. */
export function chartsForStep(
  step: Pick<StepReport, "title" | "findings">,
  limit = MAX_CHARTS_PER_STEP,
  size: Pick<LineChartOptions, "width" | "height"> = {},
): StepChart[] {
  return chartGroups(step)
    .slice(0, Math.max(0, limit))
    .map((group) => {
      const series: ChartSeries[] = group.map((s) => ({
        label: s.label,
        points: s.points,
        ...(s.unit === undefined ? {} : { unit: s.unit }),
        ...(s.threshold === undefined ? {} : { threshold: s.threshold }),
      }));
      const title = group.map((s) => s.label).join(" vs ");
      return {
        title,
        filename: `${group
          .map((s) => slug(s.label))
          .join("_vs_")
          .slice(0, 120)}.png`,
        altText: altText(series),
        png: renderLineChartPng(series, { ...size, title: step.title }),
      };
    });
}
