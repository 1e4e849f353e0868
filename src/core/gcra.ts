/** The generic cell rate algorithm behind the store's send slots (src/store/coordination.ts), pure. */

/**
 * GCRA: `tat` is the key's theoretical arrival time. A caller at `now` may send at
 * `max(now, max(tat, now) - (burst - 1) * interval)` and moves `tat` one interval on, so that up to
 * `burst` callers go at once after a quiet spell and the rest `interval` apart.
 */
export function gcraSlot(
  tat: number | undefined,
  now: number,
  intervalMs: number,
  burst: number,
): { sendAt: number; tat: number } {
  const base = Math.max(tat ?? now, now);
  const tolerance = (Math.max(1, Math.floor(burst)) - 1) * intervalMs;
  // Never early: a slot at a fraction of a millisecond is sent at the next whole one.
  return { sendAt: Math.ceil(Math.max(now, base - tolerance) - 1e-6), tat: base + intervalMs };
}
