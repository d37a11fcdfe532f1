/**
 * Serves the test-only engine harness (/e2e/harness/engine.html) with Vite's dev server rooted at the repo (so
 * the built library in dist/lib is reachable too), proxying the API and model folders to the nearfeed server
 * under test. Started by e2e/engine.spec.ts.
 */
import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

export function harnessConfig(serverUrl: string, port: number): InlineConfig {
  return {
    configFile: false,
    root: fileURLToPath(new URL('../..', import.meta.url)),
    publicDir: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    // No dependency discovery: a mid-test re-optimisation would reload the page under the test.
    optimizeDeps: { noDiscovery: true, include: [] },
    server: {
      host: '127.0.0.1',
      port,
      strictPort: true,
      fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] },
      proxy: { '/api': serverUrl, '/models': serverUrl },
    },
  };
}
