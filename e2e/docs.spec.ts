/**
 * The API reference at /docs: Swagger UI served by the server itself (no CDN — the network guard fails the
 * test on any request off this machine), rendering this server's OpenAPI document under its strict CSP,
 * reached from the demo's footer.
 */
import { expect, test } from './support/fixtures';

test('the demo links to /docs, which renders every route of the OpenAPI document from this server alone', async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto('/');
  await page.getByRole('link', { name: 'API reference' }).click();
  await expect(page).toHaveURL(/\/docs$/);

  const doc = (await (await request.get('/api/v1/openapi.json')).json()) as { paths: Record<string, object> };
  const paths = Object.keys(doc.paths);
  await expect(page.locator('.opblock').first()).toBeVisible();
  const shown = await page.locator('.opblock-summary-path').evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-path') ?? e.textContent ?? ''),
  );
  const expectedCount = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  expect(shown).toHaveLength(expectedCount);
  expect(new Set(shown.map((p) => p.replace(/\u200b/g, '')))).toEqual(new Set(paths));
  // The page's CSP allows no inline script: Swagger UI must run without one (a violation is a console error).
  expect(errors).toEqual([]);
});
