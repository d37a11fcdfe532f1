/**
 * Health of the ML side, computed from what is loaded and what the cache and the profile store say right now.
 * ready: model loaded, no fallback, cache and store reachable. degraded: serving, but on a fallback or with the
 * store down (each cause listed in `reasons`). unavailable: ML disabled or the model failed to load (HTTP 503).
 */
import type { NearfeedConfig } from '../../shared/config';
import type { Embedder } from '../../shared/embedder';
import type { EmbeddingCache } from '../cache/embedding-cache';
import type { StoreStatus } from '../store/profile-store';
import type { MlServiceHealth } from './ml-service';

/** What the server has for inference: a loaded embedder (with its degradation notes), or why there is none. */
export type ModelState =
  | { state: 'loading' }
  | { state: 'ready'; embedder: Embedder; notes: readonly string[] }
  | { state: 'disabled' }
  | { state: 'failed'; error: string };

/**
 * Builds the health report; `cache.connected()` and `store.status()` are read live, so a Redis outage shows at
 * once. Without a store (callers that only check the ML side) it is reported as the always-connected memory store.
 */
export function computeHealth(
  config: NearfeedConfig,
  model: ModelState,
  cache: EmbeddingCache,
  store: { status(): StoreStatus } = { status: () => ({ backend: 'memory', connected: true }) },
): MlServiceHealth {
  const connected = cache.connected();
  const reasons: string[] = [];
  const cacheReport = { backend: cache.backend, connected };
  const storeStatus = store.status();
  const storeReport = { backend: storeStatus.backend, connected: storeStatus.connected };
  const storeReason = storeStatus.connected
    ? undefined
    : `profile store (${storeStatus.backend}) is unavailable: ${storeStatus.reason ?? 'not connected'}; ` +
      'candidate data routes answer 503 store_unavailable until it is back';

  if (model.state !== 'ready') {
    reasons.push(
      model.state === 'disabled'
        ? 'ML is disabled (ML_ENABLED=false): ranking uses diligence and engagement only'
        : model.state === 'loading'
          ? 'the model is loading (download, session start, first inference): ML routes answer 503 ml_unavailable with Retry-After and feeds rank without similarity until it is ready'
          : `model failed to load: ${model.error}`,
    );
    if (!connected) reasons.push(`embedding cache (${cache.backend}) is unreachable`);
    if (storeReason) reasons.push(storeReason);
    return {
      status: model.state === 'loading' ? 'loading' : 'unavailable',
      ml_enabled: config.mlEnabled,
      model: { name: config.embeddingModel, available: false, device: null, dtype: config.embeddingDtype, dimension: null },
      cache: cacheReport,
      store: storeReport,
      reasons,
    };
  }

  const info = model.embedder.info;
  reasons.push(...model.notes);
  // The embedder's notes normally say this already; derive it too so a CPU fallback can never go unreported.
  if (model.notes.length === 0 && config.mlDevice === 'cuda' && info.device !== 'cuda') {
    reasons.push(`running on ${info.device} instead of the requested cuda`);
  }
  if (!connected) {
    reasons.push(`embedding cache (${cache.backend}) is unreachable: computing every vector without it`);
  }
  if (storeReason) reasons.push(storeReason);
  return {
    status: reasons.length === 0 ? 'ready' : 'degraded',
    ml_enabled: config.mlEnabled,
    model: { name: info.model, available: true, device: info.device, dtype: info.dtype, dimension: info.dimension },
    cache: cacheReport,
    store: storeReport,
    reasons,
  };
}
