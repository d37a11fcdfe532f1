/** The ranked feed: one card per candidate with its score, its breakdown as bars, and why it ranks there. */
import type { RankWeights } from '../../shared/types';
import type { InteractionType } from '../../shared/recommend/interactions';
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

/** What a card's buttons do: record the reaction and re-rank (main.ts). */
export type OnReact = (profileId: string, type: InteractionType, rank: number) => void;

const REACTIONS: ReadonlyArray<{ type: InteractionType; label: string; title: string }> = [
  { type: 'like', label: 'Like', title: 'Show me more like this' },
  { type: 'pass', label: 'Pass', title: 'Not now: hidden for 14 days, then back lower' },
  { type: 'hide', label: 'Hide', title: 'Never show this profile again' },
];

function actions(item: RankedCandidate, rank: number, onReact: OnReact | undefined): HTMLElement | null {
  if (!onReact) return null;
  const name = item.profile.name;
  return h(
    'div',
    { class: 'card-actions', role: 'group', 'aria-label': `React to ${name}` },
    ...REACTIONS.map((r) => {
      const button = h('button', { type: 'button', class: `react react-${r.type}`, 'data-react': r.type, 'aria-label': `${r.label} ${name}`, title: r.title }, r.label);
      button.addEventListener('click', () => onReact(item.profile.id, r.type, rank));
      return button;
    }),
  );
}

/** What the recommendation layer did to this card, in words; null when it did nothing. */
function adapted(item: RankedCandidate): HTMLElement | null {
  const b = item.breakdown;
  const notes: string[] = [];
  if (item.because) notes.push(`Because you liked ${item.because.name}`);
  if (b.fatigue !== undefined && b.fatigue < 1) notes.push('shown before, ranked a little lower');
  if (b.diversity !== undefined && b.diversity < 1) notes.push('similar role already above');
  return notes.length > 0 ? h('p', { class: 'adapted' }, notes.join(' · ')) : null;
}

function card(user: UserProfile, item: RankedCandidate, rank: number, ctx: FeedContext, onReact?: OnReact): HTMLElement {
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
    adapted(item),
    p.bio ? h('p', { class: 'card-bio' }, p.bio) : null,
    p.tags.length ? tags : null,
    h(
      'div',
      { class: 'bars' },
      ...factors.map((f) => bar(f, item.breakdown[f], f === why.topFactor.factor)),
    ),
    actions(item, rank, onReact),
  );
}

/** Replaces the feed's content; `candidates` is how many the engine holds locally (for the summary line). */
export function renderFeed(
  root: HTMLElement,
  user: UserProfile,
  feed: FeedResult,
  weights: RankWeights,
  candidates: number,
  onReact?: OnReact,
): void {
  const ctx = feedContext(feed.results, feed.ml_applied, weights);
  const of = candidates > 0 ? ` of ${candidates.toLocaleString('en')}` : '';
  const summary = h(
    'div',
    { class: 'feed-summary' },
    // Focusable from script: after a reaction re-ranks, focus lands here when no card is left in that place.
    h('h2', { tabindex: '-1' }, 'Your feed'),
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
    ...feed.results.map((item, i) => card(user, item, i + 1, ctx, onReact)),
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
