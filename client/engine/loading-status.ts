/** The status an engine reports before it has chosen a device: nothing loaded, nothing counted yet. */
import type { EngineStatus } from '../types';
import { emptyStartup } from './startup';

/** A fresh 'loading' status with `deviceReason` saying what is happening. */
export function loadingStatus(deviceReason: string): EngineStatus {
  return {
    device: 'loading',
    deviceReason,
    model: null,
    modelKey: null,
    dimension: null,
    threads: null,
    deviceRace: null,
    selfCheck: null,
    candidates: 0,
    embeddedCandidates: 0,
    cacheHits: 0,
    lastSync: null,
    lastRankMs: null,
    warning: null,
    ready: false,
    startup: emptyStartup(),
  };
}
