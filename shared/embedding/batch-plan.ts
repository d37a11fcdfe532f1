/**
 * Cuts a set of tokenised inputs into model batches, as sentence-transformers and TEI do. Inputs are sorted by
 * length so each batch pads little, and a batch is bounded both by a count and by a token budget (batch ×
 * padded length): attention memory and time grow with batch × length², so long texts must come in smaller
 * batches than short ones. Results are put back in the caller's order.
 */

export interface BatchLimits {
  /** Most inputs in one batch (values below 1 count as 1). */
  maxBatchSize: number;
  /** Most padded tokens in one batch (rows × longest row). A single longer input still gets its own batch. */
  maxBatchTokens: number;
}

/**
 * Order of the inputs inside the plan. sentence-transformers sorts longest first; 'input-order' does not
 * sort at all (a baseline for benchmarks: batches then pad to whatever long text they happen to hold).
 */
export type LengthOrder = 'longest-first' | 'shortest-first' | 'input-order';

/**
 * Returns batches of input indices (into `lengths`). Every index appears exactly once; unless the order is
 * 'input-order', indices are sorted by length, so neighbours of similar length share a batch.
 */
export function planBatches(
  lengths: readonly number[],
  limits: BatchLimits,
  order: LengthOrder = 'longest-first',
): number[][] {
  const maxSize = Math.max(1, Math.floor(limits.maxBatchSize));
  const maxTokens = Math.max(1, Math.floor(limits.maxBatchTokens));
  const indices = lengths.map((_, i) => i);
  // Ties keep the caller's order, so a plan is deterministic for a given input.
  if (order !== 'input-order') {
    const sign = order === 'longest-first' ? -1 : 1;
    indices.sort((a, b) => sign * ((lengths[a] ?? 0) - (lengths[b] ?? 0)) || a - b);
  }

  const batches: number[][] = [];
  let current: number[] = [];
  let padded = 0;
  for (const index of indices) {
    const length = lengths[index] ?? 0;
    const nextPadded = Math.max(padded, length);
    const fits = current.length < maxSize && (current.length + 1) * nextPadded <= maxTokens;
    if (current.length > 0 && !fits) {
      batches.push(current);
      current = [];
      padded = 0;
    }
    current.push(index);
    padded = Math.max(padded, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Runs `run` on each batch of `plan` in turn (one model run at a time) and returns its outputs in the order of
 * `items`, whatever order the plan ran them in. `run` must answer one output per item it is given.
 */
export async function runPlanned<I, O>(
  items: readonly I[],
  plan: readonly (readonly number[])[],
  run: (batch: I[]) => Promise<O[]>,
): Promise<O[]> {
  const out = new Array<O>(items.length);
  for (const batch of plan) {
    const outputs = await run(batch.map((index) => items[index]!));
    if (outputs.length !== batch.length) {
      throw new Error(`a batch of ${batch.length} inputs returned ${outputs.length} outputs`);
    }
    batch.forEach((index, row) => {
      out[index] = outputs[row]!;
    });
  }
  return out;
}
