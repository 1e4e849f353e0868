/** Pure formatting of sizes, durations and times for findings ("1.2 GiB", "48.2 s", "10:21:07 UTC"). */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** Bytes in binary units, one decimal from KiB up: 1288490188 -> "1.2 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A duration for a sentence: "850 ms", "48.2 s", "12 min", "2 h 5 min", "3 days". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.round(ms / 60_000);
  if (Math.abs(minutes) < 60) return `${minutes} min`;
  if (Math.abs(minutes) >= 48 * 60) return `${Math.round(minutes / 1440)} days`;
  const h = Math.trunc(minutes / 60);
  const m = Math.abs(minutes % 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "2025-01-13 10:21:07 UTC". */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "10:21:07" (UTC), for tables. */
export function formatUtcClock(at: Date): string {
  return at.toISOString().slice(11, 19);
}

/** Bytes as a Kubernetes quantity, in whole Gi when it divides, else whole Mi (rounded up). */
export function bytesToQuantity(bytes: number): string {
  const gi = 2 ** 30;
  const mi = 2 ** 20;
  if (bytes % gi === 0) return `${bytes / gi}Gi`;
  return `${Math.ceil(bytes / mi)}Mi`;
}
