/**
 * Prometheus metrics (prom-client), one registry per app instance: `createMetrics()` builds the instruments,
 * `recordRequests()` times every request, `metricsHandler()` answers `GET /metrics` in the text format.
 *
 * Label values are bounded by construction: a request is labelled with the route *pattern* Hono matched
 * (`/api/v1/profiles/:id`, never the raw path), `unmatched` when no route did, its method folded to the
 * methods the API knows, and its status. Nothing a client chooses freely (ids, keys, addresses) becomes a label.
 *
 * Who reads it: `/metrics` is a read (server/http/access.ts): open like /sync, and behind a read key when
 * REQUIRE_READ_KEY=true. It shows counts and timings per route pattern, never keys, profiles or addresses.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MlObserver } from '../ml/ml-service';
import type { Priority } from '../ml/priority-lanes';
import type { RouteClass } from './access';
import { ApiFailure } from './errors';
import { StoreUnavailableError } from '../store/profile-store';

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  /** Texts waiting for the model in the dynamic batcher (what MAX_QUEUE_SIZE bounds). */
  queuedTexts(): number;
  /** Profiles queued for embedding; null when the queue cannot be read. */
  pendingEmbeddings(): Promise<number | null>;
}

export interface MetricsOptions {
  /** Also export prom-client's process metrics (CPU, memory, event loop lag, GC); the server process does. */
  processMetrics?: boolean;
}

/** The instruments of one app. Implements MlObserver, so the ML service reports its batches and cache lookups. */
export interface Metrics extends MlObserver {
  readonly registry: Registry;
  /** One finished request. */
  request(labels: { method: string; route: string; status: number }, seconds: number): void;
  /** A request refused with 429 rate_limited. */
  rateLimited(routeClass: RouteClass): void;
  /** A request failed because the profile store was unavailable. */
  storeError(route: string): void;
  /** Points the gauges at this app's ML service and ranking (createApp does it). */
  setSources(sources: MetricSources): void;
}

/** Methods kept as they are in the `method` label; anything else is `other`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Builds a registry with every instrument of the server. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'nearfeed_' });
  let sources: MetricSources | undefined;

  const http = new Histogram({
    name: 'nearfeed_http_request_duration_seconds',
    help: 'Time from a request arriving to its response headers, by method, matched route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'nearfeed_inference_batch_size',
    help: 'Texts per model call, by lane (interactive: a request waits on it; background: the embedding queue).',
    labelNames: ['lane'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'nearfeed_inference_duration_seconds',
    help: 'Seconds per model call, by lane.',
    labelNames: ['lane'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cache = new Counter({
    name: 'nearfeed_embedding_cache_lookups_total',
    help: 'Embedding cache lookups by kind (text, profile) and result (hit, miss; an unreachable cache is a miss).',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'nearfeed_store_errors_total',
    help: 'Requests that failed because the profile store was unavailable (503 store_unavailable), by route pattern.',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'nearfeed_rate_limited_requests_total',
    help: 'Requests refused with 429 rate_limited, by route class (read, write).',
    labelNames: ['route_class'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'nearfeed_inference_queue_depth',
    help: 'Texts waiting for the model in the dynamic batcher (bounded by MAX_QUEUE_SIZE).',
    registers: [registry],
    collect() {
      this.set(sources?.queuedTexts() ?? 0);
    },
  });
  new Gauge({
    name: 'nearfeed_pending_embeddings',
    help: 'Profiles written but not yet embedded (the write-time embedding queue); absent while it cannot be read.',
    // A label, because prom-client's reset() of an unlabelled gauge leaves a sample of 0, not none.
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const pending = sources ? await sources.pendingEmbeddings() : 0;
      // An unreadable queue is no sample rather than a made-up number (alert on absent() if it matters).
      if (pending === null) this.reset();
      else this.set({ queue: 'write_time' }, pending);
    },
  });

  return {
    registry,
    request(labels, seconds) {
      const method = KNOWN_METHODS.has(labels.method) ? labels.method : 'other';
      http.observe({ method, route: labels.route, status: String(labels.status) }, seconds);
    },
    rateLimited(routeClass) {
      limited.inc({ route_class: routeClass });
    },
    storeError(route) {
      storeErrors.inc({ route });
    },
    inference(lane: Priority, size: number, seconds: number) {
      batchSize.observe({ lane }, size);
      batchSeconds.observe({ lane }, seconds);
    },
    cacheLookups(kind, hits, misses) {
      if (hits > 0) cache.inc({ kind, result: 'hit' }, hits);
      if (misses > 0) cache.inc({ kind, result: 'miss' }, misses);
    },
    setSources(s) {
      sources = s;
    },
  };
}

/**
 * The route pattern that answered: the first route handler Hono matched (handlers run in registration order
 * and the first one answers; a middleware takes `next`, a handler does not). A request refused by a middleware
 * (401, 429, 413) counts under the route it was for; `unmatched` when no route matched (the app's 404).
 */
function routeLabel(c: Context): string {
  for (const r of matchedRoutes(c)) if (r.handler.length < 2) return r.path;
  return 'unmatched';
}

function isStoreFailure(err: unknown): boolean {
  return err instanceof StoreUnavailableError || (err instanceof ApiFailure && err.errorType === 'store_unavailable');
}

/** Times every request (mount it first, so refusals by later middleware are timed too). */
export function recordRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const route = routeLabel(c);
    if (isStoreFailure(c.error)) metrics.storeError(route);
    metrics.request({ method: c.req.method, route, status: c.res.status }, (performance.now() - start) / 1000);
  };
}

/** `GET /metrics`: the registry in Prometheus' text format. */
export function metricsHandler(metrics: Metrics): (c: Context) => Promise<Response> {
  return async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  };
}
