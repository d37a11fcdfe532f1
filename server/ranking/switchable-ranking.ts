/**
 * The ranking of a server that listens before its model has loaded: first one built over the ML service while
 * it loads (no vectors: feeds rank by diligence and engagement and say so), then, once the model answered its
 * first inference, one built over the loaded model, whose index reads the cached vectors and whose worker
 * embeds the rest. A ranking's index and worker are fixed to one model (dimension, model key), so the switch
 * replaces the whole ranking rather than teaching one to change model.
 */
import type { Ranking } from './create-ranking';

/** A {@link Ranking} whose implementation can be replaced once; see the module comment. */
export interface SwitchableRanking extends Ranking {
  /** Starts `next` (index loaded, worker running), then sends every call to it and closes the previous one. */
  switchTo(next: Ranking): Promise<void>;
}

/** Wraps `initial`; see {@link SwitchableRanking}. */
export function switchableRanking(initial: Ranking): SwitchableRanking {
  let current = initial;
  let closed = false;
  return {
    get index() {
      return current.index;
    },
    ready: () => current.ready(),
    rank: (requests) => current.rank(requests),
    afterWrite: () => current.afterWrite(),
    pendingEmbeddings: () => current.pendingEmbeddings(),
    whenIdle: (timeoutMs) => current.whenIdle(timeoutMs),
    async switchTo(next) {
      // A store down now: the new ranking loads its index on its first call, as at start.
      await next.ready().catch(() => undefined);
      if (closed) return next.close();
      const previous = current;
      current = next;
      await previous.close();
    },
    async close() {
      closed = true;
      await current.close();
    },
  };
}
