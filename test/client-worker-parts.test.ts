/**
 * The browser engine's pure parts: the device plan with its low-end thresholds and the WebGPU self-check.
 * The embedding parts the worker shares with the server (batch plan, pooling, truncation) are tested in
 * shared-embedding.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runSelfCheck, SELF_CHECK_MIN_COSINE } from '../client/engine/self-check';
import { MEAN_NORMALIZED, type Embedder } from '../shared/embedder';
import { chooseWasmThreads, MAX_WASM_THREADS } from '../client/worker/wasm-threads';
import { isLowEnd, LOW_END_MIN_CORES, LOW_END_MIN_MEMORY_GB, planDevice } from '../client/engine/device';

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

  it('auto never takes a software fallback adapter (SwiftShader); forcing WebGPU still does', () => {
    const swiftshader = { ...gpu, fallbackAdapter: true, adapterInfo: 'google swiftshader (fallback)' };
    const auto = planDevice('auto', swiftshader);
    expect(auto.device).toBe('wasm');
    expect(auto.reason).toBe(
      'WebGPU adapter google swiftshader (fallback) is a software fallback (runs on the CPU, slower than WASM); using WASM',
    );
    expect(planDevice('webgpu', swiftshader).device).toBe('webgpu');
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
    info: { model: 'm', dtype: 'fp32', device: 'x', dimension: vector.length, maxSeqLength: 8, family: MEAN_NORMALIZED, modelKey: 'm|fp32|8' },
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

describe('chooseWasmThreads', () => {
  it('one thread without cross-origin isolation, whatever was asked, and says why', () => {
    const t = chooseWasmThreads({ isolated: false, cores: 8, requested: 4 });
    expect(t.threads).toBe(1);
    expect(t.reason).toContain('not cross-origin isolated');
  });

  it('isolated: one per core but one (the page keeps a core) up to the cap, or the requested count clamped to 1..cap', () => {
    expect(chooseWasmThreads({ isolated: true, cores: 2 })).toEqual({
      threads: 1,
      reason: '1 thread (cross-origin isolated, 2 cores, one left for the page)',
    });
    expect(chooseWasmThreads({ isolated: true, cores: 4 }).threads).toBe(3);
    expect(chooseWasmThreads({ isolated: true, cores: 16 }).threads).toBe(MAX_WASM_THREADS);
    expect(chooseWasmThreads({ isolated: true, cores: undefined }).threads).toBe(1);
    expect(chooseWasmThreads({ isolated: true, cores: 8, requested: 1 }).threads).toBe(1);
    expect(chooseWasmThreads({ isolated: true, cores: 8, requested: 99 }).threads).toBe(MAX_WASM_THREADS);
  });
});
