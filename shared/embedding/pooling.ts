/**
 * sentence-transformers' sentence embedding, written out once for the browser and the server so both agree
 * to float rounding: masked mean pooling over the token vectors (`sum(h·mask) / clamp(sum(mask), 1e-9)`),
 * then L2 normalisation (`x / max(‖x‖, 1e-12)`, torch's F.normalize). Sums run in float64 so the result
 * does not depend on the batch's padding length.
 */

/** Token vectors of one model run, row-major `[batch, seqLength, dim]`. */
export interface HiddenStates {
  data: Float32Array;
  batch: number;
  seqLength: number;
  dim: number;
}

/**
 * Pools each row of `hidden` over the positions where `attentionMask` (row-major `[batch, seqLength]`) is
 * non-zero and L2-normalises the result. Returns one new vector per row; an all-padding or all-zero row
 * pools to zeros, not NaN.
 */
export function meanPoolNormalize(hidden: HiddenStates, attentionMask: ArrayLike<number | bigint>): Float32Array[] {
  const { data, batch, seqLength, dim } = hidden;
  if (data.length !== batch * seqLength * dim) {
    throw new Error(`hidden states hold ${data.length} values, expected ${batch}×${seqLength}×${dim}`);
  }
  if (attentionMask.length !== batch * seqLength) {
    throw new Error(`attention mask holds ${attentionMask.length} values, expected ${batch}×${seqLength}`);
  }
  const out: Float32Array[] = [];
  const sum = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    sum.fill(0);
    let count = 0;
    for (let t = 0; t < seqLength; t++) {
      const m = Number(attentionMask[b * seqLength + t]);
      if (m === 0) continue;
      count += m;
      const base = (b * seqLength + t) * dim;
      for (let d = 0; d < dim; d++) sum[d]! += m * data[base + d]!;
    }
    const denominator = Math.max(count, 1e-9);
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const mean = sum[d]! / denominator;
      sum[d] = mean;
      norm += mean * mean;
    }
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    const vector = new Float32Array(dim);
    for (let d = 0; d < dim; d++) vector[d] = sum[d]! * scale;
    out.push(vector);
  }
  return out;
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
