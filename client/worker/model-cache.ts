/**
 * Where the worker keeps model files and ONNX Runtime's WASM between visits: the browser's Cache Storage (one
 * cache, `MODEL_CACHE_NAME`), handed to transformers.js as its `customCache`. transformers.js' own browser cache
 * keys a file by its URL only, so a model folder replaced under the same name would keep serving the old
 * weights forever. Here a cached file of a served model folder is checked once per load with a HEAD request:
 * when the server's validator (ETag, else Last-Modified) differs from the cached copy's, the copy is dropped
 * and the file downloads again. A HEAD carries no body, so an unchanged model still downloads nothing; when
 * the HEAD fails (offline) the cached copy is used. Files outside the served folders (the bundle's
 * content-hashed ORT files, hub models pinned by their URL's revision) are taken from the cache unchecked.
 */

/** Cache Storage name; bump the suffix if the stored shape ever changes. */
export const MODEL_CACHE_NAME = 'nearfeed-models-v1';

/** What happened to one file request, for status().startup and the tests. */
export type CacheOutcome = 'hit' | 'miss' | 'stale' | 'unchecked-offline';

/** The part of the Web Cache API transformers.js calls (its `CacheInterface`). */
export interface ModelFileCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}

export interface ValidatedCacheOptions {
  /** Opens the Cache Storage cache (default `caches.open(MODEL_CACHE_NAME)`). */
  open?: () => Promise<Cache>;
  /** Absolute URL prefix of the served model folders; only files under it are revalidated. */
  validatePrefix: string;
  /** Base for relative keys (transformers.js passes local model paths such as `/models/x/onnx/model.onnx`). */
  base: string;
  /** HEAD requests (default `fetch`); tests pass a stand-in. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Told about every lookup. */
  onOutcome?: (url: string, outcome: CacheOutcome) => void;
}

/** The validator a server sends for a file version: its ETag, else its Last-Modified; null when neither. */
export function validatorOf(headers: Headers): string | null {
  const etag = headers.get('etag');
  if (etag) return `etag:${etag.replace(/^W\//, '')}`;
  const modified = headers.get('last-modified');
  return modified ? `modified:${modified}` : null;
}

/**
 * True when the cached copy is still the server's version: equal validators, or no validator on either side
 * (nothing to compare: keep the copy rather than download on every visit).
 */
export function sameVersion(cached: Headers, current: Headers): boolean {
  const a = validatorOf(cached);
  const b = validatorOf(current);
  return a === null || b === null || a === b;
}

export class ValidatedModelCache implements ModelFileCache {
  private cache: Promise<Cache> | null = null;
  /** URLs already checked during this load: transformers.js looks a file up twice (before and after fetching). */
  private readonly checked = new Set<string>();

  constructor(private readonly options: ValidatedCacheOptions) {}

  private open(): Promise<Cache> {
    this.cache ??= (this.options.open ?? (() => caches.open(MODEL_CACHE_NAME)))();
    return this.cache;
  }

  private absolute(request: string): string {
    return new URL(request, this.options.base).href;
  }

  async match(request: string): Promise<Response | undefined> {
    const url = this.absolute(request);
    const cache = await this.open();
    const cached = await cache.match(url);
    if (!cached) {
      if (!this.checked.has(url)) this.options.onOutcome?.(url, 'miss');
      this.checked.add(url);
      return undefined;
    }
    if (this.checked.has(url) || !url.startsWith(this.options.validatePrefix)) {
      if (!this.checked.has(url)) this.options.onOutcome?.(url, 'hit');
      this.checked.add(url);
      return cached;
    }
    this.checked.add(url);
    let head: Response;
    try {
      // no-store: ask the server itself, past the HTTP cache (which holds the GET of the first visit and would
      // answer with its old headers, or turn the HEAD into a revalidation of that entry).
      head = await (this.options.fetch ?? ((u, i) => fetch(u, i)))(url, { method: 'HEAD', cache: 'no-store' });
    } catch {
      this.options.onOutcome?.(url, 'unchecked-offline');
      return cached;
    }
    // A HEAD has no body, but an unread Response keeps its request open until it is collected (then reported
    // as aborted): finish it.
    await head.arrayBuffer().catch(() => undefined);
    if (head.status === 404 || (head.ok && !sameVersion(cached.headers, head.headers))) {
      await cache.delete(url);
      this.options.onOutcome?.(url, 'stale');
      return undefined;
    }
    // A 5xx or other failure of the check is no reason to throw away a copy that worked.
    this.options.onOutcome?.(url, head.ok ? 'hit' : 'unchecked-offline');
    return cached;
  }

  async put(request: string, response: Response): Promise<void> {
    const cache = await this.open();
    try {
      await cache.put(this.absolute(request), response);
    } catch {
      // Quota or an opaque response: the file is used, just not kept for the next visit.
    }
  }

  async delete(request: string): Promise<boolean> {
    return (await this.open()).delete(this.absolute(request));
  }
}
