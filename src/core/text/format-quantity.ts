/** Durations and numbers as people read them, shared by the Slack and terminal renderers. */

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** 95000 -> "95,000"; 0.123 -> "0.12"; NaN -> "n/a". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "n/a" : value > 0 ? "∞" : "-∞";
  return numberFormat.format(value);
}

/** A value with its unit: "95,000 records", "95%". */
export function formatWithUnit(value: number, unit: string | undefined): string {
  const n = formatNumber(value);
  if (unit === undefined || unit === "") return n;
  return unit === "%" ? `${n}%` : `${n} ${unit}`;
}

/** A step or run duration: "450 ms", "2.1 s", "1 min 12 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "n/a";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const s = ms / 1000;
    return `${s < 10 ? s.toFixed(1).replace(/\.0$/, "") : Math.round(s)} s`;
  }
  return formatElapsed(ms);
}

/** A coarse elapsed time for incidents: "45 s", "12 min", "9 min 30 s" (under 10 min), "1 h 5 min". */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "n/a";
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return seconds === 0 || minutes >= 10 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** A step's time budget as the seed states it: "60 s", "5 min". */
export function formatBudget(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${formatNumber(seconds)} s`;
}

/** "2.1 s of a 60 s budget" (+ over-budget flag) or "2.1 s" without a budget. */
export function describeStepTiming(
  durationMs: number,
  budgetSeconds: number | undefined,
): { text: string; overBudget: boolean } {
  const took = formatDuration(durationMs);
  if (budgetSeconds === undefined) return { text: took, overBudget: false };
  return {
    text: `${took} of a ${formatBudget(budgetSeconds)} budget`,
    overBudget: durationMs > budgetSeconds * 1000,
  };
}

/** Milliseconds between two ISO timestamps, or undefined when either does not parse. */
export function elapsedBetween(fromIso: string, toIso: string): number | undefined {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return Math.max(0, to - from);
}

/** A proposal's params in one line: "namespace: flink, deployment: flink-taskmanager, replicas: 8". */
export function formatParams(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : (JSON.stringify(v) ?? String(v))}`)
    .join(", ");
}
