/**
 * Builds the WordPiece vocabulary: the special tokens at bert-base-uncased's ids ([PAD]=0, [UNK]=100,
 * [CLS]=101, [SEP]=102, [MASK]=103, [unused*] between), single characters and their "##" forms (so any
 * lowercase ASCII text tokenizes without [UNK]), suffix pieces, whole words, then deterministic filler
 * ("##" letter bigrams, plural forms, "##" trigrams, [unused*]) up to the requested size.
 */
import { baseWords, suffixPieces } from './words';

export const SPECIAL_TOKENS = {
  pad: '[PAD]',
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
} as const;

export const SPECIAL_IDS = { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 } as const;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
// ASCII punctuation plus the typographic characters common in pasted bios; BertPreTokenizer splits them all.
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~' + '\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac\u00a3\u00a5\u2022\u00b7\u00b0';
// Letters that survive accent stripping (BertNormalizer drops only combining marks).
const EXTRA_LETTERS = '\u00df\u00e6\u00f8\u0153\u0142\u0111\u00fe\u00f0';

/** Token list in id order, plus the lookup the weight generator uses. */
export interface Vocab {
  tokens: string[];
  ids: Map<string, number>;
}

/** The deterministic vocabulary of exactly `size` tokens. */
export function buildVocab(size: number): Vocab {
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  const add = (token: string): void => {
    if (tokens.length >= size || ids.has(token)) return;
    ids.set(token, tokens.length);
    tokens.push(token);
  };

  let unused = 0;
  add(SPECIAL_TOKENS.pad);
  while (tokens.length < SPECIAL_IDS.unk) add(`[unused${unused++}]`);
  add(SPECIAL_TOKENS.unk);
  add(SPECIAL_TOKENS.cls);
  add(SPECIAL_TOKENS.sep);
  add(SPECIAL_TOKENS.mask);

  for (const ch of PUNCTUATION + DIGITS + LETTERS + EXTRA_LETTERS) add(ch);
  for (const ch of DIGITS + LETTERS + EXTRA_LETTERS) add(`##${ch}`);
  for (const piece of suffixPieces()) add(`##${piece}`);
  const words = baseWords();
  for (const word of words) add(word);
  const required = tokens.length;
  if (required >= size) throw new RangeError(`vocabulary size ${size} is below the ${required} required tokens`);

  // Filler, most useful first: letter bigrams that shorten unknown words, plurals of listed words, trigrams.
  for (const a of LETTERS) for (const b of LETTERS) add(`##${a}${b}`);
  for (const word of words) if (word.length >= 3 && /[a-z]$/.test(word) && !word.endsWith('s')) add(`${word}s`);
  for (const a of LETTERS) for (const b of LETTERS) for (const c of LETTERS) add(`##${a}${b}${c}`);
  while (tokens.length < size) add(`[unused${unused++}]`);
  return { tokens, ids };
}
