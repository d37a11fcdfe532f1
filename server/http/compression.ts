/**
 * Response compression: br or gzip by the request's Accept-Encoding (q-values honoured, br preferred on a tie),
 * for the API's JSON and the static files (demo, wasm, model files).
 *
 * Not Hono's `compress()`: it offers gzip and deflate only (no br: it is built on CompressionStream), and it can
 * only skip a small response that states its Content-Length, which `c.json()` responses never do. We reuse its
 * list of compressible types and Hono's Accept-* parser, and compress with Node's zlib:
 * - a body of known length at or above STREAM_FROM_BYTES (big static files) is compressed as it streams, so it
 *   is never held in memory whole; Content-Length goes (the length is not known up front);
 * - anything else (API JSON, small files) is read into memory, left alone below `threshold`, else compressed in
 *   one go on the thread pool and sent with its exact compressed Content-Length.
 * Skipped: HEAD, bodies without one of the compressible types (images, fonts, anything already compressed),
 * responses that already have a Content-Encoding or say `Cache-Control: no-transform`, 206 partial content.
 * Every compressible response says `Vary: Accept-Encoding`, so a cache keeps the variants apart.
 */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { accepts } from 'hono/accepts';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';

export interface CompressionOptions {
  /** Bodies smaller than this many bytes are sent as they are (default 1024: below it headers dominate). */
  threshold?: number;
}

/** Bodies of at least this declared length are compressed while streaming instead of in memory. */
export const STREAM_FROM_BYTES = 1024 * 1024;

/** What we offer, best first. */
const ENCODINGS: Encoding[] = ['br', 'gzip'];
type Encoding = 'br' | 'gzip';

/**
 * The offered encoding with the highest q (an explicit entry, else `*`'s), the first of ENCODINGS on a tie.
 * Hono's default match takes the header's order on a tie, and browsers list gzip first.
 */
function preferred(list: { type: string; q: number }[]): string {
  const wildcard = list.find((a) => a.type === '*')?.q ?? 0;
  let best: { encoding: Encoding; q: number } | undefined;
  for (const encoding of ENCODINGS) {
    const q = list.find((a) => a.type.toLowerCase() === encoding)?.q ?? wildcard;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding ?? 'identity';
}

/**
 * Brotli quality 5 and gzip level 6: on JSON they cost about the same CPU, and quality 5 already beats gzip's
 * ratio; br's top qualities (10-11) are ~20× slower for a few percent, too slow for responses made per request.
 */
const BROTLI: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
const GZIP: zlib.ZlibOptions = { level: 6 };

const brotli = promisify(zlib.brotliCompress) as (buf: Uint8Array, options: zlib.BrotliOptions) => Promise<Buffer>;
const gzip = promisify(zlib.gzip) as (buf: Uint8Array, options: zlib.ZlibOptions) => Promise<Buffer>;

/** Model graphs and weights are served as bytes; ONNX protobuf still shrinks (names, small tensors, q8 zeros). */
function compressible(contentType: string, path: string): boolean {
  if (COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType)) return true;
  return /^application\/octet-stream/i.test(contentType) && /\.onnx(_data)?$/i.test(path);
}

const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/** The compression middleware; mount it first so it sees every response. */
export function compression(options: CompressionOptions = {}): MiddlewareHandler {
  const threshold = options.threshold ?? 1024;
  return async function compressResponse(c, next) {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type');
    if (!res.body || res.status === 206 || c.req.method === 'HEAD') return;
    if (!type || !compressible(type, c.req.path)) return;
    if (res.headers.has('content-encoding') || NO_TRANSFORM.test(res.headers.get('cache-control') ?? '')) return;
    addVary(res.headers);
    const encoding = accepts(c, { header: 'Accept-Encoding', supports: ENCODINGS, default: 'identity', match: preferred });
    const declared = res.headers.get('content-length');
    const length = declared === null ? undefined : Number(declared);
    if (length !== undefined && length < threshold) return;
    if (encoding !== 'br' && encoding !== 'gzip') return;

    let body: BodyInit;
    let packedLength: number | undefined;
    if (length !== undefined && length >= STREAM_FROM_BYTES) {
      const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      const packer = encoding === 'br' ? zlib.createBrotliCompress(BROTLI) : zlib.createGzip(GZIP);
      // A failing source (file gone mid-read) must end the compressed stream too, not leave the client waiting.
      source.once('error', (err) => packer.destroy(err));
      body = Readable.toWeb(source.pipe(packer)) as ReadableStream<Uint8Array>;
    } else {
      const raw = new Uint8Array(await res.arrayBuffer());
      if (raw.byteLength < threshold) {
        // Read to learn its size: sent as it was, now with its length.
        c.res = new Response(raw, res);
        c.res.headers.set('content-length', String(raw.byteLength));
        return;
      }
      const packed = encoding === 'br' ? await brotli(raw, BROTLI) : await gzip(raw, GZIP);
      // zlib's Buffers sit on plain ArrayBuffers (never shared memory).
      body = packed as Uint8Array<ArrayBuffer>;
      packedLength = packed.byteLength;
    }
    // Hono copies the old response's headers onto the new one: fix them up after the assignment.
    c.res = new Response(body, res);
    const headers = c.res.headers;
    headers.set('content-encoding', encoding);
    if (packedLength === undefined) headers.delete('content-length');
    else headers.set('content-length', String(packedLength));
    weakenEtag(headers);
  };
}

function addVary(headers: Headers): void {
  const vary = headers.get('vary');
  if (vary === null || vary === '') headers.set('vary', 'Accept-Encoding');
  else if (vary !== '*' && !/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary)) headers.set('vary', `${vary}, Accept-Encoding`);
}

/** A strong ETag names exact bytes; the compressed bytes differ, so it becomes weak (as Hono's compress does). */
function weakenEtag(headers: Headers): void {
  const etag = headers.get('etag');
  if (etag && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
}
