/**
 * Seeded, semi-meaningful weights for the generated BERT encoder. The model is a real transformer, but it is
 * shaped so its mean-pooled output behaves like a bag of its tokens' embeddings:
 * - word embeddings are random Gaussians, with a shared component for words of one topic (fintech ~ payments)
 *   and for inflected forms of a listed word (founders ~ founder);
 * - position and token-type embeddings are small next to word embeddings;
 * - attention and feed-forward output projections are scaled down, so residual paths dominate; attention still
 *   moves each token a little towards its context, so padding or masking bugs change the output visibly.
 */
import { gaussianArray } from './prng';
import type { ModelSize } from './sizes';
import { SPECIAL_IDS, type Vocab } from './vocab';
import { topicGroups } from './words';

/** How strongly each part of the network acts; tuned so texts sharing words clearly score higher. */
export const WEIGHT_SCALES = {
  positionStd: 0.1,
  tokenTypeStd: 0.05,
  /** Share of a topic word's embedding that comes from its topic vector. */
  topicMix: 0.7,
  /** Share of an inflected word's embedding that comes from its stem. */
  stemMix: 0.85,
  /** Output projections, relative to a variance-preserving init (1/sqrt(fan_in)). */
  attentionOutput: 0.3,
  ffnOutput: 0.2,
  biasStd: 0.02,
  layerNormStd: 0.02,
} as const;

/** A named fp32 tensor, dims in ONNX MatMul layout (weights are [in, out]). */
export interface Weight {
  dims: number[];
  data: Float32Array;
}

export interface LayerWeights {
  query: Weight;
  queryBias: Weight;
  key: Weight;
  keyBias: Weight;
  value: Weight;
  valueBias: Weight;
  attentionOut: Weight;
  attentionOutBias: Weight;
  attentionNormScale: Weight;
  attentionNormBias: Weight;
  intermediate: Weight;
  intermediateBias: Weight;
  output: Weight;
  outputBias: Weight;
  outputNormScale: Weight;
  outputNormBias: Weight;
}

export interface BertWeights {
  wordEmbeddings: Weight;
  positionEmbeddings: Weight;
  tokenTypeEmbeddings: Weight;
  embeddingNormScale: Weight;
  embeddingNormBias: Weight;
  layers: LayerWeights[];
}

const STEM_SUFFIXES = ['s', 'es', 'ing', 'ed', 'd', 'er', 'ers', 'ly', 'ion', 'ions'];

/** The shortest listed whole word this token inflects, e.g. "investors" → "investor", "raised" → "raise". */
function findStem(token: string, vocab: Vocab): number | undefined {
  if (token.startsWith('##') || token.startsWith('[')) return undefined;
  for (const suffix of STEM_SUFFIXES) {
    if (!token.endsWith(suffix) || token.length - suffix.length < 3) continue;
    const stem = token.slice(0, -suffix.length);
    const id = vocab.ids.get(stem) ?? vocab.ids.get(`${stem}e`);
    if (id !== undefined) return id;
  }
  return undefined;
}

function wordEmbeddings(size: ModelSize, vocab: Vocab): Weight {
  const h = size.hiddenSize;
  const v = size.vocabSize;
  const data = gaussianArray(size.seed, 'embeddings.word', v * h, 1);

  const topics = topicGroups();
  const memberships = new Map<number, number[]>();
  topics.forEach(([, members], topic) => {
    for (const word of members) {
      const id = vocab.ids.get(word);
      if (id === undefined) continue;
      const list = memberships.get(id) ?? [];
      list.push(topic);
      memberships.set(id, list);
    }
  });
  const topicVectors = topics.map(([name]) => gaussianArray(size.seed, `embeddings.topic.${name}`, h, 1));
  const own = Math.sqrt(1 - WEIGHT_SCALES.topicMix ** 2);
  for (const [id, list] of memberships) {
    for (let j = 0; j < h; j++) {
      let shared = 0;
      for (const t of list) shared += topicVectors[t]![j]!;
      const row = id * h + j;
      data[row] = own * data[row]! + (WEIGHT_SCALES.topicMix * shared) / Math.sqrt(list.length);
    }
  }

  // In id order, so a derived form whose stem is itself derived uses the stem's final value (stems come first
  // in the word lists or are shorter filler entries generated after them, either way deterministic).
  const keep = Math.sqrt(1 - WEIGHT_SCALES.stemMix ** 2);
  for (let id = 0; id < v; id++) {
    const stem = findStem(vocab.tokens[id]!, vocab);
    if (stem === undefined || stem === id) continue;
    for (let j = 0; j < h; j++) {
      data[id * h + j] = WEIGHT_SCALES.stemMix * data[stem * h + j]! + keep * data[id * h + j]!;
    }
  }
  // Every text holds [CLS] and [SEP], and mean pooling counts them like words: with unrelated vectors they would
  // give any two short texts a shared ~2/n of their direction. Opposite vectors cancel in the mean instead.
  const cls = SPECIAL_IDS.cls * h;
  const sep = SPECIAL_IDS.sep * h;
  for (let j = 0; j < h; j++) data[sep + j] = -data[cls + j]!;
  return { dims: [v, h], data };
}

function gaussian(size: ModelSize, name: string, dims: number[], std: number): Weight {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dims, data: gaussianArray(size.seed, name, n, std) };
}

/** LayerNorm scale: 1 plus a little noise (exactly 1 would hide a swapped scale/bias). */
function normScale(size: ModelSize, name: string): Weight {
  const w = gaussian(size, name, [size.hiddenSize], WEIGHT_SCALES.layerNormStd);
  for (let i = 0; i < w.data.length; i++) w.data[i] = 1 + w.data[i]!;
  return w;
}

function layer(size: ModelSize, index: number): LayerWeights {
  const h = size.hiddenSize;
  const inter = size.intermediateSize;
  const p = `encoder.layer.${index}`;
  const b = WEIGHT_SCALES.biasStd;
  const init = (fanIn: number): number => 1 / Math.sqrt(fanIn);
  return {
    query: gaussian(size, `${p}.attention.self.query.weight`, [h, h], init(h)),
    queryBias: gaussian(size, `${p}.attention.self.query.bias`, [h], b),
    key: gaussian(size, `${p}.attention.self.key.weight`, [h, h], init(h)),
    keyBias: gaussian(size, `${p}.attention.self.key.bias`, [h], b),
    value: gaussian(size, `${p}.attention.self.value.weight`, [h, h], init(h)),
    valueBias: gaussian(size, `${p}.attention.self.value.bias`, [h], b),
    attentionOut: gaussian(size, `${p}.attention.output.dense.weight`, [h, h], WEIGHT_SCALES.attentionOutput * init(h)),
    attentionOutBias: gaussian(size, `${p}.attention.output.dense.bias`, [h], b),
    attentionNormScale: normScale(size, `${p}.attention.output.LayerNorm.weight`),
    attentionNormBias: gaussian(size, `${p}.attention.output.LayerNorm.bias`, [h], b),
    intermediate: gaussian(size, `${p}.intermediate.dense.weight`, [h, inter], init(h)),
    intermediateBias: gaussian(size, `${p}.intermediate.dense.bias`, [inter], b),
    output: gaussian(size, `${p}.output.dense.weight`, [inter, h], WEIGHT_SCALES.ffnOutput * init(inter)),
    outputBias: gaussian(size, `${p}.output.dense.bias`, [h], b),
    outputNormScale: normScale(size, `${p}.output.LayerNorm.weight`),
    outputNormBias: gaussian(size, `${p}.output.LayerNorm.bias`, [h], b),
  };
}

/** All weights of the encoder, deterministic for a given size (its seed included) and vocabulary. */
export function generateWeights(size: ModelSize, vocab: Vocab): BertWeights {
  const h = size.hiddenSize;
  return {
    wordEmbeddings: wordEmbeddings(size, vocab),
    positionEmbeddings: gaussian(size, 'embeddings.position', [size.maxPositionEmbeddings, h], WEIGHT_SCALES.positionStd),
    tokenTypeEmbeddings: gaussian(size, 'embeddings.token_type', [2, h], WEIGHT_SCALES.tokenTypeStd),
    embeddingNormScale: normScale(size, 'embeddings.LayerNorm.weight'),
    embeddingNormBias: gaussian(size, 'embeddings.LayerNorm.bias', [h], WEIGHT_SCALES.biasStd),
    layers: Array.from({ length: size.numLayers }, (_, i) => layer(size, i)),
  };
}
