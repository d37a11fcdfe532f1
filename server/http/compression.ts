/**
 * Response compression: br or gzip by the request's Accept-Encoding (q-values honoured, br preferred on a tie).
 * Two users: `compression()`, the middleware in front of the JSON API, and the static file routes
 * (server/static.ts), which keep compressed copies of their files (compressed-files.ts).
 *
 * Not Hono's `compress()`: it offers gzip and deflate only (no br: it is built on CompressionStream), it can
 * only skip a small response that states its Content-Length, which `c.json()` responses never do, and it
 * compresses a file again on every request (a 27 MB wasm takes seconds). We reuse its list of compressible
 * types and Hono's Accept-* parser, and compress with Node's zlib on its thread pool.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';
import { parseAccept } from 'hono/utils/accept';

/** A content coding we send. */
export type Encoding = 'br' | 'gzip';

/** What we offer, best first. */
const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];

/** Bodies smaller than this are sent as they are: below it the headers dominate and nothing is saved. */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * Brotli quality 5 and gzip level 6: on JSON they cost about the same CPU, and quality 5 already beats gzip's
 * ratio; br's top qualities (10-11) are ~20× slower for a few percent.
 */
const BROTLI: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
const GZIP: zlib.ZlibOptions = { level: 6 };
const brotli = promisify(zlib.brotliCompress) as (buf: Uint8Array, options: zlib.BrotliOptions) => Promise<Buffer>;
const gzip = promisify(zlib.gzip) as (buf: Uint8Array, options: zlib.ZlibOptions) => Promise<Buffer>;

/** `bytes` compressed with `encoding`, off the event loop. */
export function compressBytes(bytes: Uint8Array, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br' ? brotli(bytes, BROTLI) : gzip(bytes, GZIP);
}

/**
 * The offered encoding with the highest q in an Accept-Encoding header (an explicit entry, else `*`'s), the
 * first of br, gzip on a tie (browsers list gzip first); undefined when none is acceptable.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const list = parseAccept(acceptEncoding);
  const wildcard = list.find((a) => a.type === '*')?.q ?? 0;
  let best: { encoding: Encoding; q: number } | undefined;
  for (const encoding of ENCODINGS) {
    const q = list.find((a) => a.type.toLowerCase() === encoding)?.q ?? wildcard;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

/** Text, JSON, JS, wasm, SVG…: the types worth compressing (Hono's list); never images, fonts, archives. */
export function isCompressibleType(contentType: string | null): boolean {
  return contentType !== null && COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType);
}

/** Adds Accept-Encoding to Vary: the response differs by it, so caches must keep the variants apart. */
export function varyOnEncoding(headers: Headers): void {
  const vary = headers.get('vary');
  if (vary === null || vary === '') headers.set('vary', 'Accept-Encoding');
  else if (vary !== '*' && !/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary)) headers.set('vary', `${vary}, Accept-Encoding`);
}

const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/**
 * Compresses the API's responses (JSON built in memory): read whole, left alone below MIN_COMPRESS_BYTES, else
 * compressed in one go and sent with its exact compressed Content-Length. Skipped: HEAD, 206, a response that
 * already has a Content-Encoding or says `Cache-Control: no-transform`, types that do not compress.
 */
export function compression(): MiddlewareHandler {
  return async function compressResponse(c, next) {
    await next();
    const res = c.res;
    if (!res.body || res.status === 206 || c.req.method === 'HEAD') return;
    if (!isCompressibleType(res.headers.get('content-type'))) return;
    if (res.headers.has('content-encoding') || NO_TRANSFORM.test(res.headers.get('cache-control') ?? '')) return;
    varyOnEncoding(res.headers);
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (!encoding) return;
    const raw = new Uint8Array(await res.arrayBuffer());
    // Hono copies the old response's headers onto a new one: fix them up after the assignment.
    if (raw.byteLength < MIN_COMPRESS_BYTES) {
      c.res = new Response(raw, res);
      c.res.headers.set('content-length', String(raw.byteLength));
      return;
    }
    const packed = await compressBytes(raw, encoding);
    // zlib's Buffers sit on plain ArrayBuffers (never shared memory).
    c.res = new Response(packed as Uint8Array<ArrayBuffer>, res);
    c.res.headers.set('content-encoding', encoding);
    c.res.headers.set('content-length', String(packed.byteLength));
    const etag = c.res.headers.get('etag');
    // A strong ETag names exact bytes; the compressed bytes differ (as Hono's compress does).
    if (etag && !etag.startsWith('W/')) c.res.headers.set('etag', `W/${etag}`);
  };
}
