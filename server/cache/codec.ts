/**
 * Binary value format of a cache entry (one Redis string, so a batch is one MGET):
 *
 *   offset  size  field
 *   0       4     magic "NFE1" (format version 1)
 *   4       2     uint16 LE  byte length M of the model key (UTF-8)
 *   6       M     model key  (`modelKey(model, dtype, maxSeqLength)`)
 *   6+M     2     uint16 LE  byte length H of the content hash (UTF-8)
 *   8+M     H     content hash
 *   8+M+H   4     uint32 LE  dimension D
 *   12+M+H  4·D   the vector, float32 little-endian
 *
 * Anything that does not parse exactly (wrong magic, lengths that do not add up) decodes to undefined and is
 * treated as a miss, never as a wrong vector.
 */
import { float32FromLEBytes, float32ToLEBytes } from '../../shared/base64';
import type { CachedEmbedding } from './embedding-cache';

const MAGIC = Buffer.from('NFE1', 'latin1');
const MAX_FIELD_BYTES = 0xffff;

/** Encodes an entry in the format above; throws RangeError when model key or hash exceed 65,535 bytes. */
export function encodeEntry(entry: CachedEmbedding): Buffer {
  const model = Buffer.from(entry.modelKey, 'utf8');
  const hash = Buffer.from(entry.contentHash, 'utf8');
  if (model.length > MAX_FIELD_BYTES || hash.length > MAX_FIELD_BYTES) {
    throw new RangeError(`cache entry: model key and content hash must be at most ${MAX_FIELD_BYTES} bytes`);
  }
  const dim = entry.vector.length;
  const out = Buffer.allocUnsafe(12 + model.length + hash.length + 4 * dim);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt16LE(model.length, at);
  at += model.copy(out, at);
  at = out.writeUInt16LE(hash.length, at);
  at += hash.copy(out, at);
  at = out.writeUInt32LE(dim, at);
  out.set(float32ToLEBytes(entry.vector), at);
  return out;
}

/** Decodes a stored value; undefined for anything that is not exactly one well-formed entry. */
export function decodeEntry(buf: Buffer | null | undefined): CachedEmbedding | undefined {
  if (!buf || buf.length < 12 || !buf.subarray(0, 4).equals(MAGIC)) return undefined;
  let at = 4;
  const modelLen = buf.readUInt16LE(at);
  at += 2;
  if (at + modelLen + 2 > buf.length) return undefined;
  const modelKey = buf.toString('utf8', at, at + modelLen);
  at += modelLen;
  const hashLen = buf.readUInt16LE(at);
  at += 2;
  if (at + hashLen + 4 > buf.length) return undefined;
  const contentHash = buf.toString('utf8', at, at + hashLen);
  at += hashLen;
  const dim = buf.readUInt32LE(at);
  at += 4;
  if (buf.length - at !== 4 * dim) return undefined;
  // The same little-endian float32 bytes as the base64 wire format (shared/base64.ts), copied out.
  return { vector: float32FromLEBytes(buf.subarray(at)), modelKey, contentHash };
}
