/**
 * Demo settings read from the URL, so a choice survives a reload and tests can drive the demo:
 * `?device=auto|webgpu|wasm|server`, `?dtype=fp32|q8|fp16`, `?limit=1..100`, `?threads=1..4` (ORT WASM threads).
 */
import { EMBEDDING_DTYPES } from '../../shared/config';
import type { EmbeddingDtype } from '../../shared/embedder';
import type { EngineDevice } from '../types';
import { MAX_WASM_THREADS } from '../worker/wasm-threads';

export const DEVICES: readonly EngineDevice[] = ['auto', 'webgpu', 'wasm', 'server'];

export interface DemoSettings {
  device: EngineDevice;
  /** Undefined: the engine's default (fp32, the server's precision, so synced vectors are reused). */
  dtype: EmbeddingDtype | undefined;
  limit: number;
  /** Undefined: the engine's default (one per core up to 4 when cross-origin isolated). */
  threads: number | undefined;
}

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

export function readSettings(search: string = location.search): DemoSettings {
  const q = new URLSearchParams(search);
  const limit = Number.parseInt(q.get('limit') ?? '', 10);
  const threads = Number.parseInt(q.get('threads') ?? '', 10);
  return {
    device: pick(q.get('device'), DEVICES) ?? 'auto',
    dtype: pick(q.get('dtype'), EMBEDDING_DTYPES),
    limit: Number.isFinite(limit) && limit >= 1 && limit <= 100 ? limit : 24,
    threads: Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS ? threads : undefined,
  };
}

/** Writes the device choice into the URL without reloading the page. */
export function persistDevice(device: EngineDevice): void {
  const url = new URL(location.href);
  if (device === 'auto') url.searchParams.delete('device');
  else url.searchParams.set('device', device);
  history.replaceState(null, '', url);
}
