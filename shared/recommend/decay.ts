/** Half-life decay, the one time curve of the recommendation layer (interaction recency, freshness). */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/**
 * 0.5^(age / halfLife): 1 at age 0, 0.5 at one half-life. A negative age (a time after `now`, clock skew between
 * a device and the server) counts as 0, so nothing weighs more than a fresh event.
 */
export function halfLifeFactor(ageMs: number, halfLifeDays: number): number {
  return ageMs <= 0 ? 1 : Math.pow(0.5, ageMs / (halfLifeDays * DAY_MS));
}
