/**
 * The browser worker's pure parts: the batch plan, masked mean pooling + L2 normalisation against a direct
 * computation, the truncation-length rule, and the device plan with its low-end thresholds.
 */
import { describe, expect, it } from 'vitest';
import { planBatches } from '../client/worker/batching';
import { meanPoolNormalize } from '../client/worker/pooling';
import { decideMaxSeqLength } from '../client/worker/seq-length';
import { runSelfCheck, SELF_CHECK_MIN_COSINE } from '../client/engine/self-check';
import type { Embedder } from '../shared/embedder';
import { isLowEnd, LOW_END_MIN_CORES, LOW_END_MIN_MEMORY_GB, planDevice } from '../client/engine/device';

describe('planBatches', () => {
  it('covers every index once, longest first, within the count and padded-token budget', () => {
    const counts = [5, 120, 7, 64, 64, 3, 128, 9, 10, 11];
    const batches = planBatches(counts, 4, 256);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(4);
      const longest = Math.max(...b.map((i) => counts[i]!));
      if (b.length > 1) expect(longest * b.length).toBeLessThanOrEqual(256);
    }
    expect(batches[0]![0]).toBe(6); // the 128-token text leads
  });

  it('runs a text over the budget alone instead of dropping it', () => {
    expect(planBatches([1000, 2], 8, 100)).toEqual([[0], [1]]);
  });
});

describe('meanPoolNormalize', () => {
  it('averages only unmasked tokens and normalises to unit length', () => {
    // batch 2, seq 3, dim 2; row 1 has one padding position with garbage values
    const hidden = new Float32Array([1, 2, 3, 4, 5, 6, /* row 1 */ 2, 0, 0, 2, 1e6, -1e6]);
    const mask = [1, 1, 1, 1, 1, 0];
    const out = meanPoolNormalize(hidden, mask, 2, 3, 2);
    const expectRow = (row: number, x: number, y: number) => {
      const n = Math.hypot(x, y);
      expect(out[row * 2]).toBeCloseTo(x / n, 6);
      expect(out[row * 2 + 1]).toBeCloseTo(y / n, 6);
    };
    expectRow(0, 3, 4);
    expectRow(1, 1, 1);
  });

  it('pools an all-padding row to zeros instead of NaN, and checks the shape', () => {
    const out = meanPoolNormalize(new Float32Array(4), [0, 0], 1, 2, 2);
    expect(Array.from(out)).toEqual([0, 0]);
    expect(() => meanPoolNormalize(new Float32Array(3), [1], 1, 1, 2)).toThrow(/expected/);
  });
});

describe('decideMaxSeqLength (same rule as the server)', () => {
  it('prefers explicit, then sentence_bert_config, then known models, then the tokenizer, clamped to positions', () => {
    expect(decideMaxSeqLength({ modelName: 'm', explicit: 64, sentenceBertMaxSeqLength: 128 })).toBe(64);
    expect(decideMaxSeqLength({ modelName: 'm', sentenceBertMaxSeqLength: 128, modelMaxLength: 512 })).toBe(128);
    expect(decideMaxSeqLength({ modelName: 'Xenova/all-MiniLM-L6-v2', modelMaxLength: 512 })).toBe(256);
    expect(decideMaxSeqLength({ modelName: 'm', modelMaxLength: 1e30, maxPositionEmbeddings: 256 })).toBe(256);
    expect(decideMaxSeqLength({ modelName: 'm', sentenceBertMaxSeqLength: 1024, maxPositionEmbeddings: 512 })).toBe(512);
  });
});

describe('planDevice', () => {
  const gpu = { webgpu: true, adapterInfo: 'google swiftshader', deviceMemoryGb: 8, cores: 8 };
  const noGpu = { webgpu: false, deviceMemoryGb: 8, cores: 8 };

  it("'auto' tries WebGPU, else WASM, else the server on a low-end device", () => {
    expect(planDevice('auto', gpu).device).toBe('webgpu');
    expect(planDevice('auto', noGpu).device).toBe('wasm');
    expect(planDevice('auto', { webgpu: false, deviceMemoryGb: LOW_END_MIN_MEMORY_GB / 2, cores: 8 }).device).toBe('server');
    expect(planDevice('auto', { webgpu: false, deviceMemoryGb: 8, cores: LOW_END_MIN_CORES - 1 }).device).toBe('server');
    // A weak device with WebGPU still tries it; unknown figures do not count as weak.
    expect(planDevice('auto', { ...gpu, deviceMemoryGb: 1, cores: 1 }).device).toBe('webgpu');
    expect(isLowEnd({ webgpu: false })).toBe(false);
  });

  it('forced devices are honoured; forced WebGPU without an adapter says why it uses WASM', () => {
    expect(planDevice('server', gpu).device).toBe('server');
    expect(planDevice('wasm', gpu).device).toBe('wasm');
    const p = planDevice('webgpu', noGpu);
    expect(p.device).toBe('wasm');
    expect(p.reason).toContain('no WebGPU adapter');
  });
});

describe('runSelfCheck', () => {
  // Simulated devices (a failure cannot be produced on demand with a real WebGPU adapter): fixed outputs.
  const fixed = (vector: number[]): Embedder => ({
    info: { model: 'm', dtype: 'fp32', device: 'x', dimension: vector.length, maxSeqLength: 8, modelKey: 'm|fp32|8' },
    embed: async (texts) => texts.map(() => Float32Array.from(vector)),
    dispose: async () => undefined,
  });

  it('passes equal vectors and fails wrong, NaN or zero ones', async () => {
    const ref = fixed([0.6, 0.8, 0]);
    expect(await runSelfCheck(fixed([0.6, 0.8, 1e-5]), ref)).toMatchObject({ passed: true });
    const wrong = await runSelfCheck(fixed([0.8, -0.6, 0]), ref);
    expect(wrong.passed).toBe(false);
    expect(wrong.cosine).toBeLessThan(SELF_CHECK_MIN_COSINE);
    expect((await runSelfCheck(fixed([Number.NaN, 0, 0]), ref)).passed).toBe(false);
    expect((await runSelfCheck(fixed([0, 0, 0]), ref)).passed).toBe(false);
  });
});
