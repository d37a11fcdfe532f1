/**
 * Model families in the browser: the generated CLS-pooled, MPNet-like (no token_type_ids) and prompted models
 * run by the real worker (transformers.js on onnxruntime-web, WASM) in Chromium, each equal within 1e-5 to an
 * independent reference computed here in Node (plain onnxruntime-node session + pooling written by hand).
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { generatedModelDir } from '../scripts/model/paths';
import { referenceEmbeddings, type Mode } from '../test/support/reference-embedding';
import { harnessConfig } from './harness/vite.config';
import { expect, test } from './support/fixtures';
import { E2E_BASE_URL } from './support/server';

let vite: ViteDevServer;
let harnessUrl = '';

test.beforeAll(async () => {
  vite = await createServer(harnessConfig(E2E_BASE_URL, 0));
  await vite.listen();
  const address = vite.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error(`harness server has no TCP address (${String(address)})`);
  harnessUrl = `http://127.0.0.1:${address.port}/e2e/harness/engine.html`;
});

test.afterAll(async () => {
  await vite?.close();
});

const TEXTS = ['founder of a climate startup', 'Zürich — naïve café ☕', 'seed investor in berlin looking for data tools', 'a'];

async function embedInBrowser(page: Page, model: string, texts: string[], promptName?: string): Promise<{ vectors: number[][]; key: string }> {
  await page.goto(harnessUrl);
  await expect(page.locator('#state')).toHaveText('ready', { timeout: 60_000 });
  const status = await page.evaluate((m) => window.nearfeedHarness.start({ device: 'wasm', model: m, databaseName: `families-${m}` }), model);
  expect(status.device, status.deviceReason).toBe('wasm');
  const vectors = await page.evaluate(
    async ([t, p]) => (await window.nearfeedHarness.engine!.embed(t, p ? { promptName: p } : {})).map((v) => Array.from(v)),
    [texts, promptName] as const,
  );
  return { vectors, key: status.modelKey ?? '' };
}

function expectClose(browser: number[][], expected: Float32Array[], label: string): void {
  expect(browser.length).toBe(expected.length);
  browser.forEach((v, i) => {
    const diff = Math.max(...v.map((x, d) => Math.abs(x - expected[i]![d]!)));
    expect(diff, `${label} text #${i}`).toBeLessThan(1e-5);
  });
}

const CASES: { model: string; mode: Mode; normalize: boolean; key: RegExp }[] = [
  { model: 'nearfeed-test-cls', mode: 'cls', normalize: false, key: /\|cls$/ },
  { model: 'nearfeed-test-notype', mode: 'mean', normalize: true, key: /\|mean\+norm$/ },
];

for (const c of CASES) {
  test(`${c.model}: ${c.mode} pooling${c.normalize ? ' + Normalize' : ''} equals raw ONNX Runtime + hand pooling`, async ({ page }) => {
    const dir = generatedModelDir(c.model === 'nearfeed-test-cls' ? 'test-cls' : 'test-notype');
    expect(path.basename(dir)).toBe(c.model);
    const { vectors, key } = await embedInBrowser(page, c.model, TEXTS);
    expect(key).toMatch(c.key);
    expectClose(vectors, await referenceEmbeddings(dir, TEXTS, c.mode, c.normalize), c.model);
  });
}

test('nearfeed-test-prompts: prompt_name "query" and "passage" equal the reference on the prompted text', async ({ page }) => {
  const dir = generatedModelDir('test-prompts');
  const text = 'founder of a climate startup';
  const query = await embedInBrowser(page, 'nearfeed-test-prompts', [text], 'query');
  expect(query.key).toMatch(/\|mean\+norm\+prompts-[0-9a-f]{8}$/);
  const passage = await page.evaluate(
    async (t) => (await window.nearfeedHarness.engine!.embed([t], { promptName: 'passage' })).map((v) => Array.from(v)),
    text,
  );
  const expected = await referenceEmbeddings(dir, [`query: ${text}`, `passage: ${text}`], 'mean', true);
  expectClose(query.vectors, [expected[0]!], 'query');
  expectClose(passage, [expected[1]!], 'passage');
  const unknown = await page.evaluate(async (t) => {
    try {
      await window.nearfeedHarness.engine!.embed([t], { promptName: 'nope' });
      return 'resolved';
    } catch (err) {
      return String(err);
    }
  }, text);
  expect(unknown).toContain('"nope" is not one of this model\'s prompts (query, passage)');
});
