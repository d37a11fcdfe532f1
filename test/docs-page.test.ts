/** /docs: the reference page and its three files, from this package, under a CSP with no inline script. */
import { describe, expect, it } from 'vitest';
import { createApp } from '../server/app';
import { demoProfiles } from '../server/data/demo-profiles';
import { MemoryProfileStore } from '../server/store/memory-store';
import { disabledMl, testCache, testConfig } from './support/candidate-app';

describe('GET /docs', () => {
  it('serves the page, its script and the Swagger UI bundle, and nothing else of those folders', async () => {
    const store = new MemoryProfileStore({ seed: demoProfiles(3) });
    const cache = testCache();
    const config = testConfig();
    const app = createApp({ config, store, cache, ml: disabledMl(store, cache, config), staticFiles: {} });
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    for (const src of ['/docs/swagger-ui-bundle.js', '/docs/init.js', '/docs/swagger-ui.css']) {
      expect(html).toContain(src);
      const file = await app.request(src);
      expect(file.status, src).toBe(200);
    }
    expect(await (await app.request('/docs/init.js')).text()).toContain("url: '/api/v1/openapi.json'");
    for (const other of ['/docs/package.json', '/docs/index.html', '/docs/..%2Fpackage.json', '/docs/constructor']) {
      expect((await app.request(other)).status, other).toBe(404);
    }
  });
});
