/**
 * ETag and If-Match for /profiles/{id} (RFC 9110 §8.8.3, §13.1.1): a profile's version (profile-store.ts) is
 * sent as a strong entity tag, and a write with `If-Match` is applied only while the profile still has one of
 * the listed versions, so a client updates without losing another's update. The store checks the condition
 * atomically with the write; here the header is only parsed and the failure worded.
 */
import type { VersionMatch } from '../store/profile-store';
import { ApiFailure } from './errors';

/** The `ETag` value of a version: a strong entity tag. */
export function etag(version: string): string {
  return `"${version}"`;
}

/** One entity tag: optional weakness marker, then a quoted string of etagc characters (no DQUOTE, no space). */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
/** Most entity tags one If-Match may list: bounds the work of a hostile header. */
const MAX_TAGS = 32;

/**
 * The condition of an `If-Match` header: undefined without one; `'*'` (the profile must exist); else the
 * versions its strong entity tags name. Weak tags never match (If-Match compares strongly) and are dropped, so
 * a list of only weak tags is an empty list, which never matches. A value that is not `*` or a list of entity
 * tags is refused with 422 `validation` naming the header.
 */
export function parseIfMatch(header: string | undefined): VersionMatch | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const items = value.split(',').map((item) => item.trim());
  if (items.length > MAX_TAGS) {
    throw new ApiFailure('validation', `If-Match lists ${items.length} entity tags > ${MAX_TAGS}`, 'If-Match');
  }
  const versions: string[] = [];
  for (const item of items) {
    if (item === '') continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    const tag = ENTITY_TAG.exec(item);
    if (!tag) {
      throw new ApiFailure(
        'validation',
        'If-Match must be * or a comma-separated list of entity tags as sent in ETag (e.g. "1a2b3c4d-42")',
        'If-Match',
      );
    }
    if (!tag[1]) versions.push(tag[2] as string);
  }
  if (versions.length === 0 && items.every((item) => item === '')) {
    throw new ApiFailure('validation', 'If-Match is empty; send * or an entity tag from ETag', 'If-Match');
  }
  return versions;
}

/**
 * The 412 `precondition_failed` for a write whose If-Match did not hold; `current` is the profile's version
 * (sent as ETag, so the client can refetch and retry), undefined when the profile does not exist.
 */
export function preconditionFailed(id: string, current: string | undefined): ApiFailure {
  return current === undefined
    ? new ApiFailure('precondition_failed', `If-Match: profile \`${id}\` does not exist`, 'If-Match')
    : new ApiFailure(
        'precondition_failed',
        `If-Match: profile \`${id}\` has changed, its version is now ${etag(current)}; GET it and retry with that ETag`,
        'If-Match',
        { etag: etag(current) },
      );
}
