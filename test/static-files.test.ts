/** Static files: nothing outside the served folder, and never a dotfile (a downloaded model's bookkeeping). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInside, staticRoutes } from '../server/static';

const root = mkdtempSync(path.join(tmpdir(), 'nearfeed-static-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('static files', () => {
  it('resolves inside the root and refuses escapes and dotfiles', () => {
    expect(resolveInside(root, 'onnx/model.onnx')).toBe(path.join(root, 'onnx', 'model.onnx'));
    for (const bad of ['../x', '%2e%2e/x', 'a/%2F../../x', '.nearfeed-download.json', 'onnx/.hidden', '.git/config']) {
      expect(resolveInside(root, bad), bad).toBeUndefined();
    }
  });

  it('serves a model folder but not its .nearfeed-download.json', async () => {
    const model = path.join(root, 'm');
    mkdirSync(model);
    writeFileSync(path.join(model, 'config.json'), '{}');
    writeFileSync(path.join(model, '.nearfeed-download.json'), '{"url":"https://internal.example/models/m/"}');
    const app = staticRoutes({ modelDirs: { m: model } });
    expect((await app.request('/models/m/config.json')).status).toBe(200);
    const hidden = await app.request('/models/m/.nearfeed-download.json');
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain('internal.example');
  });
});
