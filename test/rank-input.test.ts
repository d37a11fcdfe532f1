/**
 * The query and weights checks POST /feed and /ml/profiles/rank(/batch) share (server/http/rank-input.ts):
 * exactly one query field, weights in [0, 1] that are not all zero, messages naming the field's path.
 */
import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../server/http/errors';
import { optionalWeights, queryProfileField } from '../server/http/rank-input';

const base = { similarity: 0.6, diligence: 0.3, engagement: 0.1 };
const inBatch = (name: string) => `requests[2].${name}`;

function failure(run: () => unknown): ApiFailure {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error('expected an ApiFailure');
}

describe('queryProfileField', () => {
  it('names the one query field given and rejects none or both, with the path', () => {
    expect(queryProfileField({ profile_id: 'p1' })).toBe('profile_id');
    expect(queryProfileField({ profile: { name: 'A' }, profile_id: null })).toBe('profile');
    expect(failure(() => queryProfileField({})).message).toBe('give exactly one of `profile_id` or `profile`');
    const both = failure(() => queryProfileField({ profile_id: 'p1', profile: {} }, inBatch));
    expect(both.message).toBe('give exactly one of `requests[2].profile_id` or `requests[2].profile`');
  });
});

describe('optionalWeights', () => {
  it('returns only the given weights, or undefined without an object', () => {
    expect(optionalWeights(undefined, 'weights', base)).toBeUndefined();
    expect(optionalWeights(null, 'weights', base)).toBeUndefined();
    expect(optionalWeights({ similarity: 0 }, 'weights', base)).toEqual({ similarity: 0 });
    expect(optionalWeights({}, 'weights', base)).toEqual({});
  });

  it('rejects a value out of range, a non-object and all-zero weights, naming the field', () => {
    expect(failure(() => optionalWeights({ diligence: 1.5 }, inBatch('weights'), base)).message).toMatch(
      /^`requests\[2\]\.weights\.diligence` must be a number in \[0, 1\]/,
    );
    expect(failure(() => optionalWeights([1, 0, 0], 'weights', base)).message).toMatch(/^`weights` must be an object/);
    const zero = failure(() => optionalWeights({ similarity: 0, diligence: 0, engagement: 0 }, 'weights', base));
    expect(zero.message).toMatch(/^`weights`: /);
    // Zeros merged over a base that still has weight are fine.
    expect(optionalWeights({ similarity: 0, diligence: 0 }, 'weights', base)).toEqual({ similarity: 0, diligence: 0 });
  });
});
