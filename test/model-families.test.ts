/**
 * Model families on the real generated variants and onnxruntime-node: every pooling mode, with and without
 * Normalize, a graph without token_type_ids and a model with prompts, each checked against a plain
 * InferenceSession run with the pooling written out here (not shared/embedding/pooling.ts). Folders that ask
 * for what nearfeed does not run are refused at load, naming the file and the setting.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelKey } from '../shared/embedder';
import { feedPromptNames, promptedText } from '../shared/embedding/model-family';
import { createNodeEmbedder, UnsupportedModelError, type NodeEmbedder } from '../server/embedder/node-embedder';
import { profileToText } from '../shared/profile-text';
import { ensureModel } from '../scripts/model/generate';
import { buildTestApp, post } from './support/ml-fixture';
import { referenceEmbeddings as reference, type Mode } from './support/reference-embedding';
import { generatedModelDir } from '../scripts/model/paths';


const TEXTS = ['', 'founder of a climate startup', 'Zürich — naïve café ☕', 'seed investor in berlin looking for data tools', 'a'];
const quiet = () => undefined;
const temp: string[] = [];

beforeAll(() => {
  for (const id of ['test', 'test-cls', 'test-notype', 'test-prompts'] as const) ensureModel(id);
});

afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a generated folder, named `name`, with `edit` applied. */
function variantOf(id: Parameters<typeof generatedModelDir>[0], name: string, edit: (dir: string) => void): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-family-'));
  temp.push(root);
  const dir = path.join(root, name);
  cpSync(generatedModelDir(id), dir, { recursive: true });
  edit(dir);
  return dir;
}

function writeJson(dir: string, file: string, value: unknown): void {
  writeFileSync(path.join(dir, file), JSON.stringify(value));
}

function poolingConfig(flags: Partial<Record<string, boolean>>): Record<string, unknown> {
  return {
    word_embedding_dimension: 64,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: false,
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    ...flags,
  };
}

const MODE_FLAG: Record<Mode, string> = {
  mean: 'pooling_mode_mean_tokens',
  cls: 'pooling_mode_cls_token',
  max: 'pooling_mode_max_tokens',
  lasttoken: 'pooling_mode_lasttoken',
  weightedmean: 'pooling_mode_weightedmean_tokens',
  mean_sqrt_len: 'pooling_mode_mean_sqrt_len_tokens',
};

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, x, i) => Math.max(max, Math.abs(x - b[i]!)), 0);
}

async function withEmbedder<T>(dir: string, run: (e: NodeEmbedder) => Promise<T>): Promise<T> {
  const { embedder } = await createNodeEmbedder({ model: dir, dtype: 'fp32', device: 'cpu', logger: quiet });
  try {
    return await run(embedder);
  } finally {
    await embedder.dispose();
  }
}

async function expectMatchesReference(dir: string, mode: Mode, normalize: boolean, texts = TEXTS): Promise<NodeEmbedder['info']> {
  return withEmbedder(dir, async (embedder) => {
    expect(embedder.info.family).toMatchObject({ pooling: mode, normalize });
    const vectors = await embedder.embed(texts);
    const expected = await reference(dir, texts, mode, normalize);
    vectors.forEach((v, i) => expect(maxAbsDiff(v, expected[i]!), `${mode} text #${i}`).toBeLessThan(1e-5));
    return embedder.info;
  });
}

describe('generated family variants equal raw ONNX Runtime + hand pooling', () => {
  it('CLS pooling without Normalize (nearfeed-test-cls): vectors are not unit length', async () => {
    const dir = generatedModelDir('test-cls');
    const info = await expectMatchesReference(dir, 'cls', false);
    const norms = await withEmbedder(dir, async (e) => (await e.embed(TEXTS)).map((v) => Math.hypot(...v)));
    expect(norms.some((n) => Math.abs(n - 1) > 0.01), norms.join(', ')).toBe(true);
    expect(info.modelKey).toBe(modelKey('nearfeed-test-cls', 'fp32', 128, info.family));
    expect(info.modelKey).toContain('|cls');
    expect(info.modelKey).not.toContain('+norm');
  });

  it('a graph without token_type_ids (nearfeed-test-notype, MPNet-like) is fed only what it declares', async () => {
    const dir = generatedModelDir('test-notype');
    const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    await session.release();
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'mpnet' });
    await expectMatchesReference(dir, 'mean', true);
  });

  it('prompts (nearfeed-test-prompts): the query and passage prompts are what the model sees', async () => {
    const dir = generatedModelDir('test-prompts');
    await withEmbedder(dir, async (embedder) => {
      const family = embedder.info.family;
      expect(family.prompts).toEqual({ query: 'query: ', passage: 'passage: ' });
      expect(feedPromptNames(family)).toEqual({ query: 'query', document: 'passage' });
      const text = 'founder of a climate startup';
      const [asQuery, asPassage, plain] = await embedder.embed([
        promptedText(family, text, 'query'),
        promptedText(family, text, 'passage'),
        promptedText(family, text),
      ]);
      const expected = await reference(dir, [`query: ${text}`, `passage: ${text}`, text], 'mean', true);
      expect(maxAbsDiff(asQuery!, expected[0]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(asPassage!, expected[1]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(plain!, expected[2]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(asQuery!, asPassage!)).toBeGreaterThan(1e-3);
      expect(() => promptedText(family, text, 'nope')).toThrow(/"nope" is not one of this model's prompts \(query, passage\)/);
      // Same weights and pooling as nearfeed-test, but prompts change the key.
      expect(embedder.info.modelKey).toMatch(/\|mean\+norm\+prompts-[0-9a-f]{8}$/);
    });
  });

  for (const mode of ['max', 'lasttoken', 'weightedmean', 'mean_sqrt_len'] as const) {
    it(`${mode} pooling read from 1_Pooling/config.json, with and without Normalize`, async () => {
      const normalized = variantOf('test', `pool-${mode}`, (dir) =>
        writeJson(dir, '1_Pooling/config.json', poolingConfig({ [MODE_FLAG[mode]]: true })),
      );
      const raw = variantOf('test', `pool-${mode}-raw`, (dir) => {
        writeJson(dir, '1_Pooling/config.json', poolingConfig({ [MODE_FLAG[mode]]: true }));
        const modules = JSON.parse(readFileSync(path.join(dir, 'modules.json'), 'utf8')) as { type: string }[];
        writeJson(dir, 'modules.json', modules.filter((m) => !m.type.endsWith('.Normalize')));
      });
      const a = await expectMatchesReference(normalized, mode, true);
      const b = await expectMatchesReference(raw, mode, false);
      expect(a.modelKey).not.toBe(b.modelKey);
    });
  }
});

describe('folders nearfeed cannot run are refused at load, naming the file and the setting', () => {
  const load = (dir: string) => createNodeEmbedder({ model: dir, dtype: 'fp32', device: 'cpu', logger: quiet });

  it('two pooling modes at once', async () => {
    const dir = variantOf('test', 'two-modes', (d) =>
      writeJson(d, '1_Pooling/config.json', poolingConfig({ pooling_mode_mean_tokens: true, pooling_mode_max_tokens: true })),
    );
    const error = await load(dir).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedModelError);
    expect(String(error)).toContain('1_Pooling/config.json enables 2 pooling modes at once (max + mean');
  });

  it('an unknown pooling mode, a Dense module, prompts left out of pooling', async () => {
    const unknown = variantOf('test', 'unknown-mode', (d) =>
      writeJson(d, '1_Pooling/config.json', { ...poolingConfig({}), pooling_mode_attention: true }),
    );
    await expect(load(unknown)).rejects.toThrow('1_Pooling/config.json enables pooling_mode_attention');
    const dense = variantOf('test', 'dense', (d) => {
      const modules = JSON.parse(readFileSync(path.join(d, 'modules.json'), 'utf8')) as unknown[];
      writeJson(d, 'modules.json', [...modules, { idx: 3, name: '3', path: '3_Dense', type: 'sentence_transformers.models.Dense' }]);
    });
    await expect(load(dense)).rejects.toThrow('modules.json holds module sentence_transformers.models.Dense');
    const excluded = variantOf('test-prompts', 'no-prompt-pooling', (d) =>
      writeJson(d, '1_Pooling/config.json', { ...poolingConfig({ pooling_mode_mean_tokens: true }), include_prompt: false }),
    );
    await expect(load(excluded)).rejects.toThrow('1_Pooling/config.json sets include_prompt: false');
  });
});

describe('prompts through the server (nearfeed-test-prompts)', () => {
  it('prompt_name on /ml/embeddings(/batch); the feed embeds the user as query and candidates as passages', async () => {
    const dir = generatedModelDir('test-prompts');
    const { embedder, notes } = await createNodeEmbedder({ model: dir, dtype: 'fp32', device: 'cpu', logger: quiet });
    const { app, store, ml } = buildTestApp({ model: { state: 'ready', embedder, notes } });
    try {
      const text = 'founder of a climate startup';
      const [asQuery, asPassage, plain] = await reference(dir, [`query: ${text}`, `passage: ${text}`, text], 'mean', true);
      const one = async (body: Record<string, unknown>) => {
        const res = await post(app, '/api/v1/ml/embeddings', body);
        expect(res.status, JSON.stringify(body)).toBe(200);
        return Float32Array.from(((await res.json()) as { embedding: number[] }).embedding);
      };
      expect(maxAbsDiff(await one({ text, prompt_name: 'query' }), asQuery!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await one({ text, prompt_name: 'passage' }), asPassage!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await one({ text }), plain!)).toBeLessThan(1e-5);
      const batch = await post(app, '/api/v1/ml/embeddings/batch', { texts: [text], prompt_name: 'query' });
      const batchVector = Float32Array.from(((await batch.json()) as { embeddings: number[][] }).embeddings[0]!);
      expect(maxAbsDiff(batchVector, asQuery!)).toBeLessThan(1e-5);

      // TEI's /embed takes the same prompt_name.
      const tei = await post(app, '/embed', { inputs: text, prompt_name: 'query' });
      expect(tei.status).toBe(200);
      expect(maxAbsDiff(Float32Array.from(((await tei.json()) as number[][])[0]!), asQuery!)).toBeLessThan(1e-5);

      const bad = await post(app, '/api/v1/ml/embeddings', { text, prompt_name: 'document' });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toEqual({
        error: 'prompt_name "document" is not one of this model\'s prompts (query, passage)',
        error_type: 'validation',
      });

      // /feed for a stored user: the query vector is the user's text under "query: ", each candidate's under
      // "passage: " — the similarity in the breakdown is (cos + 1) / 2 of exactly those.
      const [user, ...candidates] = await store.list();
      const feed = await post(app, '/api/v1/feed', { profile_id: user!.id, limit: 5 });
      expect(feed.status).toBe(200);
      const results = ((await feed.json()) as { results: { profile: { id: string }; breakdown: { similarity: number } }[] })
        .results;
      const byId = new Map(candidates.map((c) => [c.id, c]));
      const [q] = await reference(dir, [`query: ${profileToText(user!)}`], 'mean', true);
      const top = results.slice(0, 3).map((r) => byId.get(r.profile.id)!);
      const docs = await reference(dir, top.map((c) => `passage: ${profileToText(c)}`), 'mean', true);
      results.slice(0, 3).forEach((r, i) => {
        const cos = docs[i]!.reduce((sum, x, d) => sum + x * q![d]!, 0);
        expect(r.breakdown.similarity).toBeCloseTo((cos + 1) / 2, 5);
      });
    } finally {
      await ml.close();
    }
  });
});
