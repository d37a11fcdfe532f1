/**
 * Security headers and caching of the served files: the demo's CSP and cross-origin isolation on every demo
 * file, immutable caching only for Vite's content-hashed assets, and nosniff / no-referrer / no framing / a
 * nothing-allowed CSP on API answers, without overwriting what a route set itself (/docs, model files).
 * That the CSP does not break the page is proven in real Chromium by e2e/demo.spec.ts (which fails on a
 * CSP violation, e2e/support/fixtures.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app';
import { demoProfiles } from '../server/data/demo-profiles';
import { isHashedAsset } from '../server/static';
import { MemoryProfileStore } from '../server/store/memory-store';
import { disabledMl, testCache, testConfig } from './support/candidate-app';

const demoDir = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-demo-'));
mkdirSync(path.join(demoDir, 'assets'));
writeFileSync(path.join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
writeFileSync(path.join(demoDir, 'assets', 'index-BoT7uCIe.js'), 'console.log(1)');
writeFileSync(path.join(demoDir, 'assets', 'ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm'), 'wasm');
writeFileSync(path.join(demoDir, 'robots.txt'), 'User-agent: *');
const modelRoot = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-models-'));
mkdirSync(path.join(modelRoot, 'm'));
writeFileSync(path.join(modelRoot, 'm', 'config.json'), '{}');
afterAll(() => {
  rmSync(demoDir, { recursive: true, force: true });
  rmSync(modelRoot, { recursive: true, force: true });
});

const config = testConfig();
const store = new MemoryProfileStore({ seed: demoProfiles(3) });
const cache = testCache();
const app = createApp({ config, store, cache, ml: disabledMl(store, cache, config), staticFiles: { demoDir, modelRoots: [modelRoot] } });

/** The CSP as directive → sources. */
function csp(res: Response): Record<string, string[]> {
  const value = res.headers.get('content-security-policy') ?? '';
  return Object.fromEntries(
    value.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('security headers', () => {
  it('the demo page: a CSP allowing exactly what the engine needs, isolation, nosniff, no referrer, no framing', async () => {
    for (const url of ['/', '/index.html', '/some/client/route']) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      expect(csp(res), url).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'", 'blob:', "'wasm-unsafe-eval'"],
        'worker-src': ["'self'", 'blob:'],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'style-src': ["'self'"],
        'font-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      // Plain HTTP here: HSTS is the TLS-terminating proxy's header.
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('every demo file carries the page policy (a worker takes its CSP and COEP from its own script)', async () => {
    const res = await app.request('/assets/index-BoT7uCIe.js');
    expect(res.status).toBe(200);
    expect(csp(res)['script-src']).toEqual(["'self'", 'blob:', "'wasm-unsafe-eval'"]);
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('API answers, errors included: nosniff, no framing and a CSP that allows nothing; no isolation headers', async () => {
    for (const [url, status] of [['/api/v1/sync', 200], ['/api/v1/nope', 404], ['/v1/nope', 404], ['/api/v1/profiles/none', 404]] as const) {
      const res = await app.request(url);
      expect(res.status, url).toBe(status);
      expect(csp(res), url).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy'), url).toBeNull();
    }
  });

  it('keeps what a route set: model files stay loadable cross-origin, /docs keeps its own policy', async () => {
    const model = await app.request('/models/m/config.json');
    expect(model.status).toBe(200);
    expect(model.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(model.headers.get('x-content-type-options')).toBe('nosniff');
    const docs = await app.request('/docs');
    expect(docs.status).toBe(200);
    expect(csp(docs)['style-src']).toContain("'unsafe-inline'");
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('caching of the demo files', () => {
  it('immutable for a year only for content-hashed build assets; revalidated otherwise', async () => {
    for (const url of ['/assets/index-BoT7uCIe.js', '/assets/ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm']) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
    }
    const robots = await app.request('/robots.txt');
    expect(robots.status).toBe(200);
    expect(robots.headers.get('cache-control')).toBe('no-cache');
  });

  it('tells hashed from unhashed names', () => {
    expect(isHashedAsset('/assets/embed-worker-DLu_rOxB.js')).toBe(true);
    for (const p of ['/index.html', '/assets/app.js', '/assets/app-short.js', '/app-BoT7uCIe.js', '/assets/x/y-BoT7uCIe.js']) {
      expect(isHashedAsset(p), p).toBe(false);
    }
  });
});
