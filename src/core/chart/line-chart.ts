/**
 * A small line chart of one or more metric series: title, legend (with each series' min and
 * max), y axis with round tick labels, time axis in UTC, dashed threshold lines, one colour per
 * series. Pure: series in, pixels (or PNG bytes) out.
 */
import { formatAxisValue, niceTicks, unitInValues } from "./chart-scale.ts";
import { ADVANCE, drawText, fitText, GLYPH_HEIGHT, textWidth } from "./font.ts";
import { encodePng } from "./png.ts";
import { type PixelPoint, Raster, type Rgb } from "./raster.ts";

/** The chartable part of a `series` evidence block. */
export interface ChartSeries {
  readonly label: string;
  readonly unit?: string;
  readonly points: readonly { readonly at: string; readonly value: number }[];
  readonly threshold?: number;
}

export interface LineChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
}

export const DEFAULT_CHART_WIDTH = 640;
export const DEFAULT_CHART_HEIGHT = 240;
const MIN_WIDTH = 160;
const MIN_HEIGHT = 100;

/** Series colours, in order (no red: red is the threshold's). */
export const SERIES_COLORS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [148, 103, 189],
  [140, 86, 75],
  [23, 190, 207],
];
export const THRESHOLD_COLOR: Rgb = [214, 39, 40];
const BACKGROUND: Rgb = [255, 255, 255];
const TITLE_COLOR: Rgb = [33, 37, 41];
const TEXT_COLOR: Rgb = [85, 85, 85];
const AXIS_COLOR: Rgb = [120, 120, 120];
const GRID_COLOR: Rgb = [232, 232, 232];

const PAD = 8;
const LINE_WIDTH = 2;

/** Where things landed, for callers that want to point at the chart (and for tests). */
export interface ChartLayout {
  /** The plot area in pixels: [left, right) x [top, bottom). */
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  readonly yMin: number;
  readonly yMax: number;
  /** Pixel centre of a series' point (undefined for a non-finite value). */
  readonly pointAt: (seriesIndex: number, pointIndex: number) => PixelPoint | undefined;
  /** Pixel row of a value on the y axis. */
  readonly rowOf: (value: number) => number;
  readonly colors: readonly Rgb[];
}

const colorOf = (i: number): Rgb => SERIES_COLORS[i % SERIES_COLORS.length] ?? [0, 0, 0];

function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs >= 2 * 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return spanMs < 5 * 60_000 ? iso.slice(11, 19) : iso.slice(11, 16);
}

interface XAxis {
  readonly xOf: (seriesIndex: number, pointIndex: number) => number;
  readonly labels: readonly { readonly at: number; readonly text: string }[];
}

/** Time positions when the series carry distinct parseable times, else point indexes. */
function xAxis(series: readonly ChartSeries[], left: number, right: number): XAxis {
  const times = series.flatMap((s) => s.points.map((p) => Date.parse(p.at)));
  const finiteTimes = times.filter((t) => Number.isFinite(t));
  const tMin = finiteTimes.length > 0 ? Math.min(...finiteTimes) : 0;
  const tMax = finiteTimes.length > 0 ? Math.max(...finiteTimes) : 0;
  const byTime = finiteTimes.length === times.length && tMax > tMin;
  const width = right - left - 1;
  if (byTime) {
    const span = tMax - tMin;
    const at = (t: number) => left + 0.5 + ((t - tMin) / span) * width;
    const mid = tMin + span / 2;
    return {
      xOf: (si, pi) => at(Date.parse(series[si]?.points[pi]?.at ?? "")),
      labels: [
        { at: at(tMin), text: timeLabel(tMin, span) },
        { at: at(mid), text: timeLabel(mid, span) },
        { at: at(tMax), text: `${timeLabel(tMax, span)} UTC` },
      ],
    };
  }
  const longest = Math.max(1, ...series.map((s) => s.points.length));
  const at = (i: number) => left + 0.5 + (longest === 1 ? width / 2 : (i / (longest - 1)) * width);
  return {
    xOf: (_si, pi) => at(pi),
    labels:
      longest === 1
        ? [{ at: at(0), text: "1" }]
        : [
            { at: at(0), text: "1" },
            { at: at(longest - 1), text: `${longest}` },
          ],
  };
}

/** Whether the y axis should start at zero: non-negative data whose floor is near zero anyway. */
function anchorAtZero(min: number, max: number): boolean {
  return min >= 0 && min <= (max - min) * 0.5;
}

interface LegendItem {
  readonly text: string;
  readonly color: Rgb;
  readonly dashed: boolean;
}

function legendItems(
  series: readonly ChartSeries[],
  thresholds: readonly number[],
  unit?: string,
): LegendItem[] {
  const items: LegendItem[] = series.map((s, i) => {
    const values = s.points.map((p) => p.value).filter((v) => Number.isFinite(v));
    const unitNote = unitInValues(s.unit) ? "" : ` (${s.unit})`;
    const stats =
      values.length === 0
        ? "no data"
        : `min ${formatAxisValue(Math.min(...values), s.unit)} max ${formatAxisValue(Math.max(...values), s.unit)}`;
    return { text: `${s.label}${unitNote}  ${stats}`, color: colorOf(i), dashed: false };
  });
  for (const t of thresholds) {
    items.push({ text: `threshold ${formatAxisValue(t, unit)}`, color: THRESHOLD_COLOR, dashed: true });
  }
  return items;
}

const SWATCH = 12;
const LEGEND_ROW = GLYPH_HEIGHT + 5;

/** Lays the legend out in rows; returns the rows' height. Draws only when `raster` is given. */
function legend(items: readonly LegendItem[], x0: number, y0: number, maxX: number, raster?: Raster): number {
  let x = x0;
  let y = y0;
  for (const item of items) {
    const text = fitText(item.text, maxX - x0 - SWATCH - 4);
    const w = SWATCH + 4 + textWidth(text) + 14;
    if (x > x0 && x + w - 14 > maxX) {
      x = x0;
      y += LEGEND_ROW;
    }
    if (raster) {
      const mid = y + Math.floor(GLYPH_HEIGHT / 2);
      if (item.dashed) raster.dashedHLine(x, x + SWATCH, mid, item.color, 3, 2);
      else raster.fillRect(x, mid - 1, SWATCH, LINE_WIDTH, item.color);
      drawText(raster, text, x + SWATCH + 4, y, TEXT_COLOR);
    }
    x += w;
  }
  return y - y0 + GLYPH_HEIGHT;
}

/** Draws the chart; returns the raster and where things are. */
export function drawLineChart(
  series: readonly ChartSeries[],
  options: LineChartOptions = {},
): { raster: Raster; layout: ChartLayout } {
  const width = Math.max(MIN_WIDTH, Math.round(options.width ?? DEFAULT_CHART_WIDTH));
  const height = Math.max(MIN_HEIGHT, Math.round(options.height ?? DEFAULT_CHART_HEIGHT));
  const raster = new Raster(width, height, BACKGROUND);
  const unit = series[0]?.unit;
  const thresholds = [
    ...new Set(
      series.map((s) => s.threshold).filter((t): t is number => t !== undefined && Number.isFinite(t)),
    ),
  ];

  let y = PAD;
  if (options.title) {
    const scale = 2;
    drawText(raster, fitText(options.title, width - 2 * PAD, scale), PAD, y, TITLE_COLOR, scale);
    y += GLYPH_HEIGHT * scale + 6;
  }
  const items = legendItems(series, thresholds, unit);
  y += legend(items, PAD, y, width - PAD, raster) + 8;

  const values = series.flatMap((s) => s.points.map((p) => p.value)).filter((v) => Number.isFinite(v));
  const dataMin = Math.min(...values, ...thresholds);
  const dataMax = Math.max(...values, ...thresholds);
  const hasData = values.length > 0;
  const ticks = hasData
    ? niceTicks(anchorAtZero(dataMin, dataMax) ? 0 : dataMin, dataMax)
    : niceTicks(thresholds[0] ?? 0, thresholds[0] ?? 1);
  const yMin = ticks[0] ?? 0;
  const yMax = ticks[ticks.length - 1] ?? 1;
  const tickLabels = ticks.map((t) => formatAxisValue(t, unit));
  const labelWidth = Math.max(...tickLabels.map((l) => textWidth(l)));

  const plot = {
    left: PAD + labelWidth + 6,
    top: y + Math.ceil(GLYPH_HEIGHT / 2),
    right: width - PAD - ADVANCE * 2,
    bottom: height - PAD - GLYPH_HEIGHT - 6,
  };
  const rowOf = (v: number): number =>
    plot.bottom - 0.5 - ((v - yMin) / (yMax - yMin)) * (plot.bottom - plot.top - 1);

  // Grid and y tick labels.
  ticks.forEach((t, i) => {
    const row = Math.round(rowOf(t) - 0.5);
    raster.fillRect(plot.left, row, plot.right - plot.left, 1, GRID_COLOR);
    const label = tickLabels[i] ?? "";
    drawText(raster, label, plot.left - 6 - textWidth(label), row - Math.floor(GLYPH_HEIGHT / 2), TEXT_COLOR);
  });

  // Axes.
  raster.fillRect(plot.left, plot.top, 1, plot.bottom - plot.top, AXIS_COLOR);
  raster.fillRect(plot.left, plot.bottom - 1, plot.right - plot.left, 1, AXIS_COLOR);

  // X labels, kept inside the image.
  const x = xAxis(series, plot.left, plot.right);
  for (const label of x.labels) {
    const w = textWidth(label.text);
    const left = Math.max(PAD, Math.min(width - PAD - w, Math.round(label.at - w / 2)));
    raster.fillRect(Math.round(label.at - 0.5), plot.bottom, 1, 3, AXIS_COLOR);
    drawText(raster, label.text, left, plot.bottom + 5, TEXT_COLOR);
  }

  // Thresholds under the lines.
  for (const t of thresholds) {
    raster.dashedHLine(plot.left + 1, plot.right, Math.round(rowOf(t) - 0.5), THRESHOLD_COLOR);
  }

  const pointAt = (si: number, pi: number): PixelPoint | undefined => {
    const value = series[si]?.points[pi]?.value;
    if (value === undefined || !Number.isFinite(value)) return undefined;
    return { x: x.xOf(si, pi), y: rowOf(value) };
  };

  // The series: each run of finite values is one polyline.
  series.forEach((s, si) => {
    let run: PixelPoint[] = [];
    const flush = () => {
      if (run.length > 0) raster.strokePolyline(run, colorOf(si), run.length === 1 ? 4 : LINE_WIDTH);
      run = [];
    };
    s.points.forEach((_p, pi) => {
      const at = pointAt(si, pi);
      if (at) run.push(at);
      else flush();
    });
    flush();
  });

  if (!hasData) {
    const note = "no data points";
    drawText(
      raster,
      note,
      Math.round((plot.left + plot.right - textWidth(note)) / 2),
      Math.round((plot.top + plot.bottom - GLYPH_HEIGHT) / 2),
      TEXT_COLOR,
    );
  }

  return {
    raster,
    layout: { plot, yMin, yMax, pointAt, rowOf, colors: series.map((_s, i) => colorOf(i)) },
  };
}

/** The chart as PNG bytes. */
export function renderLineChartPng(series: readonly ChartSeries[], options: LineChartOptions = {}): Buffer {
  const { raster } = drawLineChart(series, options);
  return encodePng(raster.width, raster.height, raster.pixels);
}
