/**
 * The JSON files of the Hugging Face / sentence-transformers folder layout, shaped like those of
 * sentence-transformers/all-MiniLM-L6-v2 so loaders written against the real model work unchanged.
 */
import type { ModelSize } from './sizes';
import { SPECIAL_IDS, SPECIAL_TOKENS, type Vocab } from './vocab';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function configJson(size: ModelSize, version: string): Json {
  return {
    _name_or_path: `nearfeed/${size.folder}`,
    architectures: [size.family.tokenTypeIds ? 'BertModel' : 'MPNetModel'],
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    gradient_checkpointing: false,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: size.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: size.intermediateSize,
    layer_norm_eps: 1e-12,
    max_position_embeddings: size.maxPositionEmbeddings,
    model_type: size.family.tokenTypeIds ? 'bert' : 'mpnet',
    num_attention_heads: size.numHeads,
    num_hidden_layers: size.numLayers,
    pad_token_id: SPECIAL_IDS.pad,
    position_embedding_type: 'absolute',
    transformers_version: '4.46.0',
    ...(size.family.tokenTypeIds ? { type_vocab_size: 2 } : {}),
    use_cache: true,
    vocab_size: size.vocabSize,
    nearfeed_generator: { version, size: size.id, seed: size.seed, note: 'random weights, not a trained model' },
  };
}

function addedToken(id: number, content: string): Json {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

export function tokenizerJson(vocab: Vocab): Json {
  const special = (name: string, id: number): Json => ({ id: name, ids: [id], tokens: [name] });
  const vocabObject: { [token: string]: Json } = {};
  vocab.tokens.forEach((token, id) => {
    vocabObject[token] = id;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      addedToken(SPECIAL_IDS.pad, SPECIAL_TOKENS.pad),
      addedToken(SPECIAL_IDS.unk, SPECIAL_TOKENS.unk),
      addedToken(SPECIAL_IDS.cls, SPECIAL_TOKENS.cls),
      addedToken(SPECIAL_IDS.sep, SPECIAL_TOKENS.sep),
      addedToken(SPECIAL_IDS.mask, SPECIAL_TOKENS.mask),
    ],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: SPECIAL_TOKENS.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SPECIAL_TOKENS.sep, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: SPECIAL_TOKENS.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SPECIAL_TOKENS.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: SPECIAL_TOKENS.sep, type_id: 1 } },
      ],
      special_tokens: {
        [SPECIAL_TOKENS.cls]: special(SPECIAL_TOKENS.cls, SPECIAL_IDS.cls),
        [SPECIAL_TOKENS.sep]: special(SPECIAL_TOKENS.sep, SPECIAL_IDS.sep),
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: SPECIAL_TOKENS.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObject,
    },
  };
}

export function tokenizerConfigJson(size: ModelSize): Json {
  const added: { [id: string]: Json } = {};
  for (const key of ['pad', 'unk', 'cls', 'sep', 'mask'] as const) {
    added[String(SPECIAL_IDS[key])] = { content: SPECIAL_TOKENS[key], lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  }
  return {
    added_tokens_decoder: added,
    clean_up_tokenization_spaces: true,
    cls_token: SPECIAL_TOKENS.cls,
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: SPECIAL_TOKENS.mask,
    model_max_length: size.modelMaxLength,
    never_split: null,
    pad_token: SPECIAL_TOKENS.pad,
    sep_token: SPECIAL_TOKENS.sep,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: SPECIAL_TOKENS.unk,
  };
}

export function specialTokensMapJson(): Json {
  return {
    cls_token: SPECIAL_TOKENS.cls,
    mask_token: SPECIAL_TOKENS.mask,
    pad_token: SPECIAL_TOKENS.pad,
    sep_token: SPECIAL_TOKENS.sep,
    unk_token: SPECIAL_TOKENS.unk,
  };
}

export function sentenceBertConfigJson(size: ModelSize): Json {
  return { max_seq_length: size.maxSeqLength, do_lower_case: false };
}

export function modulesJson(size: ModelSize): Json {
  return [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ...(size.family.normalize ? [{ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' }] : []),
  ];
}

/** 1_Pooling/config.json as sentence-transformers 3 writes it: one flag per mode, exactly one set. */
export function poolingConfigJson(size: ModelSize): Json {
  const mode = size.family.pooling;
  return {
    word_embedding_dimension: size.hiddenSize,
    pooling_mode_cls_token: mode === 'cls',
    pooling_mode_mean_tokens: mode === 'mean',
    pooling_mode_max_tokens: mode === 'max',
    pooling_mode_mean_sqrt_len_tokens: mode === 'mean_sqrt_len',
    pooling_mode_weightedmean_tokens: mode === 'weightedmean',
    pooling_mode_lasttoken: mode === 'lasttoken',
    include_prompt: true,
  };
}

/** config_sentence_transformers.json: the prompts, none by default. */
export function sentenceTransformersConfigJson(size: ModelSize): Json {
  return {
    __version__: { sentence_transformers: '3.0.1', transformers: '4.46.0', pytorch: '2.4.0' },
    prompts: { ...size.family.prompts },
    default_prompt_name: null,
    similarity_fn_name: 'cosine',
  };
}
