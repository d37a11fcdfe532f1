/**
 * The generated models. "test" is tiny and fast for unit tests and e2e; "minilm" has exactly the shape (and
 * so the cost) of sentence-transformers/all-MiniLM-L6-v2, for benchmarks. The "test-*" variants are "test"
 * in the other sentence-transformers families real users run: BGE-like CLS pooling, an MPNet-like graph
 * without token_type_ids, an E5-like model with query/passage prompts.
 */
import type { PoolingMode } from '../../shared/embedding/pooling';

/** The sentence-transformers configuration a generated folder declares, and its graph's inputs. */
export interface GeneratedFamily {
  pooling: PoolingMode;
  /** Whether modules.json lists a Normalize module. */
  normalize: boolean;
  /** False for an MPNet-like graph: no token_type_ids input, config.json model_type "mpnet". */
  tokenTypeIds: boolean;
  /** config_sentence_transformers.json prompts. */
  prompts: Readonly<Record<string, string>>;
}

const MEAN_NORMALIZED: GeneratedFamily = { pooling: 'mean', normalize: true, tokenTypeIds: true, prompts: {} };

/** Architecture and packaging parameters of one generated model. */
export interface ModelSize {
  /** CLI name (`--size`). */
  id: 'test' | 'minilm' | 'test-cls' | 'test-notype' | 'test-prompts';
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
  family: GeneratedFamily;
}

const TEST_SHAPE = {
  vocabSize: 4096,
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 128,
  maxPositionEmbeddings: 512,
  maxSeqLength: 128,
  modelMaxLength: 512,
  seed: 20260101,
} as const;

export const MODEL_SIZES: Readonly<Record<ModelSize['id'], ModelSize>> = {
  test: { id: 'test', folder: 'nearfeed-test', ...TEST_SHAPE, family: MEAN_NORMALIZED },
  'test-cls': {
    id: 'test-cls',
    folder: 'nearfeed-test-cls',
    ...TEST_SHAPE,
    family: { ...MEAN_NORMALIZED, pooling: 'cls', normalize: false },
  },
  'test-notype': {
    id: 'test-notype',
    folder: 'nearfeed-test-notype',
    ...TEST_SHAPE,
    family: { ...MEAN_NORMALIZED, tokenTypeIds: false },
  },
  'test-prompts': {
    id: 'test-prompts',
    folder: 'nearfeed-test-prompts',
    ...TEST_SHAPE,
    family: { ...MEAN_NORMALIZED, prompts: { query: 'query: ', passage: 'passage: ' } },
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
    family: MEAN_NORMALIZED,
  },
};

export function isSizeId(value: string): value is ModelSize['id'] {
  return Object.hasOwn(MODEL_SIZES, value);
}

/** The test model and its family variants: what `npm run model:test` generates. */
export const TEST_MODEL_IDS: readonly ModelSize['id'][] = ['test', 'test-cls', 'test-notype', 'test-prompts'];
