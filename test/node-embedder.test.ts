/**
 * The Node embedding engine on the real generated test model and the real onnxruntime-node: its vectors are
 * checked against a direct InferenceSession run with pooling written here, independently of the engine.
 * The setup file fails any request that leaves this machine, so the hub fallback is exercised for real.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEAN_NORMALIZED, modelKey } from '../shared/embedder';
import {
  createNodeEmbedder,
  ModelSourceError,
  type NodeEmbedder,
  type NodeEmbedderOptions,
} from '../server/embedder/node-embedder';
import { ensureTestModel, testModelDir } from './support/model-path';

const MODEL_DIR = testModelDir();
const MAX_SEQ = 128; // sentence_bert_config.json of the test model
/** The default install skips onnxruntime-node's CUDA provider (see .npmrc); a CUDA user opts in. */
const CUDA_PROVIDER_INSTALLED = existsSync(
  path.resolve('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'),
);

const WORDS = (
  'founder startup investor seed series growth engineer design product market team build scale data ' +
  'platform cloud health climate fintech hiring remote europe berlin london paris ai model search feed'
).split(' ');

/** A deterministic sentence of `n` words. */
function sentence(n: number, seed: number): string {
  return Array.from({ length: n }, (_, i) => WORDS[(seed * 7 + i * 13 + ((i * seed) % 5)) % WORDS.length]).join(' ');
}

const quiet = () => undefined;
const load = (options: Partial<NodeEmbedderOptions> = {}) =>
  createNodeEmbedder({ model: MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: quiet, ...options });

let embedder: NodeEmbedder;
let tokenizer: PreTrainedTokenizer;
let session: ort.InferenceSession;

beforeAll(async () => {
  ensureTestModel();
  ({ embedder } = await load());
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  tokenizer = await AutoTokenizer.from_pretrained(MODEL_DIR);
  session = await ort.InferenceSession.create(path.join(MODEL_DIR, 'onnx', 'model.onnx'));
});

afterAll(async () => {
  await embedder?.dispose();
  await session?.release();
});

/** Token ids with [CLS] … [SEP], untruncated. */
function tokenIds(text: string): number[] {
  return (tokenizer._call(text, { return_tensor: false }) as unknown as { input_ids: number[] }).input_ids;
}

/** What sentence-transformers feeds the model: [CLS] + the first max-2 word pieces + [SEP]. */
function truncatedIds(text: string, max: number): number[] {
  const ids = tokenIds(text);
  return ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]!];
}

/**
 * The reference: one padded batch through a plain InferenceSession, then masked mean pooling and L2
 * normalisation written out here (sum over mask / count, divide by the norm).
 */
async function reference(rows: number[][], ortSession = session): Promise<Float32Array[]> {
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq);
  const mask = new BigInt64Array(rows.length * seq);
  rows.forEach((row, b) =>
    row.forEach((id, t) => {
      ids[b * seq + t] = BigInt(id);
      mask[b * seq + t] = 1n;
    }),
  );
  const dims = [rows.length, seq];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows.length * seq), dims),
  };
  const output = await ortSession.run(Object.fromEntries(ortSession.inputNames.map((name) => [name, feeds[name]!])));
  const hidden = output['last_hidden_state']!;
  const dim = hidden.dims[2]!;
  const data = hidden.data as Float32Array;
  return rows.map((row, b) => {
    const mean = new Array<number>(dim).fill(0);
    for (let t = 0; t < row.length; t++) for (let d = 0; d < dim; d++) mean[d]! += data[(b * seq + t) * dim + d]!;
    const norm = Math.hypot(...mean.map((x) => x / row.length));
    return Float32Array.from(mean, (x) => x / row.length / norm);
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, x, i) => Math.max(max, Math.abs(x - b[i]!)), 0);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot; // both are unit vectors
}

const MIXED = Array.from({ length: 40 }, (_, i) => sentence((i * 37) % 160, i)); // 0 to 159 words, some truncated

describe('createNodeEmbedder on the generated test model', () => {
  it('reports what it runs', async () => {
    const [probe] = await reference([tokenIds('x')]);
    expect(embedder.info).toEqual({
      model: 'nearfeed-test',
      dtype: 'fp32',
      device: 'cpu',
      dimension: probe!.length,
      maxSeqLength: MAX_SEQ,
      family: MEAN_NORMALIZED,
      modelKey: modelKey('nearfeed-test', 'fp32', MAX_SEQ),
    });
  });

  it('equals a direct InferenceSession run with independent mean pooling and normalisation', async () => {
    const texts = ['', 'founder of a climate startup', 'Zürich — naïve café ☕', sentence(60, 3), 'a'];
    const vectors = await embedder.embed(texts);
    const expected = await reference(texts.map((text) => truncatedIds(text, MAX_SEQ)));
    vectors.forEach((vector, i) => {
      expect(maxAbsDiff(vector, expected[i]!)).toBeLessThan(1e-5);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    });
    // Each text alone (no padding at all) gives the same vectors: padding is fully masked out.
    for (const [i, text] of texts.entries()) {
      const [alone] = await reference([tokenIds(text)]);
      expect(maxAbsDiff(vectors[i]!, alone!)).toBeLessThan(1e-5);
    }
  });

  it('gives the same vectors batched as one at a time, in the caller order', async () => {
    const batched = await embedder.embed(MIXED);
    expect(batched).toHaveLength(MIXED.length);
    for (const [i, text] of MIXED.entries()) {
      const [single] = await embedder.embed([text]);
      expect(maxAbsDiff(batched[i]!, single!)).toBeLessThan(1e-5);
    }
    const reversed = await embedder.embed([...MIXED].reverse());
    reversed.forEach((vector, i) => expect(maxAbsDiff(vector, batched[MIXED.length - 1 - i]!)).toBeLessThan(1e-5));
  });

  it('cuts batches by the token budget and still matches', async () => {
    const { embedder: small } = await load({ maxBatchSize: 4, maxBatchTokens: 256 });
    try {
      expect(small.limits).toEqual({ maxBatchSize: 4, maxBatchTokens: 256 });
      const [a, b] = [await small.embed(MIXED), await embedder.embed(MIXED)];
      a.forEach((vector, i) => expect(maxAbsDiff(vector, b[i]!)).toBeLessThan(1e-5));
    } finally {
      await small.dispose();
    }
  });

  it('queues concurrent calls so that two runs never overlap on the session', async () => {
    // Watch the real model's forward (still ONNX Runtime underneath) to count runs in flight.
    const model = (embedder as unknown as { model: { forward: (inputs: unknown) => Promise<unknown> } }).model;
    const forward = model.forward.bind(model);
    let inFlight = 0;
    let maxInFlight = 0;
    model.forward = async (inputs: unknown) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await forward(inputs);
      } finally {
        inFlight -= 1;
      }
    };
    try {
      const calls = [MIXED.slice(0, 10), MIXED.slice(10, 30), ['short one'], MIXED.slice(30)];
      const concurrent = await Promise.all(calls.map((texts) => embedder.embed(texts)));
      expect(maxInFlight).toBe(1);
      const sequential: Float32Array[][] = [];
      for (const texts of calls) sequential.push(await embedder.embed(texts));
      concurrent.flat().forEach((vector, i) => expect(maxAbsDiff(vector, sequential.flat()[i]!)).toBeLessThan(1e-6));
    } finally {
      model.forward = forward;
    }
  });

  it('returns [] for no texts, embeds the empty string, and rejects non-strings', async () => {
    await expect(embedder.embed([])).resolves.toEqual([]);
    const [empty] = await embedder.embed(['']);
    expect(await embedder.countTokens(['', 'founder'])).toEqual([2, tokenIds('founder').length]);
    expect(Math.hypot(...empty!)).toBeCloseTo(1, 5);
    await expect(embedder.embed([42 as unknown as string])).rejects.toThrow(/texts\[0\] must be a string/);
  });
});

describe('truncation', () => {
  const long = sentence(1000, 11);

  it('truncates at max_seq_length keeping [SEP]: [CLS] + first max-2 word pieces + [SEP]', async () => {
    const full = tokenIds(long);
    expect(full.length).toBeGreaterThan(MAX_SEQ);
    const truncated = [full[0]!, ...full.slice(1, MAX_SEQ - 1), full[full.length - 1]!];
    expect(truncated).toEqual(truncatedIds(long, MAX_SEQ));
    expect(await embedder.countTokens([long])).toEqual([MAX_SEQ]);
    const [vector] = await embedder.embed([long]);
    const [expected] = await reference([truncated]);
    expect(maxAbsDiff(vector!, expected!)).toBeLessThan(1e-5);
  });

  it('follows a MAX_SEQ_LENGTH override', async () => {
    const { embedder: short } = await load({ maxSeqLength: 32 });
    try {
      expect(short.info.maxSeqLength).toBe(32);
      expect(short.info.modelKey).toBe(modelKey('nearfeed-test', 'fp32', 32));
      expect(await short.countTokens([long, 'founder'])).toEqual([32, tokenIds('founder').length]);
      const [expected] = await reference([truncatedIds(long, 32)]);
      const [vector] = await short.embed([long]);
      expect(maxAbsDiff(vector!, expected!)).toBeLessThan(1e-5);
      const [at128] = await embedder.embed([long]);
      expect(maxAbsDiff(vector!, at128!)).toBeGreaterThan(1e-3);
    } finally {
      await short.dispose();
    }
  });
});

describe('MAX_SEQ_LENGTH limits', () => {
  it('clamps a limit beyond the position table, says so, and rejects a non-positive one', async () => {
    const { embedder: wide, notes } = await load({ maxSeqLength: 1000 });
    try {
      expect(wide.info.maxSeqLength).toBe(512);
      expect(notes).toEqual([
        "max_seq_length 1000 (MAX_SEQ_LENGTH) exceeds the model's 512 positions; truncating at 512",
      ]);
      expect(await wide.countTokens([sentence(1000, 2)])).toEqual([512]);
    } finally {
      await wide.dispose();
    }
    await expect(load({ maxSeqLength: 0 })).rejects.toThrow('maxSeqLength must be a positive integer, got 0');
  });
});

describe('dtype q8', () => {
  it('loads model_quantized.onnx: close to fp32 but not identical', async () => {
    const { embedder: q8, notes } = await load({ dtype: 'q8' });
    try {
      expect(notes).toEqual([]);
      expect(q8.info).toMatchObject({ dtype: 'q8', modelKey: modelKey('nearfeed-test', 'q8', MAX_SEQ) });
      const texts = MIXED.slice(0, 12);
      const [quantised, full] = [await q8.embed(texts), await embedder.embed(texts)];
      let maxDiff = 0;
      quantised.forEach((vector, i) => {
        expect(cosine(vector, full[i]!)).toBeGreaterThan(0.99);
        maxDiff = Math.max(maxDiff, maxAbsDiff(vector, full[i]!));
      });
      expect(maxDiff).toBeGreaterThan(1e-6);
      // And it is exactly the quantised file run directly.
      const q8Session = await ort.InferenceSession.create(path.join(MODEL_DIR, 'onnx', 'model_quantized.onnx'));
      try {
        const expected = await reference(texts.map((text) => truncatedIds(text, MAX_SEQ)), q8Session);
        quantised.forEach((vector, i) => expect(maxAbsDiff(vector, expected[i]!)).toBeLessThan(1e-5));
      } finally {
        await q8Session.release();
      }
    } finally {
      await q8.dispose();
    }
  });
});

/** Serves a model folder the way the Hugging Face hub does (`/<repo>/resolve/main/<file>`), on 127.0.0.1. */
async function serveAsHub(dir: string, repo: string) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const prefix = `/${repo}/resolve/main/`;
    const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!url.pathname.startsWith(prefix) || !file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('hub ids', () => {
  it('load through the real hub path from an endpoint, and again from the download cache offline', async () => {
    const repo = 'nearfeed/nearfeed-test';
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-hub-cache-'));
    const hub = await serveAsHub(MODEL_DIR, repo);
    try {
      const options = {
        model: repo,
        dtype: 'fp32',
        device: 'cpu',
        hub: { endpoint: hub.endpoint, cacheDir },
        fallbackModelDir: MODEL_DIR,
        logger: quiet,
      } as const;
      const online = await createNodeEmbedder(options);
      expect(online.notes).toEqual([]);
      // max_seq_length came from the repository's sentence_bert_config.json (the tokenizer would say 512).
      expect(online.embedder.info).toMatchObject({
        model: repo,
        maxSeqLength: MAX_SEQ,
        modelKey: modelKey(repo, 'fp32', MAX_SEQ),
      });
      expect(hub.requests).toEqual(
        expect.arrayContaining([
          `/${repo}/resolve/main/onnx/model.onnx`,
          `/${repo}/resolve/main/sentence_bert_config.json`,
        ]),
      );
      const [fromHub, local] = [await online.embedder.embed(MIXED), await embedder.embed(MIXED)];
      fromHub.forEach((vector, i) => expect(maxAbsDiff(vector, local[i]!)).toBe(0));
      await online.embedder.dispose();

      await hub.close();
      const served = hub.requests.length;
      // Same options, hub gone: everything must come from the download cache.
      const offline = await createNodeEmbedder(options);
      expect(offline.notes).toEqual([]);
      expect(offline.embedder.info).toEqual({ ...online.embedder.info });
      expect(hub.requests).toHaveLength(served);
      const [again] = await offline.embedder.embed([MIXED[5]!]);
      expect(maxAbsDiff(again!, local[5]!)).toBe(0);
      await offline.embedder.dispose();
    } finally {
      await hub.close().catch(() => undefined);
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('fallbacks', () => {
  it('falls back to the bundled model when the hub cannot be reached, and says so', async () => {
    const logged: string[] = [];
    const { embedder: fallback, notes, fallbacks } = await createNodeEmbedder({
      model: 'Xenova/all-MiniLM-L6-v2',
      dtype: 'fp32',
      device: 'cpu',
      fallbackModelDir: MODEL_DIR,
      logger: (message) => logged.push(message),
    });
    try {
      expect(fallback.info.model).toBe('nearfeed-test');
      expect(fallback.info.modelKey).toBe(embedder.info.modelKey);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(
        /^using the bundled model "nearfeed-test" instead of the configured "Xenova\/all-MiniLM-L6-v2": it could not be loaded from the Hugging Face hub \(.*test made a network request to <address>\)$/,
      );
      // Health shows this note: no URL in it (with HF_ENDPOINT it would be an internal mirror's).
      expect(notes[0]).not.toMatch(/https?:/);
      expect(fallbacks.model).toMatchObject({ requested: 'Xenova/all-MiniLM-L6-v2', used: 'nearfeed-test' });
      expect(logged.some((line) => line.includes(notes[0]!))).toBe(true);
      const [a, b] = [await fallback.embed(['investor']), await embedder.embed(['investor'])];
      expect(maxAbsDiff(a[0]!, b[0]!)).toBe(0);
    } finally {
      await fallback.dispose();
    }
  });

  it('rejects a hub model that cannot be reached when there is no bundled model', async () => {
    await expect(
      createNodeEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', dtype: 'fp32', device: 'cpu', logger: quiet }),
    ).rejects.toThrow(/network request/);
  });

  it('gives a clear error for an incomplete local folder', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-model-'));
    try {
      const copy = path.join(tmp, 'nearfeed-test');
      cpSync(MODEL_DIR, copy, { recursive: true });
      rmSync(path.join(copy, 'onnx', 'model_quantized.onnx'));
      rmSync(path.join(copy, 'tokenizer.json'));
      const attempt = createNodeEmbedder({ model: copy, dtype: 'q8', device: 'cpu', logger: quiet });
      await expect(attempt).rejects.toThrow(ModelSourceError);
      await expect(attempt).rejects.toThrow(
        `Model folder ${copy} is missing tokenizer.json, onnx/model_quantized.onnx (onnx/model_quantized.onnx is the file for dtype q8). Generate the bundled test model with \`npm run model:test\`.`,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  const withoutCuda = it.skipIf(CUDA_PROVIDER_INSTALLED);
  withoutCuda('runs on the CPU with a note when CUDA is asked for and its provider is not installed', async () => {
    const { embedder: onCpu, notes, fallbacks } = await load({ device: 'cuda' });
    try {
      expect(onCpu.info.device).toBe('cpu');
      expect(fallbacks.device).toMatchObject({ requested: 'cuda', used: 'cpu' });
      expect(notes).toHaveLength(1);
      expect(notes[0]).toBe(
        'running on CPU instead of the requested CUDA: the CUDA execution provider is not installed; ' +
          'to use it, install the CUDA execution provider with ' +
          '`ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm install` (needs CUDA 12 and cuDNN 9)',
      );
      const [a, b] = [await onCpu.embed(['seed round']), await embedder.embed(['seed round'])];
      expect(maxAbsDiff(a[0]!, b[0]!)).toBe(0);
    } finally {
      await onCpu.dispose();
    }
  });

  it('uses WebGPU when an adapter exists, else runs on the CPU and says why', async () => {
    const { embedder: gpu, notes } = await load({ device: 'webgpu' });
    try {
      const [a, b] = [await gpu.embed(MIXED.slice(0, 4)), await embedder.embed(MIXED.slice(0, 4))];
      a.forEach((vector, i) => expect(maxAbsDiff(vector, b[i]!)).toBeLessThan(1e-4));
      if (gpu.info.device === 'cpu') {
        expect(notes).toEqual([
          'running on CPU instead of the requested WebGPU: no WebGPU adapter found; to use it, WebGPU on Node ' +
            'needs a GPU with Vulkan, Metal or D3D12 drivers',
        ]);
      } else {
        expect(gpu.info.device).toBe('webgpu');
        expect(notes).toEqual([]);
      }
    } finally {
      await gpu.dispose();
    }
  });

  withoutCuda("starts with 'auto' without a single ONNX Runtime error line: CUDA is checked for first", () => {
    // ONNX Runtime writes its native error line straight to fd 2, so only a child process can see it.
    const script =
      "import { createNodeEmbedder } from './server/embedder/node-embedder.ts';" +
      `const { embedder } = await createNodeEmbedder({ model: ${JSON.stringify(MODEL_DIR)}, dtype: 'fp32', device: 'auto' });` +
      "console.log('device', embedder.info.device); await embedder.dispose();";
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout, result.stderr).toContain('device cpu');
    expect(result.stderr).not.toMatch(/onnxruntime|ONNXRuntimeError|\[E:/);
    expect(result.stderr).toContain('nearfeed: not using CUDA (the CUDA execution provider is not installed); running on cpu');
  });

  withoutCuda("treats 'auto' without CUDA as the CPU, not as a degradation", async () => {
    const { embedder: auto, notes } = await load({ device: 'auto' });
    try {
      expect(auto.info.device).toBe('cpu');
      expect(notes).toEqual([]);
    } finally {
      await auto.dispose();
    }
  });
});
