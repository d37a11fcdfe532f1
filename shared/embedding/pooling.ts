/**
 * sentence-transformers' Pooling and Normalize modules, written out once for the browser and the server so
 * both agree to float rounding. Each mode follows sentence_transformers/models/Pooling.py on right-padded
 * batches:
 * - mean: `sum(h·mask) / clamp(sum(mask), 1e-9)`;
 * - mean_sqrt_len: `sum(h·mask) / sqrt(clamp(sum(mask), 1e-9))`;
 * - weightedmean: positions weighted 1, 2, 3, … (`sum(h·mask·pos) / clamp(sum(mask·pos), 1e-9)`);
 * - cls: the first token's vector;
 * - max: the largest value per dimension over unmasked tokens (masked positions count as -1e9);
 * - lasttoken: the vector of the last unmasked token.
 * Normalize is torch's F.normalize: `x / max(‖x‖, 1e-12)`. Sums run in float64 so a result does not depend on
 * the batch's padding length.
 */

/** Pooling modes nearfeed runs (one per model; sentence-transformers' concatenation of several is refused). */
export type PoolingMode = 'mean' | 'cls' | 'max' | 'lasttoken' | 'weightedmean' | 'mean_sqrt_len';

/** How token vectors become a sentence vector: a pooling mode, then L2 normalisation when the model has it. */
export interface PoolingSpec {
  pooling: PoolingMode;
  /** True when modules.json holds a sentence_transformers.models.Normalize module. */
  normalize: boolean;
}

/** Token vectors of one model run, row-major `[batch, seqLength, dim]`. */
export interface HiddenStates {
  data: Float32Array;
  batch: number;
  seqLength: number;
  dim: number;
}

/**
 * Pools each row of `hidden` over the positions where `attentionMask` (row-major `[batch, seqLength]`) is
 * non-zero, as `spec` says, then L2-normalises when `spec.normalize`. Returns one new vector per row; an
 * all-padding row pools to zeros and an all-zero row normalises to zeros, never NaN.
 */
export function poolTokens(
  hidden: HiddenStates,
  attentionMask: ArrayLike<number | bigint>,
  spec: PoolingSpec,
): Float32Array[] {
  const { data, batch, seqLength, dim } = hidden;
  if (data.length !== batch * seqLength * dim) {
    throw new Error(`hidden states hold ${data.length} values, expected ${batch}×${seqLength}×${dim}`);
  }
  if (attentionMask.length !== batch * seqLength) {
    throw new Error(`attention mask holds ${attentionMask.length} values, expected ${batch}×${seqLength}`);
  }
  const out: Float32Array[] = [];
  const row = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    const mask = (t: number): number => Number(attentionMask[b * seqLength + t]);
    const at = (t: number): number => (b * seqLength + t) * dim;
    POOL[spec.pooling](data, row, seqLength, dim, mask, at);
    if (spec.normalize) normalizeInPlace(row);
    out.push(Float32Array.from(row));
  }
  return out;
}

type RowPooler = (
  data: Float32Array,
  row: Float64Array,
  seqLength: number,
  dim: number,
  mask: (t: number) => number,
  at: (t: number) => number,
) => void;

/** Masked weighted sum divided by `scale(sum of weights)`; the mean family differs only in weight and scale. */
function weightedSum(weight: (t: number, m: number) => number, scale: (total: number) => number): RowPooler {
  return (data, row, seqLength, dim, mask, at) => {
    row.fill(0);
    let total = 0;
    for (let t = 0; t < seqLength; t++) {
      const w = weight(t, mask(t));
      if (w === 0) continue;
      total += w;
      const base = at(t);
      for (let d = 0; d < dim; d++) row[d]! += w * data[base + d]!;
    }
    const denominator = scale(Math.max(total, 1e-9));
    for (let d = 0; d < dim; d++) row[d] = row[d]! / denominator;
  };
}

const POOL: Readonly<Record<PoolingMode, RowPooler>> = {
  mean: weightedSum((_, m) => m, (total) => total),
  mean_sqrt_len: weightedSum((_, m) => m, Math.sqrt),
  weightedmean: weightedSum((t, m) => m * (t + 1), (total) => total),
  cls: (data, row, seqLength, dim, _mask, at) => {
    for (let d = 0; d < dim; d++) row[d] = seqLength > 0 ? data[at(0) + d]! : 0;
  },
  max: (data, row, seqLength, dim, mask, at) => {
    row.fill(-1e9);
    for (let t = 0; t < seqLength; t++) {
      if (mask(t) === 0) continue;
      const base = at(t);
      for (let d = 0; d < dim; d++) row[d] = Math.max(row[d]!, data[base + d]!);
    }
  },
  lasttoken: (data, row, seqLength, dim, mask, at) => {
    let last = -1;
    for (let t = 0; t < seqLength; t++) if (mask(t) !== 0) last = t;
    for (let d = 0; d < dim; d++) row[d] = last >= 0 ? data[at(last) + d]! : 0;
  },
};

function normalizeInPlace(row: Float64Array): void {
  let norm = 0;
  for (const x of row) norm += x * x;
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  for (let d = 0; d < row.length; d++) row[d] = row[d]! * scale;
}

/**
 * Float16 bits (as ONNX Runtime hands them to Node 20, which has no Float16Array) to float32. Pooling
 * half-precision bits as if they were numbers gives silently wrong vectors, so fp16 outputs go through this.
 */
export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 0x1f) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}
