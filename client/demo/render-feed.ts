/** The ranked feed: one card per candidate with its score, its breakdown as bars, and why it ranks there. */
import type { RankWeights } from '../../shared/types';
import type { FeedResult, RankedCandidate, UserProfile } from '../types';
import { avatar } from './avatar';
import { h } from './dom';
import { explain, feedContext, type Factor, type FeedContext } from './explain';

const FACTOR_LABEL: Record<Factor, string> = {
  similarity: 'Similarity',
  diligence: 'Diligence',
  engagement: 'Engagement',
};

const DEVICE_LABEL: Record<FeedResult['device'], string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  server: 'the server',
  local: 'this device without a model (the server feed failed)',
};

function bar(factor: Factor, value: number, isTop: boolean): HTMLElement {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${pct}%`;
  return h(
    'div',
    { class: `bar bar-${factor}${isTop ? ' is-top' : ''}`, 'data-factor': factor },
    h('span', { class: 'bar-label' }, FACTOR_LABEL[factor]),
    h('span', { class: 'bar-track' }, fill),
    h('span', { class: 'bar-value' }, value.toFixed(2)),
  );
}

function card(user: UserProfile, item: RankedCandidate, rank: number, ctx: FeedContext): HTMLElement {
  const p = item.profile;
  const why = explain(user, item, ctx);
  const matched = new Set(why.matchedTags);
  const tags = h(
    'ul',
    { class: 'tags' },
    ...p.tags.slice(0, 6).map((t) => h('li', { class: matched.has(t) ? 'tag is-match' : 'tag' }, t)),
  );
  const factors: Factor[] = ctx.mlApplied ? ['similarity', 'diligence', 'engagement'] : ['diligence', 'engagement'];
  return h(
    'article',
    { class: 'card', 'data-id': p.id, 'data-rank': String(rank) },
    h(
      'header',
      { class: 'card-head' },
      avatar(p.name, p.id),
      h('div', { class: 'card-who' }, h('h3', { class: 'card-name' }, p.name), h('p', { class: 'card-headline' }, p.headline)),
      h(
        'div',
        { class: 'card-score', title: 'Total score' },
        h('span', { class: 'score-value' }, item.score.toFixed(3)),
        h('span', { class: 'score-rank' }, `#${rank}`),
      ),
    ),
    h(
      'p',
      { class: 'why' },
      h('span', { class: 'why-summary' }, why.summary),
      h(
        'span',
        { class: 'why-factor' },
        `Top factor: ${FACTOR_LABEL[why.topFactor.factor].toLowerCase()} (${Math.round(why.topFactor.share * 100)}% of score)`,
      ),
    ),
    p.bio ? h('p', { class: 'card-bio' }, p.bio) : null,
    p.tags.length ? tags : null,
    h(
      'div',
      { class: 'bars' },
      ...factors.map((f) => bar(f, item.breakdown[f], f === why.topFactor.factor)),
    ),
  );
}

/** Replaces the feed's content; `candidates` is how many the engine holds locally (for the summary line). */
export function renderFeed(
  root: HTMLElement,
  user: UserProfile,
  feed: FeedResult,
  weights: RankWeights,
  candidates: number,
): void {
  const ctx = feedContext(feed.results, feed.ml_applied, weights);
  const of = candidates > 0 ? ` of ${candidates.toLocaleString('en')}` : '';
  const summary = h(
    'div',
    { class: 'feed-summary' },
    h('h2', {}, 'Your feed'),
    h(
      'p',
      {},
      `Top ${feed.results.length}${of} candidates, ranked on ${DEVICE_LABEL[feed.device]} in ${feed.rank_ms.toFixed(1)} ms`,
    ),
  );
  const notes: HTMLElement[] = [];
  if (!feed.ml_applied) {
    notes.push(
      h('p', { class: 'notice' }, 'Similarity is unavailable right now, so the feed is ranked by diligence and engagement only.'),
    );
  }
  const grid = h(
    'div',
    { class: 'feed-grid' },
    ...feed.results.map((item, i) => card(user, item, i + 1, ctx)),
  );
  const empty = feed.results.length === 0 ? h('p', { class: 'empty' }, 'No candidates yet. Try syncing again.') : null;
  root.replaceChildren(summary, ...notes, empty ?? grid);
}

/** A skeleton of cards while the first feed is on its way, so the layout does not jump. */
export function renderFeedPlaceholder(root: HTMLElement, message: string): void {
  const skeletons = Array.from({ length: 6 }, () =>
    h('div', { class: 'card skeleton' }, h('span', { class: 'sk sk-head' }), h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })),
  );
  root.replaceChildren(
    h('div', { class: 'feed-summary' }, h('h2', {}, 'Your feed'), h('p', {}, message)),
    h('div', { class: 'feed-grid' }, ...skeletons),
  );
}

export function renderFeedError(root: HTMLElement, message: string): void {
  root.replaceChildren(
    h('div', { class: 'feed-summary' }, h('h2', {}, 'Your feed')),
    h('p', { class: 'notice is-error', role: 'alert' }, message),
  );
}
