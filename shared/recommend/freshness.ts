/** Freshness: a candidate's score decays with the age of its `updated_at`, never below the floor. */
import { halfLifeFactor } from './decay';
import type { FreshnessOptions } from './options';

/** max(floor, 0.5^(age / halfLife)); 1 when `updatedAt` is missing or not a time (nothing to judge by). */
export function freshnessFactor(updatedAt: string | undefined, now: number, o: FreshnessOptions): number {
  if (updatedAt === undefined) return 1;
  const at = Date.parse(updatedAt);
  if (!Number.isFinite(at)) return 1;
  return Math.max(o.floor, halfLifeFactor(now - at, o.halfLifeDays));
}
