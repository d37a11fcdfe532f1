/**
 * Loads the model on this device: WebGPU only when its vector for a fixed sentence matches WASM's (the two
 * load side by side, so the check adds no download wait) and, for `auto`, when it is also faster for the
 * engine's work (device-race.ts); else WASM; when WASM cannot load either, nothing, and the engine ranks on
 * the server. WASM is the reference, so without it WebGPU cannot be trusted.
 */
import type { Embedder } from '../../shared/embedder';
import { errorText } from '../error-text';
import type { EngineProgress, EngineStatus } from '../types';
import type { WorkerDevice } from '../worker/protocol';
import type { ModelLoadTimings } from '../worker/load-timings';
import type { WasmThreads } from '../worker/wasm-threads';
import { WorkerEmbedder, type WorkerEmbedderOptions } from '../worker/worker-client';
import { describeRace, raceDevices, type DeviceRace } from './device-race';
import { runSelfCheck, SELF_CHECK_MIN_COSINE, type SelfCheckResult } from './self-check';

/** A loaded on-device embedder, how long its load took and the threads its WASM backend runs with. */
export type LoadedEmbedder = Embedder & {
  readonly loadMs: number;
  readonly threads: WasmThreads;
  /** Where the worker's load spent its time; null when not measured (a stand-in in tests). */
  readonly timings?: ModelLoadTimings | null;
  /** The first session run after the load, ms; null before it. */
  readonly firstRunMs?: number | null;
};

export interface LocalLoadOptions {
  /** The device the plan tries first; 'webgpu' also loads WASM as the self-check's reference. */
  first: WorkerDevice;
  /** Why the plan chose `first`: the start of the device reason. */
  reason: string;
  /** WebGPU was asked for: a failing self-check keeps it, with a warning, and nothing is timed. */
  forcedWebgpu: boolean;
  /**
   * `auto`: after a passing self-check, time both devices on a query and a candidate batch of this size and
   * keep WebGPU only when faster at both. Absent: the self-check alone decides.
   */
  raceBatchSize?: number;
  /**
   * WebGPU won the check and the race on this browser, adapter and model before: load it alone. If it fails
   * to load now, WASM loads instead.
   */
  trustedWebgpu?: boolean;
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
  /** The timings behind an `auto` choice, when both devices were timed. */
  race: DeviceRace | null;
}

export async function loadLocalEmbedder(options: LocalLoadOptions): Promise<LocalLoad> {
  const { reason } = options;
  const start = progressReportingStart(options);
  const plain = { selfCheck: null, warning: null, race: null };
  const onServer = (why: string): LocalLoad => ({ embedder: null, device: 'server', reason: why, ...plain });
  const wasmOnly = async (why: string): Promise<LocalLoad> => {
    try {
      return { embedder: await start('wasm'), device: 'wasm', reason: why, ...plain };
    } catch (err) {
      return onServer(`WASM failed to load (${errorText(err)}); ranking on the server`);
    }
  };

  if (options.first === 'wasm') return wasmOnly(reason);
  if (options.trustedWebgpu) {
    try {
      return { embedder: await start('webgpu'), device: 'webgpu', reason, ...plain };
    } catch (err) {
      return wasmOnly(`WebGPU failed to load (${errorText(err)}), using WASM`);
    }
  }

  const [gpu, wasm] = await Promise.allSettled([start('webgpu'), start('wasm')]);
  if (wasm.status === 'rejected') {
    if (gpu.status === 'fulfilled') await gpu.value.dispose();
    return onServer(`WASM failed to load (${errorText(wasm.reason)}), so WebGPU cannot be checked; ranking on the server`);
  }
  if (gpu.status === 'rejected') {
    const why = `WebGPU failed to load (${errorText(gpu.reason)}), using WASM`;
    return { embedder: wasm.value, device: 'wasm', reason: why, ...plain };
  }

  const { check, warning } = await runSelfCheck(gpu.value, wasm.value).then(
    (check) => ({ check, warning: null as string | null }),
    (err: unknown) => ({
      check: { cosine: Number.NaN, passed: false },
      warning: `WebGPU self-check failed to run: ${errorText(err)}`,
    }),
  );
  const cos = Number.isNaN(check.cosine) ? 'NaN' : check.cosine.toFixed(6);
  const checked = `self-check cosine ${cos} >= ${SELF_CHECK_MIN_COSINE}`;
  if (check.passed && !options.forcedWebgpu && options.raceBatchSize !== undefined) {
    let race: DeviceRace;
    try {
      race = await raceDevices(gpu.value, wasm.value, options.raceBatchSize);
    } catch (err) {
      // A device that fails while timed is not one to keep; WASM is the reference that just worked.
      await gpu.value.dispose();
      const why = `WebGPU failed while timed (${errorText(err)}), using WASM`;
      return { embedder: wasm.value, device: 'wasm', reason: why, selfCheck: check, warning, race: null };
    }
    const loser = race.winner === 'webgpu' ? wasm.value : gpu.value;
    await loser.dispose();
    const why =
      race.winner === 'webgpu'
        ? `${reason}; ${checked}; WebGPU faster: ${describeRace(race)}`
        : `WebGPU is correct (${checked}) but not faster: ${describeRace(race)}; using WASM`;
    const embedder = race.winner === 'webgpu' ? gpu.value : wasm.value;
    return { embedder, device: race.winner, reason: why, selfCheck: check, warning, race };
  }
  if (check.passed) {
    await wasm.value.dispose();
    return { embedder: gpu.value, device: 'webgpu', reason: `${reason}; ${checked}`, selfCheck: check, warning, race: null };
  }
  if (options.forcedWebgpu) {
    await wasm.value.dispose();
    const why = `${reason}; self-check FAILED (cosine ${cos} < ${SELF_CHECK_MIN_COSINE}), kept because forced`;
    const differs = `WebGPU results differ from WASM (cosine ${cos}); vectors may be wrong`;
    return { embedder: gpu.value, device: 'webgpu', reason: why, selfCheck: check, warning: differs, race: null };
  }
  await gpu.value.dispose();
  const why = `WebGPU self-check cosine ${cos} < ${SELF_CHECK_MIN_COSINE}, using WASM`;
  return { embedder: wasm.value, device: 'wasm', reason: why, selfCheck: check, warning, race: null };
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
