/**
 * The sync cursor: opaque to clients, a base64url JSON of where a pull stopped.
 *
 * - `e` epoch: identity of the change log (a random id per memory store, per Redis key space); a cursor of
 *   another epoch means the log it points into no longer exists.
 * - `s` seq: the last change sequence the client has applied.
 * - `b` baseline: for a pull that started from nothing, the log head at its first page. Tombstones at or
 *   below it are of profiles that client never saw, so they are skipped instead of sent.
 * - `h` shape: `shapeKey` of the shape the pull is of (shape.ts); absent for the whole set.
 */

/** Decoded cursor fields. */
export interface CursorState {
  epoch: string;
  seq: number;
  baseline: number;
  /** `shapeKey` of the pull's shape, '' for the whole set. */
  shape: string;
}

/** Cursors longer than this are not ours: refuse before parsing. */
const MAX_CURSOR_CHARS = 512;

/** The opaque cursor string for `state` (base64url JSON, version 1). */
export function encodeCursor(state: CursorState): string {
  const fields = { v: 1, e: state.epoch, s: state.seq, b: state.baseline, ...(state.shape ? { h: state.shape } : {}) };
  const json = JSON.stringify(fields);
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** The cursor's fields, or undefined when it is malformed (the store answers 'must_refetch' then). */
export function decodeCursor(cursor: string): CursorState | undefined {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, e, s, b, h } = parsed as Record<string, unknown>;
  if (v !== 1 || typeof e !== 'string' || e.length === 0) return undefined;
  if (!isSeq(s) || !isSeq(b)) return undefined;
  if (h !== undefined && (typeof h !== 'string' || h === '')) return undefined;
  return { epoch: e, seq: s, baseline: b, shape: h ?? '' };
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Whether a cursor can still be served by a log whose head is `head` and whose pruned tombstones reach up to
 * `floor`: a tombstone the client still needs (above both its seq and its baseline) must not have been pruned.
 */
export function cursorIsServable(state: CursorState, epoch: string, head: number, floor: number): boolean {
  if (state.epoch !== epoch) return false;
  if (state.seq > head || state.baseline > head) return false;
  return floor <= Math.max(state.seq, state.baseline);
}
