/**
 * Fails a test on any request that leaves this machine. Every request of the browser context (pages and their
 * workers) passes through one route: local hosts go on, anything else is aborted and recorded, so a silent
 * CDN or model-hub fetch behind a working fallback still fails the test.
 */
import type { BrowserContext } from '@playwright/test';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalHost(hostname: string): boolean {
  return LOCAL_HOSTS.has(hostname) || hostname.startsWith('127.') || hostname.endsWith('.localhost');
}

export interface NetworkGuard {
  /** Non-local URLs the context tried to reach (all aborted). */
  readonly violations: string[];
  /** Local URLs requested, in order, for assertions on what the page loaded. */
  readonly localRequests: string[];
}

/**
 * Installs the guard. Register it before any test-specific route: Playwright runs the most recently
 * registered handler first, so a test's own blocking route still wins and falls back to this one.
 */
export async function installNetworkGuard(context: BrowserContext): Promise<NetworkGuard> {
  const guard: NetworkGuard = { violations: [], localRequests: [] };
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || isLocalHost(url.hostname)) {
      guard.localRequests.push(url.href);
      await route.fallback();
      return;
    }
    guard.violations.push(url.href);
    await route.abort('blockedbyclient');
  });
  return guard;
}
