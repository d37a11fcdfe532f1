/**
 * Wires the ranking side of one server process: the live candidate index over the store, the write-time
 * embedding queue and its background worker, and the ranking service the routes call. Started lazily (the
 * first call that needs it, or `ready()` from server/main.ts), so building an app stays synchronous.
 */
import type { EmbeddingCache } from '../cache/embedding-cache';
import type { ServerConfig } from '../deps';
import type { MlService } from '../ml/ml-service';
import type { ProfileStore } from '../store/profile-store';
import { RedisProfileStore } from '../store/redis-store';
import { CandidateIndex } from './candidate-index';
import { indexQueue, type EmbeddingQueue } from './embedding-queue';
import { EmbeddingWorker } from './embedding-worker';
import { RedisEmbeddingQueue } from './redis-embedding-queue';
import { RankingService, type RankOutcome, type RankRequest } from './ranking-service';

export interface RankingParts {
  config: ServerConfig;
  store: ProfileStore;
  cache: EmbeddingCache;
  ml: MlService;
}

/** The ranking side of a process; see the module comment. */
export interface Ranking {
  readonly index: CandidateIndex;
  /** Loads the index (once) and starts the embedding worker; every other method waits for it. */
  ready(): Promise<void>;
  rank(requests: readonly RankRequest[]): Promise<RankOutcome[]>;
  /**
   * Call after a write the store acknowledged, before answering it: the index then shows the write (a deleted
   * profile is never served by this process after its DELETE was answered). Never throws: the index also
   * follows the log by itself.
   */
  afterWrite(): Promise<void>;
  /** Profiles queued for embedding, for /ml/health and /ml/info; null when the queue cannot be read. */
  pendingEmbeddings(): Promise<number | null>;
  /** Resolves true once nothing is queued or pending in this index, false after `timeoutMs`. */
  whenIdle(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RankingOptions {
  /**
   * The queue to work off (default: on the Redis store its durable stream, redis-embedding-queue.ts; else the
   * index's pending set, embedding-queue.ts).
   */
  queue?: (index: CandidateIndex) => EmbeddingQueue;
  /** How often the index re-reads the log and the cache without a nudge, in ms (default `config.indexPollMs`). */
  pollMs?: number;
}

/** Builds the ranking side over the process's store, cache and ML service. */
export function createRanking(parts: RankingParts, options: RankingOptions = {}): Ranking {
  const { config, store, cache, ml } = parts;
  const info = ml.available() ? ml.info() : undefined;
  const modelKey = info?.modelKey;
  const index = new CandidateIndex({
    store,
    ...(info ? { dimension: info.dimension } : {}),
    ...(modelKey !== undefined
      ? {
          readVectors: async (ids, contentHashes) =>
            (await cache.getProfiles(ids, { modelKey, contentHashes })).map((e) => e?.vector),
        }
      : {}),
    pollMs: options.pollMs ?? config.indexPollMs,
  });
  const queue = (options.queue ?? defaultQueue(store, config))(index);
  const worker = info
    ? new EmbeddingWorker({
        queue,
        store,
        ml,
        index,
        // Shared queue only: an id still pending when a crashed process's entries would have been taken over.
        ...(store instanceof RedisProfileStore ? { orphanAfterMs: config.embedClaimIdleMs } : {}),
      })
    : undefined;
  const service = new RankingService({ config, store, ml, index });
  let started: Promise<void> | undefined;

  const ready = (): Promise<void> => {
    started ??= index
      .start()
      .then(() => worker?.start())
      .catch((err: unknown) => {
        // A store down at start: the next call tries again.
        started = undefined;
        throw err;
      });
    return started;
  };

  return {
    index,
    ready,
    async rank(requests) {
      await ready();
      return service.rank(requests);
    },
    async afterWrite() {
      try {
        await ready();
        await index.catchUp();
      } catch (err) {
        console.warn(`[nearfeed] candidate index: could not read the write back (${(err as Error).message}); it follows the log on its own`);
      }
    },
    async pendingEmbeddings() {
      if (!info) return 0;
      try {
        return await queue.pending();
      } catch {
        return null;
      }
    },
    async whenIdle(timeoutMs = 60_000) {
      await ready();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (index.pendingCount === 0 && (await queue.pending().catch(() => 1)) === 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },
    async close() {
      await worker?.close();
      await index.close();
      await queue.close();
    },
  };
}

/** The Redis store's durable, shared stream queue; the memory store's in-process one. */
function defaultQueue(store: ProfileStore, config: ServerConfig): (index: CandidateIndex) => EmbeddingQueue {
  if (store instanceof RedisProfileStore) {
    return () => new RedisEmbeddingQueue({ access: store.embeddingStream(), claimIdleMs: config.embedClaimIdleMs });
  }
  return indexQueue;
}
