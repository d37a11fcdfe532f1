/**
 * Loads the model on this device: WebGPU only when its vector for a fixed sentence matches WASM's (the two
 * load side by side, so the check adds no download wait), else WASM; when WASM cannot load either, nothing,
 * and the engine ranks on the server. WASM is the reference, so without it WebGPU cannot be trusted.
 */
import type { Embedder } from '../../shared/embedder';
import { errorText } from '../error-text';
import type { EngineProgress, EngineStatus } from '../types';
import type { WorkerDevice } from '../worker/protocol';
import type { WasmThreads } from '../worker/wasm-threads';
import { WorkerEmbedder, type WorkerEmbedderOptions } from '../worker/worker-client';
import { runSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckResult } from './self-check';

/** A loaded on-device embedder, how long its load took and the threads its WASM backend runs with. */
export type LoadedEmbedder = Embedder & { readonly loadMs: number; readonly threads: WasmThreads };

export interface LocalLoadOptions {
  /** The device the plan tries first; 'webgpu' also loads WASM as the self-check's reference. */
  first: WorkerDevice;
  /** Why the plan chose `first`: the start of the device reason. */
  reason: string;
  /** WebGPU was asked for: a failing self-check keeps it, with a warning. */
  forcedWebgpu: boolean;
  /** What every worker loads; the device and the progress listener are set per load. */
  model: Omit<WorkerEmbedderOptions, 'device' | 'onProgress'>;
  onProgress: (progress: EngineProgress) => void;
  /** Starts one worker (default `WorkerEmbedder.start`); tests pass a stand-in to simulate a device that fails. */
  startWorker?: (options: WorkerEmbedderOptions) => Promise<LoadedEmbedder>;
}

export interface LocalLoad {
  /** The embedder to rank with; null when no local device loaded (rank on the server). */
  embedder: LoadedEmbedder | null;
  device: Exclude<EngineStatus['device'], 'loading'>;
  reason: string;
  /** The WebGPU self-check, when both devices loaded. */
  selfCheck: SelfCheckResult | null;
  /** The self-check failed to run, or failed and WebGPU was kept because forced; else null. */
  warning: string | null;
}

export async function loadLocalEmbedder(options: LocalLoadOptions): Promise<LocalLoad> {
  const { reason } = options;
  const start = progressReportingStart(options);
  const onServer = (why: string): LocalLoad => ({ embedder: null, device: 'server', reason: why, selfCheck: null, warning: null });

  if (options.first === 'wasm') {
    try {
      return { embedder: await start('wasm'), device: 'wasm', reason, selfCheck: null, warning: null };
    } catch (err) {
      return onServer(`WASM failed to load (${errorText(err)}); ranking on the server`);
    }
  }

  const [gpu, wasm] = await Promise.allSettled([start('webgpu'), start('wasm')]);
  if (wasm.status === 'rejected') {
    if (gpu.status === 'fulfilled') await gpu.value.dispose();
    return onServer(`WASM failed to load (${errorText(wasm.reason)}), so WebGPU cannot be checked; ranking on the server`);
  }
  if (gpu.status === 'rejected') {
    const why = `WebGPU failed to load (${errorText(gpu.reason)}), using WASM`;
    return { embedder: wasm.value, device: 'wasm', reason: why, selfCheck: null, warning: null };
  }

  const { check, warning } = await runSelfCheck(gpu.value, wasm.value).then(
    (check) => ({ check, warning: null as string | null }),
    (err: unknown) => ({
      check: { cosine: Number.NaN, passed: false },
      warning: `WebGPU self-check failed to run: ${errorText(err)}`,
    }),
  );
  const cos = Number.isNaN(check.cosine) ? 'NaN' : check.cosine.toFixed(6);
  if (check.passed) {
    await wasm.value.dispose();
    const why = `${reason}; self-check cosine ${cos} >= ${SELF_CHECK_MIN_COSINE}`;
    return { embedder: gpu.value, device: 'webgpu', reason: why, selfCheck: check, warning };
  }
  if (options.forcedWebgpu) {
    await wasm.value.dispose();
    const why = `${reason}; self-check FAILED (cosine ${cos} < ${SELF_CHECK_MIN_COSINE}), kept because forced`;
    const differs = `WebGPU results differ from WASM (cosine ${cos}); vectors may be wrong`;
    return { embedder: gpu.value, device: 'webgpu', reason: why, selfCheck: check, warning: differs };
  }
  await gpu.value.dispose();
  const why = `WebGPU self-check cosine ${cos} < ${SELF_CHECK_MIN_COSINE}, using WASM`;
  return { embedder: wasm.value, device: 'wasm', reason: why, selfCheck: check, warning };
}

/**
 * Starts a worker per device. WebGPU and WASM may load side by side: the bar shows their mean, each load
 * counting from the start, and a load that failed no longer holds the mean back.
 */
function progressReportingStart(options: LocalLoadOptions): (device: WorkerDevice) => Promise<LoadedEmbedder> {
  const downloads = new Map<WorkerDevice, number>();
  const report = (device: WorkerDevice, fraction: number, detail: string): void => {
    downloads.set(device, fraction);
    const mean = [...downloads.values()].reduce((a, b) => a + b, 0) / downloads.size;
    options.onProgress({ phase: 'model', fraction: mean, detail: `${device}: ${detail}` });
  };
  return (device) => {
    downloads.set(device, 0);
    const startWorker = options.startWorker ?? ((o: WorkerEmbedderOptions) => WorkerEmbedder.start(o));
    const started = startWorker({
      ...options.model,
      device,
      onProgress: (fraction, detail) => report(device, fraction, detail),
    });
    started.catch(() => downloads.delete(device));
    return started;
  };
}
