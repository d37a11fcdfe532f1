/**
 * The one ranking request of POST /feed, /ml/profiles/rank and its batch items (shared/api/feed.ts
 * rankRequestSchema) and its translation for the ranking service (server/http/rank-input.ts toRankRequest):
 * exactly one query field, weights in [0, 1] not all zero, one set of limits, messages naming the field.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueError } from '../shared/api/common';
import { DEFAULT_RANK_LIMIT, MAX_RANK_IDS, MAX_RANK_LIMIT, rankRequestSchema } from '../shared/api/feed';
import { rankBatchRequestSchema } from '../shared/api/ml';
import { toRankRequest } from '../server/http/rank-input';

const limits = { maxBatchSize: 4, maxTextBytes: 4096, weights: { similarity: 0.6, diligence: 0.3, engagement: 0.1 } };
const schema = rankRequestSchema(limits);

function errorOf(s: z.ZodType, value: unknown) {
  const r = s.safeParse(value);
  if (r.success) throw new Error(`expected a failure, parsed ${JSON.stringify(r.data)}`);
  return issueError(r.error.issues);
}

describe('rankRequestSchema', () => {
  it('wants exactly one of profile_id and profile, naming the path inside a batch', () => {
    expect(errorOf(schema, {}).message).toContain('give exactly one of `profile_id` or `profile`');
    expect(errorOf(schema, { profile_id: 'p1', profile: { name: 'A' } }).message).toContain('exactly one');
    const batch = rankBatchRequestSchema(limits);
    expect(errorOf(batch, { requests: [{ profile_id: 'p1' }, { profile_id: 7 }] }).message).toContain('requests[1].profile_id');
  });

  it('checks weights: each in [0, 1], not all zero once merged over the configured ones', () => {
    expect(errorOf(schema, { profile_id: 'p1', weights: { diligence: 1.5 } }).message).toContain('weights.diligence');
    expect(errorOf(schema, { profile_id: 'p1', weights: [1, 0, 0] }).message).toContain('weights');
    expect(errorOf(schema, { profile_id: 'p1', weights: { similarity: 0, diligence: 0, engagement: 0 } }).message).toContain(
      'weights',
    );
    expect(schema.parse({ profile_id: 'p1', weights: { similarity: 0, diligence: 0 } }).weights).toEqual({
      similarity: 0,
      diligence: 0,
    });
  });

  it('one set of limits for limit, candidate_ids and exclude_ids', () => {
    expect(schema.parse({ profile_id: 'p1', limit: MAX_RANK_LIMIT }).limit).toBe(MAX_RANK_LIMIT);
    expect(errorOf(schema, { profile_id: 'p1', limit: MAX_RANK_LIMIT + 1 }).message).toContain(`${MAX_RANK_LIMIT}`);
    expect(errorOf(schema, { profile_id: 'p1', limit: 0 }).message).toContain('limit');
    const tooMany = Array.from({ length: MAX_RANK_IDS + 1 }, (_, i) => `c${i}`);
    expect(errorOf(schema, { profile_id: 'p1', candidate_ids: tooMany }).message).toContain('candidate_ids');
    expect(errorOf(schema, { profile_id: 'p1', exclude_ids: tooMany }).message).toContain('exclude_ids');
  });
});

describe('toRankRequest', () => {
  it('maps a stored query with its field path, the default limit and only the options given', () => {
    const stored = toRankRequest(schema.parse({ profile_id: 'p1' }), 'requests[2]');
    expect(stored).toMatchObject({ query: { profileId: 'p1', field: 'requests[2].profile_id' }, limit: DEFAULT_RANK_LIMIT });
    expect(stored.candidateIds).toBeUndefined();
    expect(stored.excludeIds).toBeUndefined();
    expect(stored.weights).toBeUndefined();
    const inline = toRankRequest(
      schema.parse({ profile: { name: 'Ana' }, exclude_ids: ['x'], candidate_ids: ['y'], limit: 3, weights: { similarity: 1 } }),
      '',
    );
    expect(inline).toMatchObject({ candidateIds: ['y'], excludeIds: ['x'], limit: 3, weights: { similarity: 1 } });
    expect('profile' in inline.query && inline.query.profile).toMatchObject({ id: '', name: 'Ana', diligence: 0 });
  });
});
