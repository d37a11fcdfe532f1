/**
 * The on-device model choice (client/engine/local-embedder.ts) when a device misbehaves. The real WebGPU and
 * WASM loads run in e2e/webgpu.spec.ts and e2e/engine.spec.ts; here stand-in embedders simulate the failures a
 * browser cannot be made to produce on demand: WebGPU returning wrong numbers, a device that does not load.
 */
import { MEAN_NORMALIZED } from '../shared/embedder';
import { describe, expect, it } from 'vitest';
import { loadLocalEmbedder, type LoadedEmbedder, type LocalLoadOptions } from '../client/engine/local-embedder';
import { SELF_CHECK_MIN_COSINE } from '../client/engine/self-check';
import type { EngineProgress } from '../client/types';
import type { WorkerEmbedderOptions } from '../client/worker/worker-client';

type Behaviour = ({ vector: number[] } & { msPerCall?: number }) | { fails: string };

interface Stand {
  /** Devices whose worker was started, in order. */
  started: string[];
  disposed: string[];
  progress: EngineProgress[];
  options: LocalLoadOptions;
}

/** Every device embeds to a fixed vector (or fails to load); WASM is the reference the self-check trusts. */
function stand(first: 'webgpu' | 'wasm', devices: Record<'webgpu' | 'wasm', Behaviour>, forcedWebgpu = false): Stand {
  const disposed: string[] = [];
  const started: string[] = [];
  const progress: EngineProgress[] = [];
  const startWorker = async (o: WorkerEmbedderOptions): Promise<LoadedEmbedder> => {
    started.push(o.device);
    // A worker reports after it started, as the real one does: both loads are under way by then.
    await new Promise((resolve) => setTimeout(resolve, 0));
    o.onProgress?.(0.5, 'half');
    const b = devices[o.device];
    if ('fails' in b) throw new Error(b.fails);
    const info = { model: o.model, dtype: o.dtype, device: o.device, dimension: b.vector.length, maxSeqLength: 128, family: MEAN_NORMALIZED, modelKey: 'k' };
    return {
      info,
      loadMs: 1,
      threads: { threads: 1, reason: 'stand-in' },
      embed: async (texts) => {
        // A device's speed, for the race: a fixed wait per call.
        if (b.msPerCall) await new Promise((resolve) => setTimeout(resolve, b.msPerCall));
        return texts.map(() => Float32Array.from(b.vector));
      },
      dispose: async () => {
        disposed.push(o.device);
      },
    };
  };
  const options: LocalLoadOptions = {
    first,
    reason: 'planned',
    forcedWebgpu,
    model: { model: 'm', modelBaseUrl: 'http://localhost/models/', allowRemoteModels: false, dtype: 'fp32' },
    onProgress: (p) => progress.push(p),
    startWorker,
  };
  return { started, disposed, progress, options };
}

const RIGHT = { vector: [1, 0, 0, 0] };
const WRONG = { vector: [0, 1, 0, 0] };

describe('loadLocalEmbedder', () => {
  it('keeps WebGPU when it agrees with WASM, and frees WASM', async () => {
    const s = stand('webgpu', { webgpu: RIGHT, wasm: RIGHT });
    const r = await loadLocalEmbedder(s.options);
    expect(r.device).toBe('webgpu');
    expect(r.embedder?.info.device).toBe('webgpu');
    expect(r.selfCheck).toEqual({ cosine: 1, passed: true });
    expect(r.reason).toBe(`planned; self-check cosine 1.000000 >= ${SELF_CHECK_MIN_COSINE}`);
    expect(r.warning).toBeNull();
    expect(s.disposed).toEqual(['wasm']);
  });

  it('uses WASM when WebGPU returns wrong vectors, and frees WebGPU', async () => {
    const s = stand('webgpu', { webgpu: WRONG, wasm: RIGHT });
    const r = await loadLocalEmbedder(s.options);
    expect(r.device).toBe('wasm');
    expect(r.embedder?.info.device).toBe('wasm');
    expect(r.selfCheck).toEqual({ cosine: 0, passed: false });
    expect(r.reason).toBe(`WebGPU self-check cosine 0.000000 < ${SELF_CHECK_MIN_COSINE}, using WASM`);
    expect(r.warning).toBeNull();
    expect(s.disposed).toEqual(['webgpu']);
  });

  it('keeps a forced WebGPU that fails the check, with a warning', async () => {
    const s = stand('webgpu', { webgpu: WRONG, wasm: RIGHT }, true);
    const r = await loadLocalEmbedder(s.options);
    expect(r.device).toBe('webgpu');
    expect(r.reason).toContain('self-check FAILED (cosine 0.000000');
    expect(r.warning).toBe('WebGPU results differ from WASM (cosine 0.000000); vectors may be wrong');
    expect(s.disposed).toEqual(['wasm']);
  });

  it('uses WASM when WebGPU fails to load, and the server when WASM does', async () => {
    const noGpu = await loadLocalEmbedder(stand('webgpu', { webgpu: { fails: 'no adapter' }, wasm: RIGHT }).options);
    expect([noGpu.device, noGpu.reason]).toEqual(['wasm', 'WebGPU failed to load (no adapter), using WASM']);

    const s = stand('webgpu', { webgpu: RIGHT, wasm: { fails: 'no wasm' } });
    const noWasm = await loadLocalEmbedder(s.options);
    expect(noWasm.device).toBe('server');
    expect(noWasm.embedder).toBeNull();
    expect(noWasm.reason).toContain('WASM failed to load (no wasm), so WebGPU cannot be checked');
    // The WebGPU session that loaded is freed: nothing can vouch for it.
    expect(s.disposed).toEqual(['webgpu']);

    const wasmOnly = await loadLocalEmbedder(stand('wasm', { webgpu: RIGHT, wasm: { fails: 'no wasm' } }).options);
    expect([wasmOnly.device, wasmOnly.reason]).toEqual(['server', 'WASM failed to load (no wasm); ranking on the server']);
  });

  it('reports the mean of the downloads running side by side', async () => {
    const s = stand('webgpu', { webgpu: RIGHT, wasm: RIGHT });
    await loadLocalEmbedder(s.options);
    // WebGPU at 0.5 while WASM has not reported (0), then both at 0.5.
    expect(s.progress.map((p) => p.fraction)).toEqual([0.25, 0.5]);
    expect(s.progress.every((p) => p.phase === 'model')).toBe(true);
  });

  it('auto: a correct WebGPU that is faster at the query and the batch is kept, with the timings', async () => {
    const s = stand('webgpu', { webgpu: { ...RIGHT, msPerCall: 1 }, wasm: { ...RIGHT, msPerCall: 25 } });
    const r = await loadLocalEmbedder({ ...s.options, raceBatchSize: 8 });
    expect(r.device).toBe('webgpu');
    expect(r.race?.winner).toBe('webgpu');
    expect(r.race?.batchSize).toBe(8);
    expect(r.race!.webgpu.queryMs).toBeLessThan(r.race!.wasm.queryMs);
    expect(r.reason).toContain('WebGPU faster: query WebGPU');
    expect(s.disposed).toEqual(['wasm']);
  });

  it('auto: a correct WebGPU that is slower than WASM is dropped, and the reason says so', async () => {
    const s = stand('webgpu', { webgpu: { ...RIGHT, msPerCall: 25 }, wasm: { ...RIGHT, msPerCall: 1 } });
    const r = await loadLocalEmbedder({ ...s.options, raceBatchSize: 8 });
    expect(r.device).toBe('wasm');
    expect(r.embedder?.info.device).toBe('wasm');
    expect(r.race?.winner).toBe('wasm');
    expect(r.reason).toMatch(/^WebGPU is correct \(self-check cosine 1\.000000 >= 0\.999\) but not faster: query WebGPU \d/);
    expect(s.disposed).toEqual(['webgpu']);
  });

  it('a remembered WebGPU loads alone; if it fails now, WASM loads instead', async () => {
    const s = stand('webgpu', { webgpu: RIGHT, wasm: RIGHT });
    const r = await loadLocalEmbedder({ ...s.options, trustedWebgpu: true });
    expect([r.device, r.race, r.selfCheck]).toEqual(['webgpu', null, null]);
    expect(s.started).toEqual(['webgpu']);

    const f = stand('webgpu', { webgpu: { fails: 'device lost' }, wasm: RIGHT });
    const g = await loadLocalEmbedder({ ...f.options, trustedWebgpu: true });
    expect([g.device, g.reason]).toEqual(['wasm', 'WebGPU failed to load (device lost), using WASM']);
    expect(f.started).toEqual(['webgpu', 'wasm']);
  });
});
