/**
 * Redis embedding cache on ioredis.
 *
 * Layout (see codec.ts for the value format, keys.ts for the names):
 * - `embedding:profile:{id}` and `embedding:text:{model_key}:{sha256(text)}`: one binary string each, with a
 *   TTL of `ttlSeconds` set by the write itself (`SET … EX`).
 * - `embedding:profile-gen:{id}`: a random token that `deleteProfiles` replaces (TTL `generationTtlSeconds`).
 *
 * Round trips: a batch read is one MGET (profile reads with a ticket MGET the generation keys in the same
 * call); a batch write is one EVAL of a Lua script that does every SET; `deleteProfiles` is one MULTI.
 *
 * The update-during-compute race: the ML service reads (MGET → entries + the generation tokens, its ticket),
 * computes the misses, and writes with the ticket. The write script re-reads each generation key and SETs an
 * entry only if the token is still the one read; Redis runs the script atomically, so an invalidation either
 * lands before the script (the write is dropped) or after it (it deletes what was written). Reads also check
 * the content hash, so even a writer without a ticket can never make an old vector visible for new content.
 *
 * Failure: the offline queue is off, `maxRetriesPerRequest` is 0 and every command has `commandTimeoutMs`, so
 * no call waits on a down or stalled Redis; methods answer misses / skip writes. ioredis keeps reconnecting
 * (capped backoff). `connected()` is false while the connection is not ready or since a command timed out;
 * while stalled like that, reads and writes answer at once without Redis (only invalidations still try) and a
 * background PING every 500 ms ends the stall. One warning per outage, one notice when it is over.
 * Invalidations lost to an outage are covered by the read-side content-hash check.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeEntry, encodeEntry } from './codec';
import type {
  EmbeddingCache,
  ProfileReadOptions,
  ProfileReadResult,
  ProfileWriteOptions,
  ProfileWriteTicket,
} from './embedding-cache';
import { acceptProfileEntry, acceptTextEntry, checkTtlSeconds, contentHashAllowsWrite } from './entry-checks';
import { profileGenerationKey, profileKey, textKey } from './keys';
import { describeRedisError, failFastRedisOptions, isCommandTimeout, StallWatch } from '../redis/connection';

/** Where the cache reports outages; defaults to the console. */
export interface CacheLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface RedisCacheOptions {
  /** e.g. `redis://127.0.0.1:6379` (a `/db` suffix selects the database). */
  url: string;
  /** Lifetime of an entry in seconds (EMBEDDING_CACHE_TTL, default 3600 in the config). */
  ttlSeconds: number;
  /** Put in front of every key: '' in production, unique per test run. */
  keyPrefix?: string;
  /** How long an invalidation is remembered for tickets; default max(ttlSeconds, 600). */
  generationTtlSeconds?: number;
  /** A command without a reply after this long counts as a miss / skipped write (default 500 ms). */
  commandTimeoutMs?: number;
  /** Give up one connection attempt after this long (default 2000 ms); reconnection goes on. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts (default 2000 ms). */
  maxReconnectDelayMs?: number;
  logger?: CacheLogger;
}

/** Writes every entry; with generation keys, only those whose generation is still the expected one. */
const WRITE_SCRIPT = `
local checked = ARGV[2] == '1'
local n = #KEYS
if checked then n = n / 2 end
local written = 0
for i = 1, n do
  local ok = true
  if checked then
    local gen = redis.call('GET', KEYS[n + i])
    ok = (gen or '') == ARGV[2 + n + i]
  end
  if ok then
    redis.call('SET', KEYS[i], ARGV[2 + i], 'EX', ARGV[1])
    written = written + 1
  end
end
return written
`;

/** A Redis-backed `EmbeddingCache`; connects at once and keeps reconnecting; never throws from a method. */
export function createRedisCache(options: RedisCacheOptions): EmbeddingCache {
  const ttlSeconds = checkTtlSeconds(options.ttlSeconds);
  const generationTtlSeconds = checkTtlSeconds(
    options.generationTtlSeconds ?? Math.max(ttlSeconds, 600),
    'generationTtlSeconds',
  );
  const prefix = options.keyPrefix ?? '';
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2000;
  const logger: CacheLogger = options.logger ?? {
    warn: (m) => console.warn(m),
    info: (m) => console.info(m),
  };

  const client = new Redis(
    options.url,
    failFastRedisOptions({
      connectionName: 'nearfeed-embedding-cache',
      commandTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      maxReconnectDelayMs,
    }),
  );

  let closing = false;
  let inOutage = false;

  // Log lines name the cache's Redis, never its address (internal): the operator knows REDIS_URL.
  function outage(reason: string): void {
    if (closing || inOutage) return;
    inOutage = true;
    logger.warn(`embedding cache: Redis unavailable (${reason}); serving without the cache`);
  }
  function recovered(): void {
    if (!inOutage || closing) return;
    inOutage = false;
    logger.info('embedding cache: Redis is back');
  }

  // An 'error' event without a listener would crash the process: always listen.
  client.on('error', (err: Error) => outage(describeRedisError(err)));
  client.on('close', () => outage('connection closed'));
  const stall = new StallWatch(client, recovered);
  client.on('ready', () => {
    if (!stall.stalled) recovered();
  });

  function markStalled(): void {
    if (closing) return;
    if (stall.mark()) outage(`no reply within ${commandTimeoutMs} ms`);
  }

  const reportedErrors = new Set<string>();
  /** A command error on a live connection (a bug or a server refusal such as OOM): logged once per message. */
  function commandError(message: string): void {
    if (reportedErrors.has(message) || reportedErrors.size >= 20) return;
    reportedErrors.add(message);
    logger.warn(`embedding cache: Redis command failed: ${message}`);
  }

  /**
   * Runs a command; on any failure logs (once per outage) and returns `fallback`. While stalled, calls answer
   * the fallback at once instead of each waiting out the timeout, unless `evenIfStalled` (invalidations).
   */
  async function attempt<T>(run: () => Promise<T>, fallback: T, evenIfStalled = false): Promise<T> {
    if (closing || client.status !== 'ready' || (stall.stalled && !evenIfStalled)) return fallback;
    try {
      return await run();
    } catch (err) {
      const message = describeRedisError(err);
      if (isCommandTimeout(err)) markStalled();
      else if (client.status === 'ready') commandError(message);
      else outage(message);
      return fallback;
    }
  }

  async function mget(keys: string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    return attempt(() => client.mgetBuffer(keys), keys.map(() => null));
  }

  /** One EVAL for the whole batch; with `check`, each SET only if its generation token is unchanged. */
  async function evalWrite(
    entryKeys: string[],
    values: Buffer[],
    check?: { generationKeys: string[]; expected: string[] },
  ): Promise<void> {
    if (entryKeys.length === 0) return;
    const keys = check ? [...entryKeys, ...check.generationKeys] : entryKeys;
    const args: (string | Buffer)[] = [String(ttlSeconds), check ? '1' : '0', ...values, ...(check?.expected ?? [])];
    await attempt(() => client.eval(WRITE_SCRIPT, keys.length, ...keys, ...args), undefined);
  }

  async function readProfiles(ids: readonly string[], readOptions?: ProfileReadOptions): Promise<ProfileReadResult> {
    if (closing || stall.stalled || client.status !== 'ready' || ids.length === 0) {
      return { entries: ids.map(() => undefined), ticket: { generations: new Map() } };
    }
    const keys = [...ids.map((id) => profileKey(id, prefix)), ...ids.map((id) => profileGenerationKey(id, prefix))];
    const values = await attempt<(Buffer | null)[] | undefined>(() => client.mgetBuffer(keys), undefined);
    if (!values) return { entries: ids.map(() => undefined), ticket: { generations: new Map() } };
    const generations = new Map<string, string | null>();
    ids.forEach((id, i) => generations.set(id, values[ids.length + i]?.toString('utf8') ?? null));
    const entries = ids.map((_, i) => acceptProfileEntry(decodeEntry(values[i]), i, readOptions));
    return { entries, ticket: { generations } };
  }

  return {
    backend: 'redis',
    connected: () => !closing && !stall.stalled && client.status === 'ready',

    async getTexts(modelKey, textHashes) {
      const values = await mget(textHashes.map((hash) => textKey(modelKey, hash, prefix)));
      return textHashes.map((hash, i) => acceptTextEntry(decodeEntry(values[i]), modelKey, hash));
    },

    async setTexts(modelKey, entries) {
      await evalWrite(
        entries.map((e) => textKey(modelKey, e.textHash, prefix)),
        entries.map((e) => encodeEntry({ vector: e.vector, modelKey, contentHash: e.textHash })),
      );
    },

    async getProfiles(ids, readOptions) {
      const values = await mget(ids.map((id) => profileKey(id, prefix)));
      return ids.map((_, i) => acceptProfileEntry(decodeEntry(values[i]), i, readOptions));
    },

    readProfiles,

    async setProfiles(entries, writeOptions?: ProfileWriteOptions) {
      const ticket: ProfileWriteTicket | undefined = writeOptions?.ticket;
      const kept = entries.filter(
        ({ id, entry }, i) => contentHashAllowsWrite(entry, i, writeOptions) && (!ticket || ticket.generations.has(id)),
      );
      await evalWrite(
        kept.map(({ id }) => profileKey(id, prefix)),
        kept.map(({ entry }) => encodeEntry(entry)),
        ticket && {
          generationKeys: kept.map(({ id }) => profileGenerationKey(id, prefix)),
          expected: kept.map(({ id }) => ticket.generations.get(id) ?? ''),
        },
      );
    },

    async deleteProfiles(ids) {
      if (ids.length === 0) return;
      await attempt(
        () => {
          const tx = client.multi();
          for (const id of ids) {
            tx.del(profileKey(id, prefix)).set(profileGenerationKey(id, prefix), randomUUID(), 'EX', generationTtlSeconds);
          }
          return tx.exec();
        },
        null,
        true,
      );
    },

    async close() {
      if (closing) return;
      closing = true;
      stall.stop();
      try {
        if (client.status === 'ready') {
          await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, commandTimeoutMs))]);
        }
      } catch {
        // closing anyway
      } finally {
        client.disconnect();
      }
    },
  };
}
