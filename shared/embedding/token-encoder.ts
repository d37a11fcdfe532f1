/**
 * Text → token ids, truncated the way Hugging Face tokenizers truncate a single sequence: the text's own
 * tokens are cut so that the special tokens still fit, i.e. `[CLS] first max-2 pieces [SEP]` for BERT.
 * transformers.js' `truncation: true` instead chops the finished sequence and drops the final [SEP], which
 * changes the embedding; this module does it faithfully, for the server and the browser worker alike.
 */

/** One tokenised text: ids and, for models that take them, token type ids (same length). */
export interface EncodedText {
  ids: number[];
  typeIds: number[] | undefined;
}

/** Options passed to the tokenizer's call: special tokens on request, no padding, no truncation, plain arrays. */
export interface TokenizeOptions {
  add_special_tokens: boolean;
  padding?: boolean;
  truncation?: boolean;
  return_tensor: false;
}

/**
 * The part of a transformers.js `PreTrainedTokenizer` the encoder uses, as a structural type so this module
 * depends on no runtime. Called with a string it answers `{input_ids: number[]}`, with an array of strings
 * `{input_ids: number[][], token_type_ids?: number[][]}`.
 */
export interface TokenizerLike {
  _call(text: string | string[], options: TokenizeOptions): unknown;
  readonly pad_token_id?: number | null;
}

interface RawEncoding {
  input_ids: number[][];
  token_type_ids?: number[][];
}

/** Tokeniser bound to a truncation length. */
export class TokenEncoder {
  /** Special tokens the tokenizer puts after the text (1 for BERT's [SEP]). */
  readonly suffixLength: number;
  readonly padTokenId: number;

  /**
   * @param lowerCase sentence_bert_config.json's do_lower_case: sentence-transformers lower-cases each text
   *   (prompt included) before its tokenizer sees it.
   */
  constructor(
    private readonly tokenizer: TokenizerLike,
    readonly maxSeqLength: number,
    private readonly lowerCase = false,
  ) {
    this.suffixLength = detectSuffixLength(tokenizer);
    this.padTokenId = tokenizer.pad_token_id ?? 0;
  }

  /** Tokenises and truncates each text to at most `maxSeqLength` ids, special tokens included. */
  encode(texts: readonly string[]): EncodedText[] {
    if (texts.length === 0) return [];
    const input = this.lowerCase ? texts.map((text) => text.toLowerCase()) : [...texts];
    const raw = this.tokenizer._call(input, {
      add_special_tokens: true,
      padding: false,
      truncation: false,
      return_tensor: false,
    }) as RawEncoding;
    return raw.input_ids.map((ids, i) => {
      const types = raw.token_type_ids?.[i];
      return { ids: this.truncate(ids), typeIds: types === undefined ? undefined : this.truncate(types) };
    });
  }

  /** Token counts after truncation (or, with `truncate: false`, before it), special tokens included. */
  count(texts: readonly string[], options: { truncate?: boolean } = {}): number[] {
    if (options.truncate !== false) return this.encode(texts).map((encoded) => encoded.ids.length);
    if (texts.length === 0) return [];
    const raw = this.tokenizer._call([...texts], {
      add_special_tokens: true,
      padding: false,
      truncation: false,
      return_tensor: false,
    }) as RawEncoding;
    return raw.input_ids.map((ids) => ids.length);
  }

  private truncate(ids: number[]): number[] {
    const max = this.maxSeqLength;
    if (ids.length <= max) return ids;
    const suffix = Math.min(this.suffixLength, max);
    return ids.slice(0, max - suffix).concat(ids.slice(ids.length - suffix));
  }
}

/**
 * How many special tokens the tokenizer appends after a single text, found by encoding a probe with and
 * without special tokens and locating the bare ids inside the full sequence.
 */
function detectSuffixLength(tokenizer: TokenizerLike): number {
  const probe = 'nearfeed probe text';
  const encode = (add_special_tokens: boolean): number[] =>
    (tokenizer._call(probe, { add_special_tokens, return_tensor: false }) as { input_ids: number[] }).input_ids;
  const full = encode(true);
  const bare = encode(false);
  for (let start = 0; start + bare.length <= full.length; start++) {
    if (bare.every((id, k) => full[start + k] === id)) return full.length - start - bare.length;
  }
  // A template that rewrites the text's own tokens: keep the head, as transformers.js would.
  return 0;
}
