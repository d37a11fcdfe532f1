/**
 * The embedding engine's pure parts: batch planning, the serial queue, pooling, the truncation-length
 * decision and model-source resolution. The model-backed behaviour is in node-embedder.test.ts.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planBatches } from '../server/embedder/batch-plan';
import { SerialQueue } from '../server/embedder/run-queue';
import { float16BitsToFloat32, meanPoolNormalize } from '../server/embedder/pooling';
import { decideMaxSeqLength } from '../server/embedder/seq-length';
import { ModelSourceError, resolveModelSource, validateModelFolder } from '../server/embedder/model-source';
import { deviceCandidates, deviceFallbackNote, isDegradation } from '../server/embedder/device';

describe('planBatches', () => {
  const lengths = [5, 120, 7, 64, 3, 128, 9, 40, 2, 100, 11, 90];

  it('uses every index exactly once and respects both limits', () => {
    const limits = { maxBatchSize: 4, maxBatchTokens: 300 };
    const plan = planBatches(lengths, limits);
    expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const batch of plan) {
      const padded = Math.max(...batch.map((i) => lengths[i]!));
      expect(batch.length).toBeLessThanOrEqual(limits.maxBatchSize);
      expect(batch.length * padded).toBeLessThanOrEqual(limits.maxBatchTokens);
    }
  });

  it('sorts longest first by default and shortest first on request', () => {
    const longest = planBatches(lengths, { maxBatchSize: 100, maxBatchTokens: 1e9 }).flat();
    expect(longest.map((i) => lengths[i])).toEqual([...lengths].sort((a, b) => b - a));
    const shortest = planBatches(lengths, { maxBatchSize: 100, maxBatchTokens: 1e9 }, 'shortest-first').flat();
    expect(shortest.map((i) => lengths[i])).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('gives an input longer than the budget a batch of its own', () => {
    const plan = planBatches([500, 10, 10], { maxBatchSize: 8, maxBatchTokens: 100 });
    expect(plan).toEqual([[0], [1, 2]]);
  });

  it('keeps the caller order among equal lengths and plans nothing for no input', () => {
    expect(planBatches([4, 4, 4], { maxBatchSize: 2, maxBatchTokens: 100 })).toEqual([[0, 1], [2]]);
    expect(planBatches([], { maxBatchSize: 2, maxBatchTokens: 100 })).toEqual([]);
  });
});

describe('SerialQueue', () => {
  it('never runs two tasks at once and keeps their order', async () => {
    const queue = new SerialQueue();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    const task = (id: number, ms: number) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(id);
      running -= 1;
      return id;
    };
    const results = await Promise.all([queue.run(task(1, 15)), queue.run(task(2, 1)), queue.run(task(3, 5))]);
    expect(results).toEqual([1, 2, 3]);
    expect(order).toEqual([1, 2, 3]);
    expect(maxRunning).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('passes a failure to its caller and goes on with the next task', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

describe('meanPoolNormalize', () => {
  it('averages only unmasked tokens, then L2-normalises', () => {
    // batch 2, seq 3, dim 2; row 0 masks its last token, row 1 uses all three.
    const data = new Float32Array([1, 2, 3, 4, 100, 100, 1, 0, 0, 1, 1, 1]);
    const mask = [1, 1, 0, 1, 1, 1];
    const [a, b] = meanPoolNormalize({ data, batch: 2, seqLength: 3, dim: 2 }, mask);
    // Row 0: mean (2, 3) → / √13. Row 1: mean (2/3, 2/3) → (1/√2, 1/√2).
    expect(a![0]).toBeCloseTo(2 / Math.sqrt(13), 6);
    expect(a![1]).toBeCloseTo(3 / Math.sqrt(13), 6);
    expect(b![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(b![1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('returns a zero vector (not NaN) for an all-zero row, like torch F.normalize', () => {
    const [v] = meanPoolNormalize({ data: new Float32Array(4), batch: 1, seqLength: 2, dim: 2 }, [1n, 1n]);
    expect(Array.from(v!)).toEqual([0, 0]);
  });

  it('rejects shapes that do not match', () => {
    expect(() => meanPoolNormalize({ data: new Float32Array(5), batch: 1, seqLength: 2, dim: 2 }, [1, 1])).toThrow(
      /expected 1×2×2/,
    );
  });

  it('decodes float16 bits', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000]);
    const values = float16BitsToFloat32(bits);
    expect(values[0]).toBe(1);
    expect(values[1]).toBe(-2);
    expect(values[2]).toBeCloseTo(0.33325, 5);
    expect(values[3]).toBeCloseTo(5.96e-8, 9);
    expect(values[4]).toBe(Infinity);
    expect(values[5]).toBe(0);
  });
});

describe('decideMaxSeqLength', () => {
  it('prefers MAX_SEQ_LENGTH, then sentence_bert_config.json, the known table, model_max_length', () => {
    const base = { modelName: 'Xenova/all-MiniLM-L6-v2', modelMaxLength: 512, maxPositionEmbeddings: 512 };
    expect(decideMaxSeqLength({ ...base, override: 64 })).toEqual({ maxSeqLength: 64, source: 'MAX_SEQ_LENGTH' });
    expect(decideMaxSeqLength({ ...base, sentenceBertConfig: { max_seq_length: 128 } }).maxSeqLength).toBe(128);
    expect(decideMaxSeqLength(base)).toEqual({ maxSeqLength: 256, source: 'known model' });
    expect(decideMaxSeqLength({ ...base, modelName: 'someone/other-bert' })).toEqual({
      maxSeqLength: 512,
      source: 'model_max_length',
    });
  });

  it('clamps to the position table and rejects a non-integer override', () => {
    expect(decideMaxSeqLength({ modelName: 'm', override: 1000, maxPositionEmbeddings: 512 })).toEqual({
      maxSeqLength: 512,
      source: 'MAX_SEQ_LENGTH',
      clampedFrom: 1000,
    });
    expect(() => decideMaxSeqLength({ modelName: 'm', override: 0 })).toThrow(/MAX_SEQ_LENGTH/);
  });
});

describe('model source', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-source-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('tells hub ids from folders', () => {
    expect(resolveModelSource('Xenova/all-MiniLM-L6-v2', tmp)).toEqual({ kind: 'hub', id: 'Xenova/all-MiniLM-L6-v2' });
    expect(resolveModelSource('models/generated/nearfeed-test', tmp)).toEqual({
      kind: 'local',
      dir: path.join(tmp, 'models/generated/nearfeed-test'),
      name: 'nearfeed-test',
    });
    mkdirSync(path.join(tmp, 'mymodel'));
    expect(resolveModelSource('mymodel', tmp)).toMatchObject({ kind: 'local', name: 'mymodel' });
    expect(resolveModelSource('./mymodel/', tmp)).toMatchObject({ kind: 'local', name: 'mymodel' });
  });

  it('names the missing files and the command that creates them', () => {
    const dir = path.join(tmp, 'nearfeed-test');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), '{}');
    writeFileSync(path.join(dir, 'onnx', 'model.onnx'), '');
    expect(() => validateModelFolder(dir, 'q8')).toThrow(ModelSourceError);
    expect(() => validateModelFolder(dir, 'q8')).toThrow(
      /missing tokenizer\.json, tokenizer_config\.json, onnx\/model_quantized\.onnx \(onnx\/model_quantized\.onnx is the file for dtype q8\)\. .*`npm run model:test`/,
    );
    expect(() => validateModelFolder(path.join(tmp, 'absent'), 'fp32')).toThrow(/does not exist\. .*EMBEDDING_MODEL/);
  });
});

describe('device choice', () => {
  it('always ends with the CPU and reports only fallbacks the caller did not choose', () => {
    expect(deviceCandidates('auto')).toEqual(['cuda', 'cpu']);
    expect(deviceCandidates('webgpu')).toEqual(['webgpu', 'cpu']);
    expect(deviceCandidates('cpu')).toEqual(['cpu']);
    expect(isDegradation('auto', 'cpu')).toBe(false);
    expect(isDegradation('cuda', 'cpu')).toBe(true);
    expect(deviceFallbackNote({ requested: 'cuda', used: 'cpu', reason: 'Failed to load shared library' })).toBe(
      'running on CPU instead of the requested CUDA: Failed to load shared library; to use it, install the CUDA ' +
        'execution provider with `ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm install` (needs CUDA 12 and cuDNN 9)',
    );
  });
});
