/**
 * The browser cache's pure parts: packing candidates and vectors into few large records and the validity rules
 * applied when reading them back (wrong model, wrong length, NaN, missing fields), plus the candidate set's
 * rule that a vector is valid only for the content hash it was computed from.
 */
import { describe, expect, it } from 'vitest';
import {
  CACHE_FORMAT,
  packProfileChunks,
  packVectorChunks,
  profileChunkFingerprint,
  unpackProfileChunk,
  unpackVectorChunk,
  vectorChunkFingerprint,
  type StoredVector,
} from '../client/cache/chunks';
import { CandidateSet } from '../client/engine/candidate-set';
import { contentHash } from '../shared/profile-text';
import type { Profile } from '../shared/types';

const KEY = 'nearfeed-test|fp32|128';

function profile(i: number, bio = `bio ${i}`): Profile {
  return {
    id: `p-${String(i).padStart(5, '0')}`,
    name: `Person ${i}`,
    headline: 'Founder',
    bio,
    tags: ['a', 'b'],
    diligence: (i % 10) / 10,
    engagement: ((i * 7) % 10) / 10,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

function vectors(n: number, dim: number): Map<string, StoredVector> {
  const out = new Map<string, StoredVector>();
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) v[d] = Math.sin(i * 31 + d);
    out.set(profile(i).id, { hash: `h${i}`, vector: v });
  }
  return out;
}

describe('vector chunks', () => {
  it('packs 10,000 vectors into 5 records and reads back every vector bit for bit', () => {
    const dim = 384;
    const input = vectors(10_000, dim);
    const chunks = packVectorChunks(KEY, dim, input, 2000);
    expect(chunks).toHaveLength(5);
    expect(chunks.every((c) => c.data.length === c.ids.length * dim)).toBe(true);
    const back = new Map<string, StoredVector>();
    for (const c of chunks) {
      const r = unpackVectorChunk(structuredClone(c), { modelKey: KEY, dimension: dim });
      expect(r.ok).toBe(true);
      if (r.ok) for (const [id, v] of r.vectors) back.set(id, v);
    }
    expect(back.size).toBe(10_000);
    for (const [id, v] of input) {
      expect(back.get(id)!.hash).toBe(v.hash);
      expect(Array.from(back.get(id)!.vector)).toEqual(Array.from(v.vector));
    }
  });

  it('rejects another model key, another dimension, a wrong length, NaN, missing fields and old formats', () => {
    const [chunk] = packVectorChunks(KEY, 4, vectors(3, 4));
    const bad: Array<[string, unknown, string]> = [
      ['model', chunk, 'model key'],
      ['dimension', { ...chunk!, dimension: 5 }, 'dimension'],
      ['length', { ...chunk!, data: new Float32Array(11) }, 'expected 3×4'],
      ['nan', { ...chunk!, data: Float32Array.from(chunk!.data, (x, i) => (i === 7 ? Number.NaN : x)) }, 'non-finite'],
      ['inf', { ...chunk!, data: Float32Array.from(chunk!.data, (x, i) => (i === 0 ? Infinity : x)) }, 'non-finite'],
      ['hashes', { ...chunk!, hashes: ['h0'] }, 'differ in length'],
      ['missing', { format: CACHE_FORMAT, modelKey: KEY, dimension: 4 }, 'missing'],
      ['format', { ...chunk!, format: CACHE_FORMAT + 1 }, 'format'],
      ['null', null, 'not an object'],
    ];
    for (const [name, record, reason] of bad) {
      const expected = name === 'model' ? { modelKey: 'other|fp32|128' } : { modelKey: KEY, dimension: 4 };
      const r = unpackVectorChunk(record, expected);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.reason, name).toContain(reason);
    }
  });
});

describe('record fingerprints (a save skips records it already wrote)', () => {
  it('change with any vector value, id, hash or profile field, and only then', () => {
    const vs = vectors(50, 8);
    const [chunk] = packVectorChunks(KEY, 8, vs);
    const print = vectorChunkFingerprint(chunk!);
    expect(vectorChunkFingerprint(structuredClone(chunk!))).toBe(print);
    const data = chunk!.data.slice();
    data[123] = Math.fround(data[123]! + 1e-6);
    expect(vectorChunkFingerprint({ ...chunk!, data })).not.toBe(print);
    expect(vectorChunkFingerprint({ ...chunk!, hashes: chunk!.hashes.map((h, i) => (i === 7 ? 'x' : h)) })).not.toBe(print);
    expect(vectorChunkFingerprint({ ...chunk!, ids: chunk!.ids.map((id, i) => (i === 7 ? 'x' : id)) })).not.toBe(print);

    const [pc] = packProfileChunks([1, 2].map((i) => ({ profile: profile(i), hash: `h${i}` })));
    const edited = { ...pc!, profiles: [pc!.profiles[0]!, { ...pc!.profiles[1]!, engagement: 0.01 }] };
    expect(profileChunkFingerprint(structuredClone(pc!))).toBe(profileChunkFingerprint(pc!));
    expect(profileChunkFingerprint(edited)).not.toBe(profileChunkFingerprint(pc!));
  });
});

describe('profile chunks', () => {
  it('round-trips profiles with their hashes in id order', () => {
    const entries = [3, 1, 2].map((i) => ({ profile: profile(i), hash: `h${i}` }));
    const [chunk] = packProfileChunks(entries);
    const r = unpackProfileChunk(structuredClone(chunk));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.entries.map((e) => [e.profile.id, e.hash])).toEqual([
      ['p-00001', 'h1'],
      ['p-00002', 'h2'],
      ['p-00003', 'h3'],
    ]);
  });

  it('drops a record holding any invalid profile', () => {
    const [chunk] = packProfileChunks([{ profile: profile(1), hash: 'h1' }]);
    const broken = { ...chunk!, profiles: [{ ...profile(1), diligence: 'high' }] };
    const r = unpackProfileChunk(broken);
    expect(r.ok).toBe(false);
    expect(unpackProfileChunk({ ...chunk!, hashes: [] }).ok).toBe(false);
  });

  it('drops a record whose diligence or engagement is outside [0, 1], which would make every rank throw', () => {
    const [chunk] = packProfileChunks([{ profile: profile(1), hash: 'h1' }]);
    for (const bad of [{ diligence: 1.5 }, { diligence: -0.1 }, { engagement: 2 }, { engagement: Number.NaN }]) {
      const r = unpackProfileChunk({ ...chunk!, profiles: [{ ...profile(1), ...bad }] });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.reason).toBe('invalid profile at 0');
    }
    // The bounds themselves are valid scores.
    expect(unpackProfileChunk({ ...chunk!, profiles: [{ ...profile(1), diligence: 0, engagement: 1 }] }).ok).toBe(true);
  });
});

describe('candidate set validity', () => {
  it('reuses cached vectors whose hash matches and marks exactly the edited candidate missing', async () => {
    const profiles = [0, 1, 2].map((i) => profile(i));
    const entries = await Promise.all(profiles.map(async (p) => ({ profile: p, hash: await contentHash(p) })));
    const cached = new Map(entries.map((e, i) => [e.profile.id, { hash: e.hash, vector: new Float32Array([i, 1]) }]));
    const set = new CandidateSet();
    set.load(entries, cached);
    expect((await set.reconcile()).missing).toEqual([]);

    // Text edit: new hash, vector stale.
    set.put(profile(1, 'a completely different bio'), null);
    // Score-only edit: same text, same hash, vector kept.
    set.put({ ...profile(2), diligence: 0.99 }, null);
    const { missing, adoptedServerVectors } = await set.reconcile();
    expect(missing).toEqual(['p-00001']);
    expect(adoptedServerVectors).toBe(0);
    expect(set.complete()).toBe(false);

    // A vector computed from the text before the edit is refused.
    expect(set.setVector('p-00001', new Float32Array([7, 7]), entries[1]!.hash)).toBe(false);
    expect(set.setVector('p-00001', new Float32Array([9, 9]), set.hashOf('p-00001')!)).toBe(true);
    expect(set.complete()).toBe(true);
    const m = set.packed(2);
    expect(m.ids).toEqual(['p-00000', 'p-00001', 'p-00002']);
    expect(Array.from(m.vectors)).toEqual([0, 1, 9, 9, 2, 1]);
    expect(m.diligence[2]).toBe(0.99);
    expect(set.packed(2)).toBe(m); // reused until the set changes
  });

  it('adopts a server vector for the version it came with and forgets removed candidates', async () => {
    const set = new CandidateSet();
    set.put(profile(5), new Float32Array([1, 0]));
    set.put(profile(6), null);
    const r = await set.reconcile();
    expect(r.adoptedServerVectors).toBe(1);
    expect(r.missing).toEqual(['p-00006']);
    set.remove('p-00005');
    expect(set.size).toBe(1);
    expect(set.validVectors().size).toBe(0);
  });
});
