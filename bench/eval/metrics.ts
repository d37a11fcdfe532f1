/** Page metrics of the offline evaluation: precision@k, nDCG@k (binary relevance), intra-list diversity. */

/** Share of the page's first `k` ids that are relevant (a short page counts its gaps as misses). */
export function precisionAt(page: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let hits = 0;
  for (const id of page.slice(0, k)) if (relevant.has(id)) hits++;
  return hits / k;
}

/** nDCG@k with binary gains; the ideal page puts min(k, |relevant left|) relevant ids first. */
export function ndcgAt(page: readonly string[], relevant: ReadonlySet<string>, k: number, relevantLeft: number): number {
  let dcg = 0;
  page.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevantLeft); i++) ideal += 1 / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/** Mean over pairs of 1 − cosine of the page's vectors. */
export function intraListDiversity(vectors: readonly Float32Array[]): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < vectors.length; a++) {
    for (let b = a + 1; b < vectors.length; b++) {
      sum += 1 - cosine(vectors[a]!, vectors[b]!);
      pairs++;
    }
  }
  return pairs > 0 ? sum / pairs : 0;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    d += a[j]! * b[j]!;
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
  }
  return d / Math.sqrt(aa * bb);
}

export function mean(xs: readonly number[]): number {
  return xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : 0;
}
