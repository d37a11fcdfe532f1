import { describe, expect, it } from 'vitest';
import { inlineProfile } from '../shared/api/feed';
import { issueError } from '../shared/api/common';
import { PROFILE_LIMITS, formatPath, validateProfile } from '../shared/profile-schema';
import type { Profile } from '../shared/types';

const valid = {
  id: 'founder-001',
  name: 'Grace Hopper',
  headline: 'CTO at Compilers Inc.',
  bio: 'Making machines speak human.',
  tags: ['devtools', 'compilers'],
  diligence: 0.9,
  engagement: 0.35,
  updated_at: '2026-03-01T09:30:00Z',
};

const fixedNow = () => new Date('2026-11-25T03:00:00.000Z');

function fails(input: unknown) {
  const r = validateProfile(input, { now: fixedNow });
  if (r.ok) throw new Error(`expected a validation failure, got ${JSON.stringify(r.profile)}`);
  return r;
}

describe('validateProfile', () => {
  it('accepts a valid profile unchanged', () => {
    expect(validateProfile(valid)).toEqual({ ok: true, profile: valid });
  });

  it('fills defaults: headline, bio, tags empty; updated_at now', () => {
    const r = validateProfile({ id: 'x', name: 'X', diligence: 0, engagement: 1 }, { now: fixedNow });
    expect(r).toEqual({
      ok: true,
      profile: { id: 'x', name: 'X', headline: '', bio: '', tags: [], diligence: 0, engagement: 1, updated_at: '2026-11-25T03:00:00.000Z' },
    });
  });

  it('stamps a missing updated_at with the real clock by default', () => {
    const before = Date.now();
    const r = validateProfile({ id: 'x', name: 'X', diligence: 0, engagement: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const t = Date.parse(r.profile.updated_at);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    }
  });

  it('drops unknown fields', () => {
    const r = validateProfile({ ...valid, password: 'x', extra: 1 });
    expect(r.ok && Object.keys(r.profile).sort()).toEqual(Object.keys(valid).sort());
  });

  it('accepts the exact limits', () => {
    const L = PROFILE_LIMITS;
    const r = validateProfile({
      ...valid,
      id: 'i'.repeat(L.idMaxLength),
      name: 'n'.repeat(L.nameMaxLength),
      headline: 'h'.repeat(L.headlineMaxLength),
      bio: 'b'.repeat(L.bioMaxLength),
      tags: Array.from({ length: L.maxTags }, (_, i) => `${i}`.padEnd(L.tagMaxLength, 't')),
      diligence: 1,
      engagement: 0,
    });
    expect(r.ok).toBe(true);
  });

  it.each([
    [{ diligence: 1.7 }, 'diligence', '"diligence" must be a number in [0, 1], got 1.7'],
    [{ diligence: -0.01 }, 'diligence', '"diligence" must be a number in [0, 1], got -0.01'],
    [{ engagement: '0.5' }, 'engagement', '"engagement" must be a number in [0, 1], got "0.5"'],
    [{ engagement: null }, 'engagement', '"engagement" must be a number in [0, 1], got null'],
    [{ id: '' }, 'id', '"id" must be a string of 1-128 characters, got ""'],
    [{ id: 'x'.repeat(129) }, 'id', '"id" must be a string of 1-128 characters, got a string of 129 characters'],
    [{ id: 42 }, 'id', '"id" must be a string of 1-128 characters, got 42'],
    [{ id: 'a\nb' }, 'id', '"id" must not contain control characters, got "a\\nb"'],
    [{ name: '   ' }, 'name', '"name" must be a non-empty string of at most 200 characters, got "   "'],
    [{ name: 'n'.repeat(201) }, 'name', '"name" must be a non-empty string of at most 200 characters, got a string of 201 characters'],
    [{ headline: 'h'.repeat(301) }, 'headline', '"headline" must be a string of at most 300 characters, got a string of 301 characters'],
    [{ bio: 'b'.repeat(5001) }, 'bio', '"bio" must be a string of at most 5000 characters, got a string of 5001 characters'],
    [{ tags: 'ai' }, 'tags', '"tags" must be an array of at most 50 strings, got "ai"'],
    [{ tags: Array(51).fill('t') }, 'tags', '"tags" must be an array of at most 50 strings, got an array of 51 items'],
    [{ tags: ['ok', 't'.repeat(65)] }, 'tags[1]', '"tags[1]" must be a string of 1-64 characters, got a string of 65 characters'],
    [{ tags: ['ok', ''] }, 'tags[1]', '"tags[1]" must be a string of 1-64 characters, got ""'],
    [{ tags: ['ok', 3] }, 'tags[1]', '"tags[1]" must be a string of 1-64 characters, got 3'],
    [{ updated_at: 'yesterday' }, 'updated_at', '"updated_at" must be an ISO 8601 date-time with a time zone, e.g. "2026-01-31T12:00:00Z", got "yesterday"'],
    [{ updated_at: '2026-03-01T09:30:00' }, 'updated_at', expect.stringContaining('"updated_at" must be an ISO 8601 date-time with a time zone')],
  ])('rejects %j naming the field and the limit', (patch, field, message) => {
    expect(fails({ ...valid, ...patch })).toEqual({ ok: false, field, message });
  });

  it('names a missing required field', () => {
    const { diligence: _d, ...noDiligence } = valid;
    expect(fails(noDiligence)).toEqual({
      ok: false,
      field: 'diligence',
      message: '"diligence" is required and must be a number in [0, 1]',
    });
    const { name: _n, ...noName } = valid;
    expect(fails(noName).message).toBe('"name" is required and must be a non-empty string of at most 200 characters');
  });

  it('rejects NaN and infinities (possible from JS callers, not from JSON)', () => {
    expect(fails({ ...valid, diligence: NaN }).message).toBe('"diligence" must be a number in [0, 1], got NaN');
    expect(fails({ ...valid, engagement: Infinity }).field).toBe('engagement');
  });

  it('rejects non-objects at the root', () => {
    for (const input of [null, 'profile', 42, [valid]]) {
      expect(fails(input).field).toBe('profile');
    }
    expect(fails(null).message).toBe('"profile" must be a JSON object, got null');
  });

  it('accepts ISO 8601 times with offsets and fractions', () => {
    for (const t of ['2026-03-01T09:30:00+02:00', '2026-03-01T09:30:00.123Z', '2026-03-01T09:30:00.123456-05:30']) {
      expect(validateProfile({ ...valid, updated_at: t }).ok).toBe(true);
    }
  });
});

describe('inline user profile (shared/api/feed.ts)', () => {
  const schema = inlineProfile(4096);
  const fail = (input: unknown) => {
    const r = schema.safeParse(input);
    if (r.success) throw new Error('expected a failure');
    return issueError(r.error.issues, 'profile');
  };
  const query = (fields: Partial<Profile>) => ({
    id: '',
    name: '',
    headline: '',
    bio: '',
    tags: [],
    diligence: 0,
    engagement: 0,
    updated_at: new Date(0).toISOString(),
    ...fields,
  });

  it('accepts any single non-empty text field and fills the rest', () => {
    expect(schema.parse({ bio: 'Looking for a climate co-founder' })).toEqual(query({ bio: 'Looking for a climate co-founder' }));
    expect(schema.parse({ tags: ['fintech'] })).toEqual(query({ tags: ['fintech'] }));
  });

  it('keeps an optional id and needs no scores or time', () => {
    expect(schema.parse({ id: 'me', name: 'Me', diligence: 5, updated_at: 'whenever' })).toEqual(query({ id: 'me', name: 'Me' }));
  });

  it('rejects a profile with no text at all as an empty input', () => {
    // Control characters are dropped from the embedded text, so they are no text either.
    for (const input of [{}, { name: '  ', bio: '\n' }, { id: 'me' }, { name: '\u0000\u0007', tags: ['\u001b'] }]) {
      expect(fail(input)).toEqual({
        errorType: 'empty_input',
        param: null,
        message: 'profile must have at least one non-empty field of name, headline, bio, tags',
      });
    }
  });

  it('applies the same field limits as candidate profiles, and max_text_bytes to the text', () => {
    expect(fail({ bio: 'b'.repeat(5001) })).toEqual({
      errorType: 'validation',
      param: 'bio',
      message: '`bio` must be a string of at most 5000 characters, got a string of 5001 characters',
    });
    expect(fail({ name: 'x', tags: [''] })).toMatchObject({ param: 'tags[0]' });
    expect(fail({ name: 'x', id: '' })).toMatchObject({ param: 'id' });
    expect(fail('me')).toMatchObject({ param: null, errorType: 'validation' });
    expect(inlineProfile(10).safeParse({ name: 'more than ten bytes!' }).error?.issues[0]?.message).toBe(
      'makes a text of 20 bytes > max_text_bytes 10',
    );
  });
});

describe('formatPath', () => {
  it('formats nested paths', () => {
    expect(formatPath(['tags', 3], 'profile')).toBe('tags[3]');
    expect(formatPath(['requests', 0, 'profile', 'bio'], 'body')).toBe('requests[0].profile.bio');
    expect(formatPath([], 'profile')).toBe('profile');
  });
});
