/**
 * The network guard itself: a request to another host, from the page or from a worker, is aborted and
 * recorded (and would fail the test that made it). Proves the guard every other spec relies on has teeth.
 */
import { expect, test } from './support/fixtures';

// The pages' CSP would block these requests before they reach the guard: this spec tests the guard, not the CSP.
test.use({ bypassCSP: true });

test('requests to other hosts, from the page and from a worker, are aborted and recorded', async ({ page, networkGuard }) => {
  await page.goto('/no-such-file.txt');
  const fromPage = await page.evaluate(() =>
    fetch('http://example.com/probe-page').then(
      (r) => `status ${r.status}`,
      (e: Error) => `error ${e.name}`,
    ),
  );
  const fromWorker = await page.evaluate(async () => {
    const src = `fetch('https://cdn.jsdelivr.net/probe-worker').then(r => postMessage('status ' + r.status), e => postMessage('error ' + e.name));`;
    const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    return new Promise<string>((resolve) => (worker.onmessage = (e: MessageEvent<string>) => resolve(e.data)));
  });
  expect(fromPage).toBe('error TypeError');
  expect(fromWorker).toBe('error TypeError');
  expect(networkGuard.violations).toEqual(['http://example.com/probe-page', 'https://cdn.jsdelivr.net/probe-worker']);
  // Local requests pass: the page itself was fetched through the same route.
  expect(networkGuard.localRequests.some((u) => u.endsWith('/no-such-file.txt'))).toBe(true);
  // These violations were made on purpose; clear them so the guard's own teardown check passes.
  networkGuard.violations.length = 0;
});
