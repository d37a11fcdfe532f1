/**
 * The items of `POST /profiles/batch` (`{upsert?: [profile…], delete?: [id…]}`; the body itself is checked by
 * `profileBatchRequestSchema`). A bad item is not a failed request: it becomes an error result of its own and
 * the other items are still written.
 */
import { validateProfile } from '../../shared/profile-schema';
import type { ProfileWrite } from '../store/profile-store';
import { got } from '../../shared/api/common';

/** One item of a bulk write, in input order (upserts, then deletes): a write to apply, or why it was refused. */
export type BatchItem = { write: ProfileWrite } | { id: string | null; error: string };

/** Checks every item of a body that passed `profileBatchRequestSchema`: upserts, then deletes, in input order. */
export function parseProfileBatch(body: { upsert?: unknown[]; delete?: unknown[] }): BatchItem[] {
  return [...(body.upsert ?? []).map(upsertItem), ...(body.delete ?? []).map(deleteItem)];
}

function upsertItem(value: unknown, i: number): BatchItem {
  const checked = validateProfile(value);
  if (checked.ok) return { write: { op: 'put', profile: checked.profile } };
  const given = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).id : undefined;
  const id = typeof given === 'string' && given.length > 0 && given.length <= 128 ? given : null;
  return { id, error: `upsert[${i}]: ${checked.message}` };
}

function deleteItem(value: unknown, i: number): BatchItem {
  if (typeof value === 'string' && value.length >= 1 && value.length <= 128) return { write: { op: 'delete', id: value } };
  return { id: null, error: `delete[${i}] must be a profile id (a string of 1-128 characters), got ${got(value)}` };
}
