/**
 * EMBEDDING_MODEL given as a URL (`https://host/path/model/`): a model folder in the hub layout served over
 * HTTP. This module only parses and names it; model-download.ts fetches it. The URL may carry secrets (user
 * and password, a signed query such as an Azure SAS token), so everything that can reach a log, a health
 * reason or a response uses `display`, never the URL itself.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/** A model folder URL as EMBEDDING_MODEL gives it, parsed; see the module comment. */
export class ModelUrl {
  /** origin + path (with a trailing slash): no credentials, no query, no fragment. Safe to log. */
  readonly display: string;
  /**
   * The model's name (model key, health, `/models/<name>/` for the browser) and its cache folder's name: the
   * URL's last path segment and 10 hex digits of the hash of `display`, so two folders both called `model`
   * at different URLs never share a model key (and cached vectors).
   */
  readonly name: string;
  readonly #base: URL;
  readonly #authorization: string | undefined;

  constructor(url: URL) {
    const base = new URL(url.href);
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    // fetch refuses URLs with credentials: they become a Basic Authorization header instead.
    this.#authorization =
      base.username !== '' || base.password !== ''
        ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`
        : undefined;
    base.username = '';
    base.password = '';
    this.#base = base;
    this.display = `${base.origin}${base.pathname}`;
    const segment = base.pathname.split('/').filter(Boolean).pop() ?? '';
    const safe = segment.replace(/[^A-Za-z0-9._]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'model';
    this.name = `${safe}-${createHash('sha256').update(this.display).digest('hex').slice(0, 10)}`;
  }

  /** The URL of a file of the folder (`onnx/model.onnx`), with the folder URL's query (a signed token) kept. */
  fileUrl(file: string): string {
    const url = new URL(file, this.#base);
    url.search = this.#base.search;
    return url.href;
  }

  /** Request headers: Authorization when the URL carried a user and password. */
  headers(): Record<string, string> {
    return this.#authorization !== undefined ? { authorization: this.#authorization } : {};
  }

  toString(): string {
    return this.display;
  }

  /** A config object that holds one must never print its secrets when serialised. */
  toJSON(): string {
    return this.display;
  }
}

/** Why an EMBEDDING_MODEL URL cannot be used; the message never holds the URL's secrets. */
export class ModelUrlError extends Error {
  override readonly name = 'ModelUrlError';
}

/** True when `model` is written as an http(s) URL (then it is a URL model, valid or not). */
export function looksLikeModelUrl(model: string): boolean {
  return /^https?:\/\//i.test(model.trim());
}

/**
 * Parses an EMBEDDING_MODEL URL. https anywhere; plain http only to this machine (127.0.0.0/8, ::1,
 * localhost): weights fetched in clear text from elsewhere could be swapped on the way.
 */
export function parseModelUrl(text: string): ModelUrl {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ModelUrlError('EMBEDDING_MODEL is not a valid URL (expected https://host/path/to/model/)');
  }
  const model = new ModelUrl(url);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ModelUrlError(
      `EMBEDDING_MODEL ${model.display} uses plain http to another machine: use https (http is accepted for 127.0.0.1, ::1 and localhost only)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelUrlError(`EMBEDDING_MODEL ${model.display} must be an https:// URL`);
  }
  return model;
}

/** https anywhere, plain http only to this machine: the rule for the configured URL and every redirect. */
export function isSecureTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
