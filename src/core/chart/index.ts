/** Charts for evidence people would rather look at than read: pure PNG rendering of metric series. */
export { compactNumber, formatAxisValue, niceTicks } from "./chart-scale.ts";
export { drawText, fitText, textWidth } from "./font.ts";
export {
  type ChartLayout,
  type ChartSeries,
  DEFAULT_CHART_HEIGHT,
  DEFAULT_CHART_WIDTH,
  drawLineChart,
  type LineChartOptions,
  renderLineChartPng,
  SERIES_COLORS,
  THRESHOLD_COLOR,
} from "./line-chart.ts";
export { crc32, encodePng } from "./png.ts";
export { type PixelPoint, Raster, type Rgb } from "./raster.ts";
export { chartGroups, chartsForStep, MAX_CHARTS_PER_STEP, type StepChart } from "./step-charts.ts";
