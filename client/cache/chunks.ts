/**
 * The on-disk shape of the cache: few large records instead of one per candidate, so 10,000 vectors load in a
 * handful of IndexedDB reads. Pure functions (no IndexedDB) so the packing and the validity rules are unit-tested.
 */
import type { Profile } from '../../shared/types';

/** Bump when the record shapes change; records of another version are dropped and rebuilt. */
export const CACHE_FORMAT = 1;

/** Vectors per record: big enough for few reads, small enough that one bad record loses little. */
export const VECTOR_CHUNK_SIZE = 2000;
export const PROFILE_CHUNK_SIZE = 2000;

/** One record of candidate vectors for one model key. */
export interface VectorChunk {
  format: number;
  modelKey: string;
  dimension: number;
  ids: string[];
  /** Content hash of each profile version the vector was computed from (same order as ids). */
  hashes: string[];
  /** ids.length × dimension, row-major. */
  data: Float32Array;
}

/** One record of candidate profiles, each with the content hash of its embedded text. */
export interface ProfileChunk {
  format: number;
  profiles: Profile[];
  /** contentHash(profile) for each profile (same order), so a warm start hashes nothing. */
  hashes: string[];
}

/** A profile with its content hash. */
export interface HashedProfile {
  profile: Profile;
  hash: string;
}

/** A vector with the content hash it is valid for. */
export interface StoredVector {
  hash: string;
  vector: Float32Array;
}

/** Splits a model's vectors into records of `chunkSize`, in id order (deterministic output). */
export function packVectorChunks(
  modelKey: string,
  dimension: number,
  vectors: ReadonlyMap<string, StoredVector>,
  chunkSize = VECTOR_CHUNK_SIZE,
): VectorChunk[] {
  const ids = [...vectors.keys()].sort();
  const chunks: VectorChunk[] = [];
  for (let start = 0; start < ids.length; start += chunkSize) {
    const part = ids.slice(start, start + chunkSize);
    const data = new Float32Array(part.length * dimension);
    const hashes: string[] = [];
    part.forEach((id, row) => {
      const entry = vectors.get(id)!;
      if (entry.vector.length !== dimension) {
        throw new Error(`vector of ${id} has ${entry.vector.length} dims, expected ${dimension}`);
      }
      data.set(entry.vector, row * dimension);
      hashes.push(entry.hash);
    });
    chunks.push({ format: CACHE_FORMAT, modelKey, dimension, ids: part, hashes, data });
  }
  return chunks;
}

/**
 * Checks a record read back from IndexedDB and returns its vectors, or the reason it is unusable (wrong
 * format or model, missing fields, wrong length, NaN or infinite values). An unusable record is dropped and
 * its vectors recomputed, never half-used.
 */
export function unpackVectorChunk(
  record: unknown,
  expected: { modelKey: string; dimension?: number },
): { ok: true; vectors: Map<string, StoredVector>; dimension: number } | { ok: false; reason: string } {
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'not an object' };
  const r = record as Partial<VectorChunk>;
  if (r.format !== CACHE_FORMAT) return { ok: false, reason: `format ${String(r.format)} != ${CACHE_FORMAT}` };
  if (r.modelKey !== expected.modelKey) return { ok: false, reason: `model key ${String(r.modelKey)} != ${expected.modelKey}` };
  if (typeof r.dimension !== 'number' || !Number.isInteger(r.dimension) || r.dimension <= 0) {
    return { ok: false, reason: 'missing or invalid dimension' };
  }
  if (expected.dimension !== undefined && r.dimension !== expected.dimension) {
    return { ok: false, reason: `dimension ${r.dimension} != ${expected.dimension}` };
  }
  if (!Array.isArray(r.ids) || !Array.isArray(r.hashes) || !(r.data instanceof Float32Array)) {
    return { ok: false, reason: 'missing ids, hashes or data' };
  }
  if (r.ids.length !== r.hashes.length) return { ok: false, reason: 'ids and hashes differ in length' };
  if (r.data.length !== r.ids.length * r.dimension) {
    return { ok: false, reason: `data has ${r.data.length} values, expected ${r.ids.length}×${r.dimension}` };
  }
  const data = r.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) return { ok: false, reason: `non-finite value at ${i}` };
  }
  const vectors = new Map<string, StoredVector>();
  for (let row = 0; row < r.ids.length; row++) {
    const id = r.ids[row];
    const hash = r.hashes[row];
    if (typeof id !== 'string' || typeof hash !== 'string') return { ok: false, reason: `bad id or hash at row ${row}` };
    vectors.set(id, { hash, vector: data.subarray(row * r.dimension, (row + 1) * r.dimension) });
  }
  return { ok: true, vectors, dimension: r.dimension };
}

/** Identifies a vector record's content: ids, hashes and a checksum of the vectors' bits. */
export function vectorChunkFingerprint(chunk: VectorChunk): string {
  const words = new Uint32Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.length);
  // FNV-1a over the 32-bit words: about a millisecond per 2,000 × 384 record.
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return `${chunk.format}|${chunk.modelKey}|${chunk.dimension}|${(h >>> 0).toString(16)}|${chunk.ids.join(',')}|${chunk.hashes.join(',')}`;
}

/** Identifies a profile record's content (the record is plain JSON). */
export function profileChunkFingerprint(chunk: ProfileChunk): string {
  return JSON.stringify(chunk);
}

/** Splits profiles into records in id order. */
export function packProfileChunks(entries: Iterable<HashedProfile>, chunkSize = PROFILE_CHUNK_SIZE): ProfileChunk[] {
  const sorted = [...entries].sort((a, b) => (a.profile.id < b.profile.id ? -1 : a.profile.id > b.profile.id ? 1 : 0));
  const chunks: ProfileChunk[] = [];
  for (let start = 0; start < sorted.length; start += chunkSize) {
    const part = sorted.slice(start, start + chunkSize);
    chunks.push({ format: CACHE_FORMAT, profiles: part.map((e) => e.profile), hashes: part.map((e) => e.hash) });
  }
  return chunks;
}

/** A score feature the shared ranker accepts: rankCandidates throws on anything outside [0, 1]. */
function isUnit(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

/**
 * True when a value has every field of a Profile with the right type and diligence and engagement in [0, 1].
 * Not shared/profile-schema's validateProfile: that would bring zod into the browser bundle and take tens of
 * milliseconds per 10,000 candidates on every warm start, for records this module wrote itself.
 */
export function isProfile(value: unknown): value is Profile {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.id === 'string' &&
    p.id.length > 0 &&
    typeof p.name === 'string' &&
    typeof p.headline === 'string' &&
    typeof p.bio === 'string' &&
    Array.isArray(p.tags) &&
    p.tags.every((t) => typeof t === 'string') &&
    isUnit(p.diligence) &&
    isUnit(p.engagement) &&
    typeof p.updated_at === 'string'
  );
}

/** Checks a profile record; a record with any bad profile is unusable as a whole. */
export function unpackProfileChunk(record: unknown): { ok: true; entries: HashedProfile[] } | { ok: false; reason: string } {
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'not an object' };
  const r = record as Partial<ProfileChunk>;
  if (r.format !== CACHE_FORMAT) return { ok: false, reason: `format ${String(r.format)} != ${CACHE_FORMAT}` };
  if (!Array.isArray(r.profiles) || !Array.isArray(r.hashes)) return { ok: false, reason: 'missing profiles or hashes' };
  if (r.profiles.length !== r.hashes.length) return { ok: false, reason: 'profiles and hashes differ in length' };
  const entries: HashedProfile[] = [];
  for (let i = 0; i < r.profiles.length; i++) {
    const profile: unknown = r.profiles[i];
    const hash: unknown = r.hashes[i];
    if (!isProfile(profile)) return { ok: false, reason: `invalid profile at ${i}` };
    if (typeof hash !== 'string' || hash.length === 0) return { ok: false, reason: `invalid hash at ${i}` };
    entries.push({ profile, hash });
  }
  return { ok: true, entries };
}
