/**
 * Why a candidate ranks where it does, in words a user reads at a glance: how strong the semantic match is
 * (relative to the rest of this feed), which of the user's tags it shares, and which score factor carried it.
 * Pure functions, no DOM.
 */
import { DEFAULT_WEIGHTS, resolveWeights } from '../../shared/scoring';
import type { RankWeights, ScoreBreakdown } from '../../shared/types';
import type { RankedCandidate, UserProfile } from '../types';

export type Factor = 'similarity' | 'diligence' | 'engagement';

/** The engine's and the server's default weights; the demo ranks with these. */
export { DEFAULT_WEIGHTS };

export interface Explanation {
  /** One line, e.g. "Strong match on fintech, seed". */
  summary: string;
  /** The user's tags this candidate shares (in the candidate's spelling). */
  matchedTags: string[];
  /** The factor that contributed most to the total score, and its share of it (0..1). */
  topFactor: { factor: Factor; share: number };
}

/** Similarity range over a feed, so "strong" means strong for this feed rather than an absolute cosine. */
export interface FeedContext {
  minSimilarity: number;
  maxSimilarity: number;
  mlApplied: boolean;
  weights: RankWeights;
}

export function feedContext(results: readonly RankedCandidate[], mlApplied: boolean, weights: RankWeights): FeedContext {
  let min = Infinity;
  let max = -Infinity;
  for (const r of results) {
    min = Math.min(min, r.breakdown.similarity);
    max = Math.max(max, r.breakdown.similarity);
  }
  if (!Number.isFinite(min)) min = max = 0;
  // The weights the scorer itself used (without a query: diligence and engagement alone, renormalised).
  return { minSimilarity: min, maxSimilarity: max, mlApplied, weights: resolveWeights(weights, mlApplied) };
}

/** Each factor's weighted part of the total score. */
export function contributions(breakdown: ScoreBreakdown, weights: RankWeights): Record<Factor, number> {
  return {
    similarity: breakdown.similarity * weights.similarity,
    diligence: breakdown.diligence * weights.diligence,
    engagement: breakdown.engagement * weights.engagement,
  };
}

const norm = (tag: string): string => tag.trim().toLowerCase().replace(/[\s_]+/g, '-');

/** Candidate tags that equal one of the user's tags (case and separator insensitive), in the user's tag order. */
export function sharedTags(userTags: readonly string[], candidateTags: readonly string[]): string[] {
  const byNorm = new Map(candidateTags.map((t) => [norm(t), t] as const));
  const out: string[] = [];
  for (const t of userTags) {
    const hit = byNorm.get(norm(t));
    if (hit !== undefined && !out.includes(hit)) out.push(hit);
  }
  return out;
}

const FACTOR_PHRASE: Record<Factor, string> = {
  similarity: 'close to what you look for',
  diligence: 'a thorough, active profile',
  engagement: 'very engaged with the network',
};

export function explain(user: UserProfile, candidate: RankedCandidate, ctx: FeedContext): Explanation {
  const parts = contributions(candidate.breakdown, ctx.weights);
  const factors: Factor[] = ['similarity', 'diligence', 'engagement'];
  let top: Factor = 'similarity';
  for (const f of factors) if (parts[f] > parts[top]) top = f;
  const sum = parts.similarity + parts.diligence + parts.engagement;
  const share = sum > 0 ? parts[top] / sum : 0;

  const matchedTags = sharedTags(user.tags, candidate.profile.tags);
  const shown = matchedTags.slice(0, 3).join(', ');

  let summary: string;
  if (ctx.mlApplied) {
    const span = ctx.maxSimilarity - ctx.minSimilarity;
    const rel = span > 1e-9 ? (candidate.breakdown.similarity - ctx.minSimilarity) / span : 1;
    const strength = rel >= 0.66 ? 'Strong match' : rel >= 0.33 ? 'Good match' : 'Partial match';
    summary = shown ? `${strength} on ${shown}` : `${strength}: ${FACTOR_PHRASE[top]}`;
  } else {
    summary = shown ? `Shares ${shown}; ranked on ${top}` : `Ranked on ${top}: ${FACTOR_PHRASE[top]}`;
  }
  return { summary, matchedTags, topFactor: { factor: top, share } };
}
