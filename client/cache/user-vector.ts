/**
 * The user's own vector, kept in IndexedDB like the candidates' so a repeat visit with an unchanged profile
 * ranks before the model has loaded. One record: the last profile text the device embedded, keyed by the
 * model key and the content hash of that text (the model key names the prompts, so the raw text's hash is
 * enough). Pure functions, unit-tested; FeedCache stores the record.
 */
import { CACHE_FORMAT } from './chunks';

/** The stored record. */
export interface UserVectorRecord {
  format: number;
  modelKey: string;
  /** sha256Hex(profileToText(user)): the text the vector was computed from. */
  hash: string;
  dimension: number;
  vector: Float32Array;
}

/** A record for this vector (copied: the caller's array may be a view into a worker's transferred buffer). */
export function packUserVector(modelKey: string, hash: string, vector: Float32Array): UserVectorRecord {
  return { format: CACHE_FORMAT, modelKey, hash, dimension: vector.length, vector: Float32Array.from(vector) };
}

/**
 * The stored vector when the record is valid and belongs to this model key and text; else why not. A record
 * for another text or model is not an error (the user edited the profile, the model changed): `reason` says
 * so and the caller embeds with the model.
 */
export function unpackUserVector(
  record: unknown,
  expected: { modelKey: string; hash: string; dimension?: number },
): { ok: true; vector: Float32Array } | { ok: false; reason: string; corrupt: boolean } {
  if (record === undefined) return { ok: false, reason: 'none stored', corrupt: false };
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'not an object', corrupt: true };
  const r = record as Partial<UserVectorRecord>;
  if (r.format !== CACHE_FORMAT) return { ok: false, reason: `format ${String(r.format)} != ${CACHE_FORMAT}`, corrupt: true };
  if (typeof r.modelKey !== 'string' || typeof r.hash !== 'string') return { ok: false, reason: 'missing model key or hash', corrupt: true };
  if (!(r.vector instanceof Float32Array) || r.dimension !== r.vector.length || r.vector.length === 0) {
    return { ok: false, reason: 'missing vector or wrong length', corrupt: true };
  }
  for (let i = 0; i < r.vector.length; i++) {
    if (!Number.isFinite(r.vector[i]!)) return { ok: false, reason: `non-finite value at ${i}`, corrupt: true };
  }
  if (r.modelKey !== expected.modelKey) return { ok: false, reason: 'stored for another model key', corrupt: false };
  if (expected.dimension !== undefined && r.dimension !== expected.dimension) {
    return { ok: false, reason: `dimension ${r.dimension} != ${expected.dimension}`, corrupt: false };
  }
  if (r.hash !== expected.hash) return { ok: false, reason: 'stored for another profile text', corrupt: false };
  return { ok: true, vector: r.vector };
}
