/**
 * One simulated user of one ranking variant: visits on consecutive days, each shows a page of 20; the user
 * likes the relevant ones shown (at most LIKES_PER_PAGE a page) and passes the others. Pages are measured
 * at fixed numbers of likes + passes. Every variant leaves out what the user already acted on, so each is
 * judged on candidates the user has not seen judged (the residual collection).
 */
import { DAY_MS } from '../../shared/recommend/decay';
import type { Interaction } from '../../shared/recommend/interactions';
import { recommend, type RecommendRankOptions } from '../../shared/recommend/recommend';
import type { CandidateMatrix } from '../../shared/scoring';
import type { Profile } from '../../shared/types';
import { intraListDiversity, ndcgAt, precisionAt } from './metrics';
import type { EvalUser } from './users';

export const PAGE = 20;
export const LIKES_PER_PAGE = 3;
export const CHECKPOINTS = [0, 5, 10, 20] as const;
export const VISITS = 10;
/** The first visit's time; each later visit a day on. */
export const START = Date.parse('2026-02-01T09:00:00Z');

export interface Variant {
  name: string;
  /** Send the likes and passes (taste vector, filters). */
  feedback: boolean;
  /** Also record a view of each shown candidate left without an action (fatigue rotates the page). */
  views: boolean;
  diversity: number;
  groupDecay: boolean;
}

export interface PageMetrics {
  precision: number;
  ndcg: number;
  diversity: number;
}

export interface UserRun {
  /** Metrics of the page ranked after CHECKPOINTS[i] likes + passes. */
  at: PageMetrics[];
  /** Distinct candidates shown over the visits. */
  shown: Set<string>;
  rankMs: number[];
}

export interface Catalogue {
  profiles: Profile[];
  byId: Map<string, Profile>;
  matrix: CandidateMatrix;
  rowOf: Map<string, number>;
}

export function simulate(user: EvalUser, query: Float32Array, cat: Catalogue, v: Variant): UserRun {
  const interactions: Interaction[] = [];
  const acted = new Set<string>();
  const liked = new Set<string>();
  const shown = new Set<string>();
  const rankMs: number[] = [];
  const at: PageMetrics[] = [];
  let decisions = 0;
  let checkpoint = 0;

  const rank = (now: number): string[] => {
    const options: RecommendRankOptions = {
      limit: PAGE,
      excludeIds: acted,
      now,
      diversity: v.diversity,
      groupDecay: v.groupDecay,
      profileOf: (id) => cat.byId.get(id),
    };
    if (v.feedback) options.interactions = interactions;
    const t0 = performance.now();
    const ids = recommend(query, cat.matrix, options).results.map((r) => r.id);
    rankMs.push(performance.now() - t0);
    return ids;
  };
  const measure = (now: number) => {
    const page = rank(now);
    const left = [...user.relevant].filter((id) => !liked.has(id)).length;
    const vectors = page.map((id) => vectorOf(cat, id));
    at.push({ precision: precisionAt(page, user.relevant, PAGE), ndcg: ndcgAt(page, user.relevant, PAGE, left), diversity: intraListDiversity(vectors) });
    checkpoint++;
  };

  for (let visit = 0; visit < VISITS; visit++) {
    const now = START + visit * DAY_MS;
    const time = new Date(now).toISOString();
    if (checkpoint < CHECKPOINTS.length && CHECKPOINTS[checkpoint] === decisions) measure(now);
    const page = rank(now);
    let likes = 0;
    for (const id of page) {
      shown.add(id);
      let type: Interaction['type'] | null = null;
      if (user.relevant.has(id)) {
        if (likes < LIKES_PER_PAGE) {
          type = 'like';
          likes++;
          liked.add(id);
        }
      } else type = 'pass';
      if (type === null) {
        if (v.views) interactions.push({ profile_id: id, type: 'view', at: time });
        continue;
      }
      interactions.push({ profile_id: id, type, at: time });
      acted.add(id);
      decisions++;
      if (checkpoint < CHECKPOINTS.length && CHECKPOINTS[checkpoint] === decisions) measure(now);
    }
  }
  return { at, shown, rankMs };
}

export function vectorOf(cat: Catalogue, id: string): Float32Array {
  const row = cat.rowOf.get(id)!;
  const d = cat.matrix.dimension;
  return cat.matrix.vectors.subarray(row * d, (row + 1) * d);
}
