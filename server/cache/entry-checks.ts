/** The read and write conditions both backends apply, in one place so they cannot drift apart. */
import type { CachedEmbedding, ProfileReadOptions, ProfileWriteOptions } from './embedding-cache';

/** The entry if it passes the read checks for position `i`, else undefined (a miss). */
export function acceptProfileEntry(
  entry: CachedEmbedding | undefined,
  i: number,
  options: ProfileReadOptions | undefined,
): CachedEmbedding | undefined {
  if (!entry || !options) return entry;
  if (options.modelKey !== undefined && entry.modelKey !== options.modelKey) return undefined;
  if (options.contentHashes && entry.contentHash !== options.contentHashes[i]) return undefined;
  return entry;
}

/** A text entry is served only under its own model key and text hash (defence against a corrupt value). */
export function acceptTextEntry(
  entry: CachedEmbedding | undefined,
  modelKey: string,
  textHash: string,
): CachedEmbedding | undefined {
  return entry && entry.modelKey === modelKey && entry.contentHash === textHash ? entry : undefined;
}

/** Whether entry `i` passes the content-hash condition of a write (the ticket is checked by the backend). */
export function contentHashAllowsWrite(
  entry: CachedEmbedding,
  i: number,
  options: ProfileWriteOptions | undefined,
): boolean {
  return !options?.currentContentHashes || options.currentContentHashes[i] === entry.contentHash;
}

/** TTL settings are validated once, at construction: a bad value is a configuration error. */
export function checkTtlSeconds(ttlSeconds: number, name = 'ttlSeconds'): number {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`embedding cache: ${name} must be an integer >= 1 (seconds), got ${ttlSeconds}`);
  }
  return ttlSeconds;
}
