/**
 * WebGPU can return silently wrong numbers (known for some models and dtypes). Before trusting it, the engine
 * embeds one fixed sentence on WebGPU and on WASM and compares the two vectors.
 */
import { cosineSimilarity } from '../../shared/scoring';
import type { Embedder } from '../../shared/embedder';

/** The fixed sentence both devices embed. Long enough to exercise attention over many positions. */
export const SELF_CHECK_SENTENCE =
  'nearfeed self-check: a founder in Berlin building developer tools for data teams looks for a seed investor and a technical co-founder.';

/** Below this cosine the WebGPU result is treated as wrong. */
export const SELF_CHECK_MIN_COSINE = 0.999;

export interface SelfCheckResult {
  cosine: number;
  passed: boolean;
}

export async function runSelfCheck(candidate: Embedder, reference: Embedder): Promise<SelfCheckResult> {
  const [[a], [b]] = await Promise.all([candidate.embed([SELF_CHECK_SENTENCE]), reference.embed([SELF_CHECK_SENTENCE])]);
  if (!a || !b) throw new Error('self-check produced no vector');
  let cosine: number;
  try {
    cosine = cosineSimilarity(a, b);
  } catch {
    // NaN, zero vector or a dimension mismatch: as wrong as it gets.
    cosine = Number.NaN;
  }
  return { cosine, passed: cosine >= SELF_CHECK_MIN_COSINE };
}
