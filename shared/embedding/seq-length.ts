/**
 * The token limit inputs are truncated to, decided the way sentence-transformers decides it. transformers.js
 * truncates at the tokenizer's `model_max_length` (512 for all-MiniLM-L6-v2) while sentence-transformers uses
 * `max_seq_length` from sentence_bert_config.json (256): faithful vectors need the latter. The browser and the
 * server both decide here, from one table, so they derive the same model key and server vectors are reused.
 */

/**
 * max_seq_length of well-known sentence-transformers models whose ONNX ports on the hub (Xenova/…) ship no
 * sentence_bert_config.json. Keyed by the repository name without its owner.
 */
export const KNOWN_MAX_SEQ_LENGTH: Readonly<Record<string, number>> = {
  'all-MiniLM-L6-v2': 256,
  'all-MiniLM-L12-v2': 128,
  'all-mpnet-base-v2': 384,
  'paraphrase-multilingual-MiniLM-L12-v2': 128,
};

export interface SeqLengthSources {
  /** Model name (hub id or folder name), for the known-models table. */
  modelName: string;
  /** An explicit length: the server's MAX_SEQ_LENGTH, the browser worker's `maxSeqLength` option. */
  override?: number;
  /** sentence_bert_config.json, when the model has one. */
  sentenceBertConfig?: Record<string, unknown>;
  /** The tokenizer's model_max_length. */
  modelMaxLength?: number;
  /** config.json max_position_embeddings: the hard limit of the position table. */
  maxPositionEmbeddings?: number;
}

export interface SeqLengthDecision {
  maxSeqLength: number;
  /** Where the value came from, for logs ('MAX_SEQ_LENGTH' is any explicit override). */
  source: 'MAX_SEQ_LENGTH' | 'sentence_bert_config.json' | 'known model' | 'model_max_length' | 'default';
  /** Set when the asked value had to be lowered to fit the model's positions. */
  clampedFrom?: number;
}

const FALLBACK_LENGTH = 512;

/**
 * Picks the truncation length: override, then sentence_bert_config.json, known model, model_max_length,
 * never above max_position_embeddings. Throws a RangeError for an override that is not a positive integer.
 */
export function decideMaxSeqLength(sources: SeqLengthSources): SeqLengthDecision {
  const fromSbert = positiveInt(sources.sentenceBertConfig?.['max_seq_length']);
  const baseName = sources.modelName.split('/').pop() ?? sources.modelName;
  const known = KNOWN_MAX_SEQ_LENGTH[baseName];
  // Tokenizers without a limit report a huge sentinel (1e30): not a real length.
  const fromTokenizer =
    sources.modelMaxLength !== undefined && sources.modelMaxLength < 1e6
      ? positiveInt(sources.modelMaxLength)
      : undefined;
  const limit = positiveInt(sources.maxPositionEmbeddings);

  let decision: SeqLengthDecision;
  if (sources.override !== undefined) {
    const override = positiveInt(sources.override);
    if (override === undefined) {
      throw new RangeError(`MAX_SEQ_LENGTH must be a positive integer, got ${String(sources.override)}`);
    }
    decision = { maxSeqLength: override, source: 'MAX_SEQ_LENGTH' };
  } else if (fromSbert !== undefined) decision = { maxSeqLength: fromSbert, source: 'sentence_bert_config.json' };
  else if (known !== undefined) decision = { maxSeqLength: known, source: 'known model' };
  else if (fromTokenizer !== undefined) decision = { maxSeqLength: fromTokenizer, source: 'model_max_length' };
  else decision = { maxSeqLength: limit ?? FALLBACK_LENGTH, source: 'default' };

  if (limit !== undefined && decision.maxSeqLength > limit) {
    return { ...decision, maxSeqLength: limit, clampedFrom: decision.maxSeqLength };
  }
  return decision;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
