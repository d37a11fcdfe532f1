/**
 * The write-time embedding queue: every write queues its profile; `EmbeddingWorker` works it off in the
 * background. Two implementations:
 * - memory (`indexQueue`): the candidate index's pending set is the queue (one process, and the memory store
 *   is gone on restart anyway);
 * - Redis (`RedisEmbeddingQueue`, redis-embedding-queue.ts): a Redis Stream written in the store's write
 *   scripts, worked off through a consumer group by every process, durable across crashes.
 */
import type { CandidateIndex } from './candidate-index';

/** One unit of work: embed the current version of profile `id`. */
export interface EmbeddingJob {
  id: string;
  /** The queue's own handle for acknowledging it (a stream entry id); absent in memory. */
  entry?: string;
}

export interface EmbeddingQueue {
  /** Queued and in-progress entries: `pending_embeddings` of /ml/health and /ml/info. */
  pending(): Promise<number>;
  /** Up to `max` jobs to do now; [] when there are none. */
  take(max: number): Promise<EmbeddingJob[]>;
  /** Acknowledges finished jobs (their vectors are stored or their profiles are gone). */
  done(jobs: readonly EmbeddingJob[]): Promise<void>;
  /** Resolves when new work may have arrived, or after `ms`. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The memory store's queue: the index's pending ids (a profile there is queued until its vector is set). */
export function indexQueue(index: CandidateIndex): EmbeddingQueue {
  return {
    pending: async () => index.pendingCount,
    take: async (max) => index.pendingIds(max).map((id) => ({ id })),
    done: async () => undefined,
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(finish, ms);
        const off = index.onPending(finish);
        function finish(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      }),
    close: async () => undefined,
  };
}
