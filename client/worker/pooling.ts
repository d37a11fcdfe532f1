/**
 * Sentence-transformers' embedding definition, written out so browser and server agree to float rounding:
 * mean of the token vectors where attention_mask is 1, then L2 normalisation.
 */

/**
 * Masked mean pooling + L2 normalisation of a [batch, seq, hidden] output.
 * @param hidden - row-major last_hidden_state
 * @param mask - row-major attention mask [batch, seq] (1 = real token)
 * @returns batch × hidden, row-major
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  batch: number,
  seq: number,
  dim: number,
): Float32Array {
  if (hidden.length !== batch * seq * dim) {
    throw new Error(`hidden state has ${hidden.length} values, expected ${batch}×${seq}×${dim}`);
  }
  const out = new Float32Array(batch * dim);
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    acc.fill(0);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (Number(mask[b * seq + t]) === 0) continue;
      count++;
      const base = (b * seq + t) * dim;
      for (let d = 0; d < dim; d++) acc[d]! += hidden[base + d]!;
    }
    // sentence-transformers clamps the token count at 1e-9; an all-padding row then pools to zeros.
    const denom = Math.max(count, 1e-9);
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = acc[d]! / denom;
      acc[d] = v;
      norm += v * v;
    }
    // torch.nn.functional.normalize uses eps 1e-12 on the norm.
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) out[b * dim + d] = acc[d]! * scale;
  }
  return out;
}
