/**
 * The engine's side of `status().startup`: what the time to the first feed was spent on, measured with
 * performance.now() from the moment the engine was created. Each step is recorded once (the first sync, the
 * first rank); later ones do not overwrite it. The worker's own breakdown of the model load
 * (load-timings.ts) is attached when the model is ready.
 */
import type { StartupTimings } from '../types';
import type { ModelLoadTimings } from '../worker/load-timings';

/** A breakdown with nothing measured yet (the status before the engine's first step). */
export function emptyStartup(): StartupTimings {
  return {
    info: null,
    indexedDb: null,
    modelLoad: null,
    modelReadyAt: null,
    model: null,
    firstInference: null,
    sync: null,
    rank: null,
    firstFeedAt: null,
    userVector: null,
  };
}

export type StartupStep = 'info' | 'indexedDb' | 'sync' | 'rank';

export class StartupClock {
  private readonly t0: number;
  private readonly timings: StartupTimings = emptyStartup();

  /** `now`: the clock (performance.now by default; tests pass their own). */
  constructor(private readonly now: () => number = () => performance.now()) {
    this.t0 = now();
  }

  /** Starts timing a step; the returned function records it (only the first time the step completes). */
  begin(step: StartupStep): () => void {
    const started = this.now();
    return () => this.record(step, this.now() - started);
  }

  /** Records a step timed by the caller; only its first completion counts. */
  record(step: StartupStep, ms: number): void {
    if (this.timings[step] === null) this.timings[step] = ms;
  }

  /** The model became ready: its load took `loadMs` (page side, worker start to ready), the worker's breakdown. */
  modelReady(loadMs: number, worker: ModelLoadTimings | null): void {
    if (this.timings.modelReadyAt !== null) return;
    this.timings.modelReadyAt = this.now() - this.t0;
    this.timings.modelLoad = loadMs;
    this.timings.model = worker ? { ...worker } : null;
  }

  firstInference(ms: number | null): void {
    if (this.timings.firstInference === null && ms !== null) this.timings.firstInference = ms;
  }

  /** The first feed was ranked, with the user's vector from `source`. */
  firstFeed(source: NonNullable<StartupTimings['userVector']>): void {
    if (this.timings.firstFeedAt !== null) return;
    this.timings.firstFeedAt = this.now() - this.t0;
    this.timings.userVector = source;
  }

  /** A copy for status(). */
  snapshot(): StartupTimings {
    return { ...this.timings, model: this.timings.model ? { ...this.timings.model } : null };
  }
}
