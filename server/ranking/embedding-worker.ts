/**
 * Works off the embedding queue in the background: takes a batch of jobs, reads the profiles' current
 * versions from the store, embeds those the cache does not already hold for that text at background priority
 * (after every interactive request, in the embedder's token-budgeted batches), stores the vectors in the
 * cache, hands them to this process's index, and only then acknowledges the jobs. A crash before the
 * acknowledgement leaves the jobs to another worker, which finds the vectors already cached and does not
 * compute them again.
 *
 * When the queue is empty (nothing queued or in progress anywhere), the worker also embeds the ids its own
 * index has had pending for `orphanAfterMs`: work no queue entry stands for any more. With several processes
 * that happens when a vector another process computed never reached the shared cache, or left it
 * (EMBEDDING_CACHE_TTL) before this process started; the index would otherwise wait for it for ever. The cache
 * is read first, so a vector that is there costs no run.
 */
import { profileToText } from '../../shared/profile-text';
import { textHash } from '../ml/create-ml-service';
import type { MlService } from '../ml/ml-service';
import type { ProfileStore } from '../store/profile-store';
import type { CandidateIndex } from './candidate-index';
import type { EmbeddingQueue } from './embedding-queue';

/** Jobs taken per round. */
const TAKE = 256;
/** Pause after a failed round before trying again. */
const RETRY_MS = 1000;
/** How long an idle worker waits for a nudge before looking again. */
const IDLE_WAIT_MS = 1000;

export interface EmbeddingWorkerOptions {
  queue: EmbeddingQueue;
  store: ProfileStore;
  ml: MlService;
  index: CandidateIndex;
  /**
   * How long an id stays pending in the index, with nothing queued, before this worker embeds it itself
   * (default: never; the memory queue is the index's pending set, so nothing can be orphaned there).
   */
  orphanAfterMs?: number;
  warn?: (message: string) => void;
}

/** See the module comment. `start()` begins the loop; `close()` ends it after the round in progress. */
export class EmbeddingWorker {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: EmbeddingWorkerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { queue } = this.options;
    while (!this.stopped) {
      try {
        const queued = await queue.take(TAKE);
        const jobs = queued.length > 0 ? queued : await this.orphans();
        if (jobs.length === 0) {
          await queue.wait(IDLE_WAIT_MS);
          continue;
        }
        const progressed = await this.embed(jobs);
        await queue.done(jobs);
        this.failing = false;
        // Nothing could be set (the index has not seen the newest version yet): let it catch up first.
        if (!progressed) {
          await this.options.index.catchUp().catch(() => undefined);
          await sleep(50);
        }
      } catch (err) {
        if (this.stopped) break;
        if (!this.failing) (this.options.warn ?? console.warn)(`[nearfeed] embedding worker: ${(err as Error).message}; retrying`);
        this.failing = true;
        await sleep(RETRY_MS);
      }
    }
  }

  /**
   * Ids pending in this process's index long past any queue entry for them (see the module comment): only while
   * the whole queue is empty, so work another process is doing right now is not done twice.
   */
  private async orphans(): Promise<{ id: string }[]> {
    const { orphanAfterMs, index, queue } = this.options;
    if (orphanAfterMs === undefined) return [];
    const ids = index.pendingIds(TAKE, orphanAfterMs);
    if (ids.length === 0 || (await queue.pending()) > 0) return [];
    return ids.map((id) => ({ id }));
  }

  /** Embeds the jobs' current profiles; true when at least one vector reached the index. */
  private async embed(jobs: readonly { id: string }[]): Promise<boolean> {
    const { store, ml, index } = this.options;
    const ids = [...new Set(jobs.map((j) => j.id))];
    // Deleted profiles are simply skipped: their jobs are done.
    const profiles = await store.list(ids);
    if (profiles.length === 0) return false;
    const vectors = await ml.profileVectors(profiles, { priority: 'background' });
    let set = 0;
    profiles.forEach((p, i) => {
      if (index.setVector(p.id, textHash(profileToText(p)), vectors[i]!)) set++;
    });
    return set > 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
