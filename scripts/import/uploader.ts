/**
 * Sends profiles to `POST /api/v1/profiles/batch` in batches that fit the server's limits (max_import_batch
 * items, max_body_bytes bytes, both read from /api/v1/ml/info). A busy or briefly unavailable server (429, 503,
 * a dropped connection) is retried with backoff, honouring Retry-After; a batch the server finds too large is
 * split in two. Anything else the server refuses ends the import with its message (`ImportAborted`).
 */
import type { ApiError, MlInfo, ProfileBatchResponse, ProfileBatchResult } from '../../shared/api';

/** The import cannot go on (server unreachable for too long, or it refuses the requests themselves). */
export class ImportAborted extends Error {
  override readonly name = 'ImportAborted';
}

export interface UploaderOptions {
  /** Base URL of the server, e.g. http://localhost:8787. */
  server: string;
  /** Sent as `Authorization: Bearer <key>` when given (a write key where the server requires one). */
  apiKey?: string;
  /** Attempts per batch before giving up on a server that keeps answering 429/503 or dropping (default 8). */
  attempts?: number;
  /** Called before a retry, e.g. to tell the user. */
  onRetry?: (why: string, waitMs: number) => void;
}

/** The server's limits that shape the batches. */
export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
}

/** One profile to send: its line in the file and its JSON text. */
export interface PendingItem {
  line: number;
  json: string;
}

/** Bytes of `{"upsert":[` … `]}` around the items. */
const ENVELOPE_BYTES = 16;

export class Uploader {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: UploaderOptions) {
    this.base = `${options.server.replace(/\/+$/, '')}/api/v1`;
    this.headers = { 'content-type': 'application/json' };
    if (options.apiKey) this.headers.authorization = `Bearer ${options.apiKey}`;
  }

  /** max_import_batch and max_body_bytes of the server (its /ml/info), with 1,000 items / 2 MB if it has none. */
  async limits(): Promise<BatchLimits> {
    const res = await this.request(`${this.base}/ml/info`, { headers: this.headers });
    if (!res.ok) throw new ImportAborted(`GET /api/v1/ml/info answered ${res.status}: ${await errorText(res)}`);
    const info = (await res.json()) as Partial<MlInfo>;
    return { maxItems: info.max_import_batch ?? 1000, maxBytes: info.max_body_bytes ?? 2 * 1024 * 1024 };
  }

  /** Whether one more item of `bytes` still fits a batch of `count` items and `size` bytes. */
  static fits(limits: BatchLimits, count: number, size: number, bytes: number): boolean {
    return count < limits.maxItems && ENVELOPE_BYTES + size + bytes + count < limits.maxBytes;
  }

  /** Sends one batch; the results are in the items' order. */
  async send(items: readonly PendingItem[]): Promise<ProfileBatchResult[]> {
    const body = `{"upsert":[${items.map((i) => i.json).join(',')}]}`;
    const attempts = this.options.attempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.request(`${this.base}/profiles/batch`, { method: 'POST', headers: this.headers, body });
      } catch (err) {
        if (attempt >= attempts) throw new ImportAborted(`server unreachable: ${(err as Error).message}`);
        await this.pause(`server unreachable (${(err as Error).message})`, backoff(attempt));
        continue;
      }
      if (res.ok) return ((await res.json()) as ProfileBatchResponse).results;
      const error = await errorBody(res);
      if (res.status === 413 && items.length > 1) {
        // Too large for this server after all (a smaller limit than it announced, a proxy's): halve it.
        const half = Math.ceil(items.length / 2);
        return [...(await this.send(items.slice(0, half))), ...(await this.send(items.slice(half)))];
      }
      if (res.status === 413) {
        return [{ id: null, status: 'error', error: error.error ?? 'too large', error_type: 'validation' }];
      }
      if ((res.status === 429 || res.status === 503) && attempt < attempts) {
        const retryAfter = Number(res.headers.get('retry-after'));
        const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : backoff(attempt);
        await this.pause(`server answered ${res.status} ${error.error_type ?? ''}`.trim(), wait);
        continue;
      }
      throw new ImportAborted(`POST /api/v1/profiles/batch answered ${res.status}: ${error.error ?? res.statusText}`);
    }
  }

  private async pause(why: string, waitMs: number): Promise<void> {
    this.options.onRetry?.(why, waitMs);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** fetch with a bound on a request that hangs (a stalled server must not stall the import for ever). */
  private request(url: string, init: RequestInit): Promise<Response> {
    return fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  }
}

/** 0.5 s, 1 s, 2 s, … up to 8 s. */
function backoff(attempt: number): number {
  return Math.min(8000, 500 * 2 ** (attempt - 1));
}

async function errorBody(res: Response): Promise<Partial<ApiError>> {
  try {
    return (await res.json()) as Partial<ApiError>;
  } catch {
    return {};
  }
}

async function errorText(res: Response): Promise<string> {
  const body = await errorBody(res);
  return body.error ?? res.statusText;
}
