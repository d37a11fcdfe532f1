/** Builds the configured profile store, seeded with the demo data set where it starts empty. */
import type { Profile } from '../../shared/types';
import { demoProfiles } from '../data/demo-profiles';
import type { ServerConfig } from '../deps';
import { MemoryProfileStore } from './memory-store';
import type { ProfileStore } from './profile-store';
import { RedisProfileStore } from './redis-store';

export interface CreateProfileStoreOptions {
  /** Profiles a new store starts with (default `demoProfiles()`; [] for none). */
  seed?: readonly Profile[];
  /** Where a failed Redis seeding is reported (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * PROFILE_STORE=memory: a memory store holding the seed. PROFILE_STORE=redis: the shared Redis store at
 * REDIS_URL, seeded only if that key space was never written, so restarts and extra processes keep its data.
 * A Redis that is down at start does not stop the server: the store answers once Redis is back, seeding then
 * waits for the next start.
 */
export async function createProfileStore(
  config: Pick<ServerConfig, 'profileStore' | 'redisUrl'>,
  options: CreateProfileStoreOptions = {},
): Promise<ProfileStore> {
  const seed = options.seed ?? demoProfiles();
  if (config.profileStore === 'memory') return new MemoryProfileStore({ seed });
  const store = new RedisProfileStore(config.redisUrl !== undefined ? { url: config.redisUrl } : {});
  try {
    await store.seedIfEmpty(seed);
  } catch (err) {
    (options.warn ?? console.warn)(`profile store: could not seed Redis (${(err as Error).message}); serving what it holds`);
  }
  return store;
}
