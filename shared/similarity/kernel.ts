/**
 * Where the similarity pass runs. A matrix whose vectors were allocated by `allocateVectors` lives in its own
 * WebAssembly memory, and the SIMD kernel (dots.wat) reads it in place: no copy per rank, the query and the
 * per-row results sit in a small scratch area in front of the rows. Any other Float32Array, or a host where
 * WebAssembly SIMD cannot be compiled (an old browser, a Content Security Policy without
 * 'wasm-unsafe-eval'), goes through dots-js.ts, which computes the very same float32 sums.
 */
import { base64ToBytes } from '../base64';
import { DOTS_WASM_BASE64 } from './dots-wasm';
import { dotsJs } from './dots-js';

/** Which implementation computes the dot products: WebAssembly SIMD, or the bit-identical JavaScript loop. */
export type SimilarityKernel = 'wasm-simd' | 'js';

type DotsFn = (query: number, matrix: number, rows: number, dim: number, out: number) => void;

/** One matrix's WebAssembly memory: [query: dimension floats][out: rows floats][rows × dimension floats]. */
interface KernelMemory {
  memory: WebAssembly.Memory;
  dots: DotsFn;
  queryPtr: number;
  outPtr: number;
  rowsPtr: number;
  rows: number;
  dimension: number;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB at most; a larger matrix stays a plain Float32Array on the JS path. */
const MAX_PAGES = 65536;
const kernelMemories = new WeakMap<ArrayBufferLike, KernelMemory>();
/** Undefined until first needed; null when this host cannot compile the kernel. */
let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      // Synchronous compile: the module is ~0.5 kB, far below the size browsers allow on the main thread.
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(base64ToBytes(DOTS_WASM_BASE64) as Uint8Array<ArrayBuffer>) : null;
    } catch {
      compiled = null; // No SIMD support, or WebAssembly compilation forbidden by CSP: the JS path.
    }
  }
  return compiled;
}

/** True when this host runs the WebAssembly SIMD kernel (false: every similarity pass takes the JS path). */
export function wasmSimdAvailable(): boolean {
  return kernelModule() !== null;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * A zeroed Float32Array of `rows * dimension` floats for a CandidateMatrix's `vectors`, placed where the SIMD
 * kernel reads it in place (its own WebAssembly memory, fixed in size, so the view never detaches). A view
 * of its first rows (`subarray(0, n * dimension)`) works as well, which lets a growing index allocate spare
 * rows. Falls back to a plain Float32Array when WebAssembly SIMD is unavailable or the matrix exceeds 4 GiB.
 */
export function allocateVectors(rows: number, dimension: number): Float32Array {
  const floats = rows * dimension;
  const module = floats > 0 ? kernelModule() : null;
  if (module === null) return new Float32Array(floats);
  const outPtr = align16(dimension * 4);
  const rowsPtr = align16(outPtr + rows * 4);
  const pages = Math.max(1, Math.ceil((rowsPtr + floats * 4) / PAGE));
  if (pages > MAX_PAGES) return new Float32Array(floats);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return new Float32Array(floats); // Out of address space for one more memory: the JS path still works.
  }
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const dots = instance.exports.dots as DotsFn;
  kernelMemories.set(memory.buffer, { memory, dots, queryPtr: 0, outPtr, rowsPtr, rows, dimension });
  return new Float32Array(memory.buffer, rowsPtr, floats);
}

/** The kernel that `rowDots` uses for these vectors. */
export function kernelFor(vectors: Float32Array, rows: number, dim: number): SimilarityKernel {
  return kernelMemoryFor(vectors, rows, dim) ? 'wasm-simd' : 'js';
}

function kernelMemoryFor(vectors: Float32Array, rows: number, dim: number): KernelMemory | undefined {
  const k = kernelMemories.get(vectors.buffer);
  // A view that starts among the rows and fits the scratch area sized at allocation.
  if (!k || vectors.byteOffset < k.rowsPtr || rows > k.rows || dim > k.dimension) return undefined;
  return k;
}

/**
 * Float32 dot products of `query` with each of the first `rows` rows of `vectors` (`dim` floats each),
 * summed in the order dots.wat defines, on either kernel. The result may be a view into the kernel's scratch
 * area: read it before the next call for the same vectors.
 */
export function rowDots(query: Float32Array, vectors: Float32Array, rows: number, dim: number): Float32Array {
  const k = kernelMemoryFor(vectors, rows, dim);
  if (k === undefined) {
    const out = new Float32Array(rows);
    dotsJs(query, vectors, rows, dim, out);
    return out;
  }
  new Float32Array(k.memory.buffer, k.queryPtr, dim).set(query.subarray(0, dim));
  k.dots(k.queryPtr, vectors.byteOffset, rows, dim, k.outPtr);
  return new Float32Array(k.memory.buffer, k.outPtr, rows);
}
