/**
 * Typed calls to the nearfeed server (/api/v1). Every non-2xx answer becomes an `ApiRequestError` carrying the
 * server's `error_type`; a network failure becomes one with status 0, so callers can tell "offline" apart.
 */
import { base64ToFloat32 } from '../../shared/base64';
import type {
  EmbeddingBatchRequest,
  EmbeddingBatchResponse,
  FeedRequest,
  FeedResponse,
  MlInfo,
  SyncResponse,
} from '../../shared/api';
import type { ApiError, RankWeights } from '../../shared/types';
import { errorText } from '../error-text';
import type { UserProfile } from '../types';

// The wire types live in shared/api/; re-exported for the client modules that import them from here.
export type { MlInfo, SyncChange, SyncEmbedding } from '../../shared/api';

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    /** HTTP status, 0 when the request never got an answer (offline, DNS, CORS). */
    readonly status: number,
    readonly errorType: ApiError['error_type'] | 'network' | 'unknown',
  ) {
    super(message);
  }
}

/** The fetch the client uses; an app may pass its own (auth headers, a test runs the server app in-process). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class ServerApi {
  private readonly base: string;

  constructor(
    serverUrl: string,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {
    this.base = `${serverUrl.replace(/\/+$/, '')}/api/v1`;
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, init);
    } catch (err) {
      throw new ApiRequestError(`${path}: ${errorText(err)}`, 0, 'network');
    }
    if (!res.ok) {
      let body: Partial<ApiError> = {};
      try {
        body = (await res.json()) as Partial<ApiError>;
      } catch {
        // Not JSON (a proxy's error page): keep the status.
      }
      throw new ApiRequestError(
        `${path}: HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`,
        res.status,
        body.error_type ?? 'unknown',
      );
    }
    return (await res.json()) as T;
  }

  info(): Promise<MlInfo> {
    return this.call<MlInfo>('/ml/info');
  }

  /** One page of GET /sync; `tags` (non-empty) pulls only that shape. */
  sync(cursor: string | null, limit: number, embeddings = true, tags: readonly string[] = []): Promise<SyncResponse> {
    const params = new URLSearchParams({ limit: String(limit), embeddings: String(embeddings) });
    if (cursor) params.set('cursor', cursor);
    if (tags.length > 0) params.set('tags', tags.join(','));
    return this.call<SyncResponse>(`/sync?${params.toString()}`);
  }

  /** POST /ml/embeddings/batch with base64 vectors (for device 'server'). */
  async embedBatch(texts: readonly string[], promptName?: string): Promise<Float32Array[]> {
    const request: EmbeddingBatchRequest = {
      texts: [...texts],
      encoding: 'base64',
      ...(promptName !== undefined ? { prompt_name: promptName } : {}),
    };
    const body = await this.call<EmbeddingBatchResponse>('/ml/embeddings/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    // Asked for base64, so every entry is a string.
    return (body.embeddings as string[]).map((b64) => base64ToFloat32(b64, body.dimension));
  }

  feed(
    user: UserProfile,
    options: {
      limit?: number;
      excludeIds?: readonly string[];
      weights?: Partial<RankWeights>;
      /** The recommendation fields, already in wire form (interactions, diversity, group_decay, freshness, now). */
      recommend?: Pick<FeedRequest, 'interactions' | 'diversity' | 'group_decay' | 'freshness' | 'now'>;
    },
  ): Promise<FeedResponse> {
    const body: FeedRequest = { profile: user, ...options.recommend };
    if (options.limit !== undefined) body.limit = options.limit;
    if (options.excludeIds && options.excludeIds.length > 0) body.exclude_ids = [...options.excludeIds];
    if (options.weights) body.weights = options.weights;
    return this.call<FeedResponse>('/feed', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}
