/**
 * Text → token ids truncated the way Hugging Face tokenizers (and so sentence-transformers and the server)
 * truncate one sequence: the text's own tokens are cut so the special tokens still fit (`[CLS] … [SEP]`).
 * transformers.js' `truncation: true` chops the finished sequence instead and loses the final [SEP], which
 * changes the embedding. Mirrors server/embedder/token-encoder.ts (client and server never import each other).
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';

export interface EncodedText {
  ids: number[];
  typeIds: number[] | undefined;
}

interface RawEncoding {
  input_ids: number[][];
  token_type_ids?: number[][];
}

export class TokenEncoder {
  /** Special tokens the tokenizer appends after the text (1 for BERT's [SEP]). */
  readonly suffixLength: number;
  readonly padTokenId: number;

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    readonly maxSeqLength: number,
  ) {
    this.suffixLength = detectSuffixLength(tokenizer);
    this.padTokenId = tokenizer.pad_token_id ?? 0;
  }

  /** Tokenises and truncates each text to at most `maxSeqLength` ids, special tokens included. */
  encode(texts: readonly string[]): EncodedText[] {
    if (texts.length === 0) return [];
    const raw = this.tokenizer._call([...texts], {
      add_special_tokens: true,
      padding: false,
      truncation: false,
      return_tensor: false,
    }) as unknown as RawEncoding;
    return raw.input_ids.map((ids, i) => {
      const types = raw.token_type_ids?.[i];
      return { ids: this.truncate(ids), typeIds: types === undefined ? undefined : this.truncate(types) };
    });
  }

  private truncate(ids: number[]): number[] {
    const max = this.maxSeqLength;
    if (ids.length <= max) return ids;
    const suffix = Math.min(this.suffixLength, max);
    return ids.slice(0, max - suffix).concat(ids.slice(ids.length - suffix));
  }
}

/** Counts the special tokens appended after a single text by locating the bare ids inside the full sequence. */
function detectSuffixLength(tokenizer: PreTrainedTokenizer): number {
  const probe = 'nearfeed probe text';
  const encode = (add_special_tokens: boolean): number[] =>
    (tokenizer._call(probe, { add_special_tokens, return_tensor: false }) as unknown as { input_ids: number[] })
      .input_ids;
  const full = encode(true);
  const bare = encode(false);
  for (let start = 0; start + bare.length <= full.length; start++) {
    if (bare.every((id, k) => full[start + k] === id)) return full.length - start - bare.length;
  }
  return 0;
}
