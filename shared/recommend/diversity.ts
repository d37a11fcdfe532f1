/**
 * Diversity of a page: decay for repeats of one group, and MMR (maximal marginal relevance, Carbonell &
 * Goldstein 1998) re-ordering. Both work on a pool of the best candidates already scored.
 */
import { GROUP_DECAY } from './options';

/**
 * Factor of each item of a list in score order: the k-th item (0-based) of its group gets
 * (1 − floor)·factor^k + floor, i.e. 1, 0.625, 0.4375, 0.34375 … → 0.25 with X's factor 0.5 and floor 0.25.
 * Items without a group (undefined) keep 1.
 */
export function groupDecayFactors(groups: ReadonlyArray<string | undefined>, decay = GROUP_DECAY): number[] {
  const seen = new Map<string, number>();
  return groups.map((g) => {
    if (g === undefined) return 1;
    const k = seen.get(g) ?? 0;
    seen.set(g, k + 1);
    return (1 - decay.floor) * Math.pow(decay.factor, k) + decay.floor;
  });
}

/** The group of a profile for decay: its first tag, trimmed and lower-cased; undefined without tags. */
export function groupOf(tags: readonly string[] | undefined): string | undefined {
  const first = tags?.[0]?.trim().toLowerCase();
  return first ? first : undefined;
}

/** One MMR pick: the pool index and its redundancy (mapped similarity to the closest item picked before it). */
export interface MmrPick {
  index: number;
  redundancy: number;
}

/**
 * Greedy MMR over a pool: repeatedly picks argmax λ·relevance − (1 − λ)·max similarity to the picks so far, with
 * similarity = (cos + 1) / 2 so it is on the scores' [0, 1] scale. Ties: higher relevance, then smaller id.
 * `vectors(i)` is pool item i's vector (any length, not necessarily unit); `k` picks at most.
 */
export function mmrOrder(
  relevance: readonly number[],
  ids: readonly string[],
  vectors: (i: number) => Float32Array,
  lambda: number,
  k: number,
): MmrPick[] {
  const n = relevance.length;
  const units = Array.from({ length: n }, (_, i) => unit(vectors(i)));
  const maxSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  const picks: MmrPick[] = [];
  for (let step = 0; step < Math.min(k, n); step++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const score = lambda * (relevance[i] as number) - (1 - lambda) * (maxSim[i] as number);
      if (
        best < 0 ||
        score > bestScore ||
        (score === bestScore &&
          ((relevance[i] as number) > (relevance[best] as number) ||
            (relevance[i] === relevance[best] && (ids[i] as string) < (ids[best] as string))))
      ) {
        best = i;
        bestScore = score;
      }
    }
    taken[best] = 1;
    picks.push({ index: best, redundancy: maxSim[best] as number });
    const b = units[best] as Float64Array;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      const sim = (clamp(dot(units[i] as Float64Array, b)) + 1) / 2;
      if (sim > (maxSim[i] as number)) maxSim[i] = sim;
    }
  }
  return picks;
}

function unit(v: Float32Array): Float64Array {
  let sq = 0;
  for (let j = 0; j < v.length; j++) sq += (v[j] as number) * (v[j] as number);
  const out = new Float64Array(v.length);
  const s = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let j = 0; j < v.length; j++) out[j] = (v[j] as number) * s;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
  return s;
}

function clamp(c: number): number {
  return c > 1 ? 1 : c < -1 ? -1 : c;
}
