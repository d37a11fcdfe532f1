/**
 * Security headers, through Hono's secureHeaders middleware, in two layers:
 *
 * - `baselineSecurityHeaders()` on every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
 *   no-referrer`, `X-Frame-Options: DENY`, and for anything that does not bring its own a CSP that allows nothing
 *   (`default-src 'none'; frame-ancestors 'none'`): a JSON answer is never a document that may run or frame
 *   something. It never overwrites a header a route set (the demo's policy, /docs', a model file's CORP).
 * - `demoSecurityHeaders()` on the demo's files: the page's CSP (`DEMO_CSP`) and cross-origin isolation.
 *
 * No Strict-Transport-Security: this server speaks plain HTTP; the proxy that terminates TLS sets HSTS.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * What the demo needs, and nothing else:
 * - scripts and workers from this origin, and `blob:` URLs this origin made: in the embedding worker,
 *   transformers.js fetches ONNX Runtime's WASM factory (a same-origin .mjs under /assets/) and imports it
 *   through a `blob:` URL (measured: without `blob:` the demo's WASM engine fails to load and falls back to
 *   the server), and ORT's thread workers start from that module's URL. A `blob:` URL can only be made by
 *   script already running here, so it admits nothing from elsewhere. `'wasm-unsafe-eval'` lets ONNX Runtime
 *   and the ranking kernel compile WebAssembly; nothing may `eval` JavaScript;
 * - `connect-src 'self'`: the API and the model files are fetched from this server;
 * - images from this origin and `data:` (the favicon is an inline SVG); styles from the stylesheet only
 *   (the page sets style properties through the CSSOM, which a CSP does not restrict);
 * - no plugins, no `<base>`, forms post here only, and no other site may frame the page.
 */
const DEMO_CSP: Readonly<Record<string, readonly string[]>> = Object.freeze({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", 'blob:', "'wasm-unsafe-eval'"],
  workerSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  styleSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
});

/** The CSP of every response that sets none itself (JSON, errors, model files): nothing may load or frame. */
const NOTHING_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

const COMMON = {
  strictTransportSecurity: false,
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
} as const;

/** Every response: nosniff, no referrer, no framing, a CSP that allows nothing unless the route set its own. */
export function baselineSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...COMMON,
    contentSecurityPolicy: NOTHING_CSP,
    // Cross-origin isolation is the demo's business (demoSecurityHeaders); model files opt in to cross-origin.
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    overwrite: false,
  });
}

/**
 * The demo's files: `DEMO_CSP`, and cross-origin isolation (COOP same-origin, COEP require-corp, CORP
 * same-origin) so ONNX Runtime's WASM backend may use threads (SharedArrayBuffer). On every file, not only the
 * page: a worker takes its CSP and COEP from its own script's response.
 */
export function demoSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...COMMON,
    contentSecurityPolicy: { ...DEMO_CSP } as Record<string, string[]>,
    crossOriginEmbedderPolicy: 'require-corp',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
  });
}
