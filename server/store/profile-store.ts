/** Candidate profiles and their change log. Implemented in memory (default) and on Redis. */
import type { Profile } from '../../shared/types';

/** One entry of the change log, in change order. */
export type ProfileChange = { op: 'put'; profile: Profile } | { op: 'delete'; id: string };

export interface ChangePage {
  changes: ProfileChange[];
  /** Opaque cursor to pass back for the next page. */
  cursor: string;
  hasMore: boolean;
}

export interface ProfileStore {
  readonly backend: 'memory' | 'redis';
  get(id: string): Promise<Profile | undefined>;
  /** Profiles with these ids (missing ones skipped), or all when ids is undefined. */
  list(ids?: readonly string[]): Promise<Profile[]>;
  /** Creates or replaces. */
  put(profile: Profile): Promise<void>;
  /** True when something was deleted. */
  delete(id: string): Promise<boolean>;
  /** Changes after `cursor` (null = from the start); 'must_refetch' when the cursor is unknown or expired. */
  changesSince(cursor: string | null, limit: number): Promise<ChangePage | 'must_refetch'>;
  close(): Promise<void>;
}
