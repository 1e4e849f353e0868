/** Axis arithmetic for charts: "nice" tick values and compact tick labels. */

/** Rounds away binary noise (0.30000000000000004 -> 0.3). */
const tidy = (v: number): number => Number(v.toPrecision(12));

/**
 * Round tick values (steps of 1, 2 or 5 x 10^k) covering [min, max] with about `target`
 * intervals. The first tick is <= min and the last >= max. A flat range is widened first.
 */
export function niceTicks(min: number, max: number, target = 4): number[] {
  let lo = min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const rough = (hi - lo) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const first = Math.floor(tidy(lo / step));
  const last = Math.ceil(tidy(hi / step));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(tidy(k * step));
  return ticks;
}

const trimZeros = (s: string): string => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);

/** 0.25 -> "0.25", 760 -> "760", 58500 -> "58.5k", 1500000 -> "1.5M". */
export function compactNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "n/a" : value > 0 ? "inf" : "-inf";
  const abs = Math.abs(value);
  const scaled = (v: number, suffix: string): string =>
    `${trimZeros(v.toFixed(Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0))}${suffix}`;
  if (abs >= 1e12) return scaled(value / 1e12, "T");
  if (abs >= 1e9) return scaled(value / 1e9, "G");
  if (abs >= 1e6) return scaled(value / 1e6, "M");
  if (abs >= 1e3) return scaled(value / 1e3, "k");
  return trimZeros(value.toFixed(abs < 10 ? 2 : abs < 100 ? 1 : 0));
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** A value for an axis or legend: compact, with short units (%, ms, bytes) folded in. */
export function formatAxisValue(value: number, unit: string | undefined): string {
  if (unit === "%") return `${compactNumber(value)}%`;
  if (unit === "ms") {
    if (Math.abs(value) >= 60_000) return `${compactNumber(value / 60_000)} min`;
    if (Math.abs(value) >= 1000) return `${compactNumber(value / 1000)} s`;
    return `${compactNumber(value)} ms`;
  }
  if (unit === "bytes" || unit === "B") {
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
      v /= 1024;
      i += 1;
    }
    return `${compactNumber(v)} ${BYTE_UNITS[i]}`;
  }
  return compactNumber(value);
}

/** Whether `formatAxisValue` already shows the unit (so a legend need not repeat it). */
export function unitInValues(unit: string | undefined): boolean {
  return (
    unit === undefined || unit === "" || unit === "%" || unit === "ms" || unit === "bytes" || unit === "B"
  );
}
