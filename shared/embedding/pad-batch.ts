/**
 * One batch of tokenised texts as the int64 inputs of a BERT-like encoder: rows padded on the right with the
 * pad token to the longest row, the attention mask 1 on real tokens, token type ids (0 where a row has none).
 * Plain typed arrays, so each runtime wraps them in its own tensor type.
 */
import type { EncodedText } from './token-encoder';

/** Row-major `[batch, seqLength]` model inputs. */
export interface PaddedBatch {
  batch: number;
  seqLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/** Pads `rows` to the longest one; padding is masked out, so it never changes a row's pooled vector. */
export function padBatch(rows: readonly Pick<EncodedText, 'ids' | 'typeIds'>[], padTokenId: number): PaddedBatch {
  const batch = rows.length;
  const seqLength = rows.reduce((max, row) => Math.max(max, row.ids.length), 0);
  const inputIds = new BigInt64Array(batch * seqLength).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(batch * seqLength);
  const tokenTypeIds = new BigInt64Array(batch * seqLength);
  rows.forEach((row, b) => {
    const base = b * seqLength;
    for (let t = 0; t < row.ids.length; t++) {
      inputIds[base + t] = BigInt(row.ids[t]!);
      attentionMask[base + t] = 1n;
      tokenTypeIds[base + t] = BigInt(row.typeIds?.[t] ?? 0);
    }
  });
  return { batch, seqLength, inputIds, attentionMask, tokenTypeIds };
}

/**
 * The tensors a graph declares, by input name, from a padded batch: a graph without `token_type_ids`
 * (MPNet, RoBERTa exports) gets none. Throws, naming it, for an input nearfeed cannot fill.
 */
export function graphInputs(padded: PaddedBatch, inputNames: readonly string[]): Record<string, BigInt64Array> {
  const available: Record<string, BigInt64Array> = {
    input_ids: padded.inputIds,
    attention_mask: padded.attentionMask,
    token_type_ids: padded.tokenTypeIds,
  };
  const feeds: Record<string, BigInt64Array> = {};
  for (const name of inputNames) {
    const data = available[name];
    if (data === undefined) {
      throw new Error(
        `the ONNX model declares an input "${name}" nearfeed cannot fill (it feeds input_ids, attention_mask, token_type_ids)`,
      );
    }
    feeds[name] = data;
  }
  return feeds;
}
