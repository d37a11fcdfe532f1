/**
 * The two generated model sizes. "test" is tiny and fast for unit tests and e2e; "minilm" has exactly the
 * shape (and so the cost) of sentence-transformers/all-MiniLM-L6-v2, for benchmarks.
 */

/** Architecture and packaging parameters of one generated model. */
export interface ModelSize {
  /** CLI name (`--size`). */
  id: 'test' | 'minilm';
  /** Folder name under models/generated/. */
  folder: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  /** sentence-transformers' truncation length (sentence_bert_config.json); below model_max_length on purpose. */
  maxSeqLength: number;
  /** tokenizer_config.json model_max_length (what transformers.js truncates at by default). */
  modelMaxLength: number;
  seed: number;
}

export const MODEL_SIZES: Readonly<Record<ModelSize['id'], ModelSize>> = {
  test: {
    id: 'test',
    folder: 'nearfeed-test',
    vocabSize: 4096,
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    intermediateSize: 128,
    maxPositionEmbeddings: 512,
    maxSeqLength: 128,
    modelMaxLength: 512,
    seed: 20260101,
  },
  minilm: {
    id: 'minilm',
    folder: 'nearfeed-minilm-shaped',
    vocabSize: 30522,
    hiddenSize: 384,
    numLayers: 6,
    numHeads: 12,
    intermediateSize: 1536,
    maxPositionEmbeddings: 512,
    maxSeqLength: 256,
    modelMaxLength: 512,
    seed: 20260102,
  },
};

export function isSizeId(value: string): value is ModelSize['id'] {
  return Object.hasOwn(MODEL_SIZES, value);
}
