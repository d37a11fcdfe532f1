/**
 * Plans session calls like sentence-transformers and TEI: texts sorted by token length (so a batch pads
 * little), each batch bounded by a count and by a padded-token budget, results restored to the caller's order.
 */

/** Groups of input indices, each group one session call. Every index appears exactly once. */
export function planBatches(tokenCounts: readonly number[], maxBatchSize: number, maxBatchTokens: number): number[][] {
  if (maxBatchSize < 1) throw new Error(`maxBatchSize must be >= 1, got ${maxBatchSize}`);
  const order = tokenCounts.map((_, i) => i).sort((a, b) => tokenCounts[b]! - tokenCounts[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const index of order) {
    const len = tokenCounts[index]!;
    const nextLongest = Math.max(longest, len);
    // Padded size is batch × longest; a single over-budget text still runs alone.
    if (current.length > 0 && (current.length >= maxBatchSize || nextLongest * (current.length + 1) > maxBatchTokens)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(index);
    longest = Math.max(longest, len);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
