/**
 * The `test` every e2e spec uses: Playwright's, plus an automatic network guard that fails the test on any
 * non-local request, a CSP guard that fails it on any Content Security Policy violation the browser reports
 * (pages and their workers: the server's CSP must allow what the engine does), and the page's console errors
 * attached to the report when a test fails.
 */
import { test as base, expect } from '@playwright/test';
import { installNetworkGuard, type NetworkGuard } from './network-guard';

/** How Chromium words a CSP violation on the console ("Refused to ... because it violates the following Content Security Policy directive"). */
const CSP_VIOLATION = /Content Security Policy/i;

export const test = base.extend<{ networkGuard: NetworkGuard; consoleLog: string[]; cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      const record = (m: import('@playwright/test').ConsoleMessage): void => {
        if (CSP_VIOLATION.test(m.text())) violations.push(m.text());
      };
      const watch = (page: import('@playwright/test').Page): void => {
        page.on('console', record);
        page.on('worker', (w) => w.on('console', record));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(violations);
      expect(violations, 'Content Security Policy violations').toEqual([]);
    },
    { auto: true },
  ],
  networkGuard: [
    async ({ context }, use) => {
      const guard = await installNetworkGuard(context);
      await use(guard);
      expect(guard.violations, 'requests to hosts other than this machine').toEqual([]);
    },
    { auto: true },
  ],
  consoleLog: [
    async ({ context }, use, testInfo) => {
      const lines: string[] = [];
      const watch = (page: import('@playwright/test').Page): void => {
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') lines.push(`[${m.type()}] ${m.text()}`);
        });
        page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(lines);
      if (testInfo.status !== testInfo.expectedStatus && lines.length > 0) {
        await testInfo.attach('browser-console.txt', { body: lines.join('\n'), contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
});

export { expect };
