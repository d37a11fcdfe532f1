/**
 * The truncation length, decided the way sentence-transformers (and server/embedder/seq-length.ts) decide it:
 * an explicit value, else sentence_bert_config.json's max_seq_length, else a known model's, else the
 * tokenizer's model_max_length; never above config.json's max_position_embeddings. The same rule on both
 * sides gives the same model key, so server vectors are reused as is.
 */

/** max_seq_length of well-known models whose ONNX ports ship no sentence_bert_config.json. */
const KNOWN_MAX_SEQ_LENGTH: Readonly<Record<string, number>> = { 'all-MiniLM-L6-v2': 256 };
const FALLBACK_LENGTH = 512;

export interface SeqLengthSources {
  modelName: string;
  explicit?: number;
  sentenceBertMaxSeqLength?: number;
  modelMaxLength?: number;
  maxPositionEmbeddings?: number;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

export function decideMaxSeqLength(s: SeqLengthSources): number {
  const baseName = s.modelName.split('/').pop() ?? s.modelName;
  const fromTokenizer = s.modelMaxLength !== undefined && s.modelMaxLength < 1e6 ? positiveInt(s.modelMaxLength) : undefined;
  const chosen =
    positiveInt(s.explicit) ??
    positiveInt(s.sentenceBertMaxSeqLength) ??
    KNOWN_MAX_SEQ_LENGTH[baseName] ??
    fromTokenizer ??
    s.maxPositionEmbeddings ??
    FALLBACK_LENGTH;
  const limit = positiveInt(s.maxPositionEmbeddings);
  return limit !== undefined && chosen > limit ? limit : chosen;
}
