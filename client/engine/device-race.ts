/**
 * Correct is not enough: a WebGPU device that passes the self-check can still be slower than WASM for the
 * engine's work (software adapters always are; real GPUs often are for one short text). So before `auto`
 * keeps WebGPU, both devices run the two jobs the engine actually runs, warm: one query text (every rank) and
 * one candidate batch (filling vectors the server did not send). WebGPU is kept only when faster at both.
 */
import type { Embedder } from '../../shared/embedder';
import { SELF_CHECK_SENTENCE } from './self-check';

/** Warm timings of one device, in milliseconds. */
export interface DeviceTiming {
  /** Median of {@link QUERY_RUNS} one-text embeds. */
  queryMs: number;
  /** One embed of {@link DeviceRace.batchSize} candidate-like texts. */
  batchMs: number;
}

/** The measurement behind an `auto` choice between WebGPU and WASM. */
export interface DeviceRace {
  webgpu: DeviceTiming;
  wasm: DeviceTiming;
  /** Texts in the timed candidate batch (the engine's embed chunk). */
  batchSize: number;
  winner: 'webgpu' | 'wasm';
}

const QUERY_RUNS = 3;

/** Candidate-like texts (about 40 tokens each), distinct so no layer of caching can help. */
export function raceBatch(size: number): string[] {
  return Array.from(
    { length: size },
    (_, i) =>
      `Candidate ${i}: operator at a ${i % 2 ? 'fintech' : 'climate'} startup in city ${i % 7}, ` +
      `hiring engineers, looking for ${i % 3 ? 'angel investors' : 'a technical co-founder'} and advisors (${i}).`,
  );
}

/** Warms the device (the first run compiles kernels/shaders), then times the query and the batch. */
export async function timeDevice(embedder: Embedder, batch: readonly string[]): Promise<DeviceTiming> {
  await embedder.embed([SELF_CHECK_SENTENCE]);
  await embedder.embed(batch.slice(0, 2));
  const runs: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const start = performance.now();
    await embedder.embed([`${SELF_CHECK_SENTENCE} (${i})`]);
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  const start = performance.now();
  await embedder.embed(batch);
  return { queryMs: runs[Math.floor(runs.length / 2)]!, batchMs: performance.now() - start };
}

/** Times both devices one after the other (never side by side: they would share the CPU and skew both). */
export async function raceDevices(webgpu: Embedder, wasm: Embedder, batchSize: number): Promise<DeviceRace> {
  const batch = raceBatch(batchSize);
  const gpu = await timeDevice(webgpu, batch);
  const cpu = await timeDevice(wasm, batch);
  const winner = gpu.queryMs < cpu.queryMs && gpu.batchMs < cpu.batchMs ? 'webgpu' : 'wasm';
  return { webgpu: gpu, wasm: cpu, batchSize, winner };
}

/** One line for status().deviceReason, e.g. "WebGPU query 3.1 ms vs WASM 8.0 ms, batch of 64 …". */
export function describeRace(r: DeviceRace): string {
  const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
  return (
    `query WebGPU ${ms(r.webgpu.queryMs)} vs WASM ${ms(r.wasm.queryMs)}, ` +
    `batch of ${r.batchSize} WebGPU ${ms(r.webgpu.batchMs)} vs WASM ${ms(r.wasm.batchMs)}`
  );
}
