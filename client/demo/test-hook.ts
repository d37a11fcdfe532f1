/**
 * A small, typed window hook so the e2e suite reads the engine's status and the feed shown without scraping
 * the DOM. It exposes nothing the page does not already hold.
 */
import type { EngineProgress, FeedEngine, FeedResult, UserProfile } from '../types';
import type { DemoSettings } from './settings';

export type DemoState = 'starting' | 'syncing' | 'ranking' | 'ready' | 'error';

export interface NearfeedTestHook {
  /** The engine in use (null while it is being replaced). */
  engine: FeedEngine | null;
  /** The feed on screen and the profile it was ranked for. */
  lastFeed: FeedResult | null;
  lastUser: UserProfile | null;
  state: DemoState;
  error: string | null;
  /** Why the last sync failed (offline, server down), or null. */
  syncError: string | null;
  /** Milliseconds from navigation start to the first feed on screen (cold vs warm start), null before it. */
  firstFeedMs: number | null;
  /** Feeds rendered since the page loaded. */
  rankCount: number;
  settings: DemoSettings;
  /** Highest fraction each progress phase reached since the engine (re)started, e.g. `{model: 1}`. */
  progress: Partial<Record<EngineProgress['phase'], number>>;
  /**
   * Every progress report since the engine (re)started, in arrival order, so a test can check the bar moved
   * through intermediate values and never went back (the max above hides both).
   */
  progressLog: Array<Pick<EngineProgress, 'phase' | 'fraction'>>;
  /** Syncs (unless `sync: false`) and re-ranks the form's profile; resolves with the feed now shown. */
  refresh(options?: { sync?: boolean }): Promise<FeedResult | null>;
}

declare global {
  interface Window {
    __nearfeed?: NearfeedTestHook;
  }
}
