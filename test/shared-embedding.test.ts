/**
 * The embedding parts the server (server/embedder) and the browser worker (client/worker) share from
 * shared/embedding: faithful truncation on the real test model's tokenizer, the batch plan and putting results
 * back in order, padding, masked mean pooling + L2 normalisation, float16 decoding and the truncation-length
 * decision with its one known-models table.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { planBatches, runPlanned } from '../shared/embedding/batch-plan';
import { padBatch } from '../shared/embedding/pad-batch';
import { float16BitsToFloat32, poolTokens, type HiddenStates, type PoolingMode } from '../shared/embedding/pooling';
import {
  familyKey,
  feedPromptNames,
  promptedText,
  readModelFamily,
  UnsupportedModelError,
} from '../shared/embedding/model-family';
import { decideMaxSeqLength, KNOWN_MAX_SEQ_LENGTH } from '../shared/embedding/seq-length';
import { TokenEncoder } from '../shared/embedding/token-encoder';
import { ensureTestModel } from './support/model-path';

describe('TokenEncoder', () => {
  let tokenizer: PreTrainedTokenizer;
  const long = Array.from({ length: 60 }, (_, i) => `word${i % 7} founder startup`).join(' ');

  beforeAll(async () => {
    const dir = ensureTestModel();
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    tokenizer = await AutoTokenizer.from_pretrained(dir);
  });

  /** The tokenizer's own ids with special tokens, untruncated. */
  const fullIds = (text: string): number[] =>
    (tokenizer._call(text, { return_tensor: false }) as unknown as { input_ids: number[] }).input_ids;

  it('keeps [CLS], the first max-2 pieces and [SEP] of a long text, and leaves short texts alone', () => {
    const encoder = new TokenEncoder(tokenizer, 16);
    expect(encoder.suffixLength).toBe(1);
    const full = fullIds(long);
    expect(full.length).toBeGreaterThan(16);
    const [cut, short] = encoder.encode([long, 'founder']);
    expect(cut!.ids).toEqual([...full.slice(0, 15), full[full.length - 1]!]);
    expect(cut!.ids[15]).toBe(tokenizer.sep_token_id);
    expect(cut!.typeIds).toHaveLength(16);
    expect(short!.ids).toEqual(fullIds('founder'));
    expect(encoder.count([long, 'founder', ''])).toEqual([16, fullIds('founder').length, 2]);
    expect(encoder.encode([])).toEqual([]);
    expect(encoder.padTokenId).toBe(tokenizer.pad_token_id);
  });
});

describe('planBatches', () => {
  const lengths = [5, 120, 7, 64, 3, 128, 9, 40, 2, 100, 11, 90];

  it('uses every index exactly once and respects both limits', () => {
    const check = (counts: number[], limits: { maxBatchSize: number; maxBatchTokens: number }) => {
      const plan = planBatches(counts, limits);
      expect(plan.flat().sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));
      for (const batch of plan) {
        const padded = Math.max(...batch.map((i) => counts[i]!));
        expect(batch.length).toBeLessThanOrEqual(limits.maxBatchSize);
        expect(batch.length * padded).toBeLessThanOrEqual(limits.maxBatchTokens);
      }
      return plan;
    };
    check(lengths, { maxBatchSize: 4, maxBatchTokens: 300 });
    const plan = check([5, 120, 7, 64, 64, 3, 128, 9, 10, 11], { maxBatchSize: 4, maxBatchTokens: 256 });
    expect(plan[0]![0]).toBe(6); // the 128-token text leads
  });

  it('sorts longest first by default and shortest first on request', () => {
    const longest = planBatches(lengths, { maxBatchSize: 100, maxBatchTokens: 1e9 }).flat();
    expect(longest.map((i) => lengths[i])).toEqual([...lengths].sort((a, b) => b - a));
    const shortest = planBatches(lengths, { maxBatchSize: 100, maxBatchTokens: 1e9 }, 'shortest-first').flat();
    expect(shortest.map((i) => lengths[i])).toEqual([...lengths].sort((a, b) => a - b));
    expect(planBatches([3, 9, 1], { maxBatchSize: 2, maxBatchTokens: 100 }, 'input-order')).toEqual([[0, 1], [2]]);
  });

  it('gives an input longer than the budget a batch of its own instead of dropping it', () => {
    expect(planBatches([500, 10, 10], { maxBatchSize: 8, maxBatchTokens: 100 })).toEqual([[0], [1, 2]]);
    expect(planBatches([1000, 2], { maxBatchSize: 8, maxBatchTokens: 100 })).toEqual([[0], [1]]);
  });

  it('keeps the caller order among equal lengths, plans nothing for no input, and runs at least one per batch', () => {
    expect(planBatches([4, 4, 4], { maxBatchSize: 2, maxBatchTokens: 100 })).toEqual([[0, 1], [2]]);
    expect(planBatches([], { maxBatchSize: 2, maxBatchTokens: 100 })).toEqual([]);
    expect(planBatches([1, 1], { maxBatchSize: 0, maxBatchTokens: 100 })).toEqual([[0], [1]]);
  });
});

describe('runPlanned', () => {
  it('runs batch by batch in plan order and returns outputs in the order of the inputs', async () => {
    const items = ['a', 'bbb', 'cc', 'dddd'];
    const plan = planBatches(
      items.map((s) => s.length),
      { maxBatchSize: 2, maxBatchTokens: 100 },
    );
    const seen: string[][] = [];
    let running = 0;
    const out = await runPlanned(items, plan, async (batch) => {
      running += 1;
      expect(running).toBe(1);
      seen.push(batch);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running -= 1;
      return batch.map((s) => s.toUpperCase());
    });
    expect(seen).toEqual([
      ['dddd', 'bbb'],
      ['cc', 'a'],
    ]);
    expect(out).toEqual(['A', 'BBB', 'CC', 'DDDD']);
  });

  it('rejects a batch answered with the wrong number of outputs', async () => {
    await expect(runPlanned([1, 2], [[0, 1]], async () => [1])).rejects.toThrow(/2 inputs returned 1 outputs/);
  });
});

describe('padBatch', () => {
  it('pads right with the pad id to the longest row, masks the padding and fills missing type ids with 0', () => {
    const padded = padBatch(
      [
        { ids: [101, 7, 102], typeIds: [0, 1, 1] },
        { ids: [101, 102], typeIds: undefined },
      ],
      9,
    );
    expect(padded.batch).toBe(2);
    expect(padded.seqLength).toBe(3);
    expect(Array.from(padded.inputIds)).toEqual([101n, 7n, 102n, 101n, 102n, 9n]);
    expect(Array.from(padded.attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
    expect(Array.from(padded.tokenTypeIds)).toEqual([0n, 1n, 1n, 0n, 0n, 0n]);
  });
});

const meanPoolNormalize = (hidden: HiddenStates, mask: ArrayLike<number | bigint>) =>
  poolTokens(hidden, mask, { pooling: 'mean', normalize: true });

describe('poolTokens, mean + normalize', () => {
  it('averages only unmasked tokens, then L2-normalises', () => {
    // batch 2, seq 3, dim 2; row 0 masks its last token, row 1 uses all three.
    const data = new Float32Array([1, 2, 3, 4, 100, 100, 1, 0, 0, 1, 1, 1]);
    const mask = [1, 1, 0, 1, 1, 1];
    const [a, b] = meanPoolNormalize({ data, batch: 2, seqLength: 3, dim: 2 }, mask);
    // Row 0: mean (2, 3) → / √13. Row 1: mean (2/3, 2/3) → (1/√2, 1/√2).
    expect(a![0]).toBeCloseTo(2 / Math.sqrt(13), 6);
    expect(a![1]).toBeCloseTo(3 / Math.sqrt(13), 6);
    expect(b![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(b![1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('ignores garbage under the padding (bigint mask, as the runtimes pass it)', () => {
    // batch 2, seq 3, dim 2; row 1 has one padding position with huge values.
    const data = new Float32Array([1, 2, 3, 4, 5, 6, /* row 1 */ 2, 0, 0, 2, 1e6, -1e6]);
    const out = meanPoolNormalize({ data, batch: 2, seqLength: 3, dim: 2 }, [1n, 1n, 1n, 1n, 1n, 0n]);
    const expectRow = (row: number, x: number, y: number) => {
      const n = Math.hypot(x, y);
      expect(out[row]![0]).toBeCloseTo(x / n, 6);
      expect(out[row]![1]).toBeCloseTo(y / n, 6);
    };
    expectRow(0, 3, 4);
    expectRow(1, 1, 1);
  });

  it('returns a zero vector (not NaN) for an all-zero row and an all-padding row, like torch F.normalize', () => {
    const [v] = meanPoolNormalize({ data: new Float32Array(4), batch: 1, seqLength: 2, dim: 2 }, [1n, 1n]);
    expect(Array.from(v!)).toEqual([0, 0]);
    const [p] = meanPoolNormalize({ data: new Float32Array([5, 6, 7, 8]), batch: 1, seqLength: 2, dim: 2 }, [0, 0]);
    expect(Array.from(p!)).toEqual([0, 0]);
  });

  it('rejects shapes that do not match', () => {
    expect(() => meanPoolNormalize({ data: new Float32Array(5), batch: 1, seqLength: 2, dim: 2 }, [1, 1])).toThrow(
      /expected 1×2×2/,
    );
    expect(() => meanPoolNormalize({ data: new Float32Array(3), batch: 1, seqLength: 1, dim: 2 }, [1])).toThrow(
      /expected/,
    );
    expect(() => meanPoolNormalize({ data: new Float32Array(4), batch: 1, seqLength: 2, dim: 2 }, [1])).toThrow(
      /attention mask holds 1 values, expected 1×2/,
    );
  });

  it('decodes float16 bits', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000]);
    const values = float16BitsToFloat32(bits);
    expect(values[0]).toBe(1);
    expect(values[1]).toBe(-2);
    expect(values[2]).toBeCloseTo(0.33325, 5);
    expect(values[3]).toBeCloseTo(5.96e-8, 9);
    expect(values[4]).toBe(Infinity);
    expect(values[5]).toBe(0);
  });
});

describe('decideMaxSeqLength', () => {
  it('prefers the override, then sentence_bert_config.json, the known table, model_max_length', () => {
    const base = { modelName: 'Xenova/all-MiniLM-L6-v2', modelMaxLength: 512, maxPositionEmbeddings: 512 };
    expect(decideMaxSeqLength({ ...base, override: 64 })).toEqual({ maxSeqLength: 64, source: 'MAX_SEQ_LENGTH' });
    expect(decideMaxSeqLength({ ...base, sentenceBertConfig: { max_seq_length: 128 } }).maxSeqLength).toBe(128);
    expect(decideMaxSeqLength(base)).toEqual({ maxSeqLength: 256, source: 'known model' });
    expect(decideMaxSeqLength({ ...base, modelName: 'someone/other-bert' })).toEqual({
      maxSeqLength: 512,
      source: 'model_max_length',
    });
    const m = { modelName: 'm' };
    expect(decideMaxSeqLength({ ...m, override: 64, sentenceBertConfig: { max_seq_length: 128 } }).maxSeqLength).toBe(64);
    expect(
      decideMaxSeqLength({ ...m, sentenceBertConfig: { max_seq_length: 128 }, modelMaxLength: 512 }),
    ).toEqual({ maxSeqLength: 128, source: 'sentence_bert_config.json' });
    expect(decideMaxSeqLength({ modelName: 'Xenova/all-MiniLM-L6-v2', modelMaxLength: 512 }).maxSeqLength).toBe(256);
    // The one table both runtimes read: a hub id and a bare folder name of the same model agree.
    expect(KNOWN_MAX_SEQ_LENGTH['all-MiniLM-L6-v2']).toBe(256);
    expect(decideMaxSeqLength({ modelName: 'all-MiniLM-L6-v2' }).maxSeqLength).toBe(256);
  });

  it('ignores the no-limit sentinel and falls back to the position table, or 512', () => {
    expect(decideMaxSeqLength({ modelName: 'm', modelMaxLength: 1e30, maxPositionEmbeddings: 256 })).toEqual({
      maxSeqLength: 256,
      source: 'default',
    });
    expect(decideMaxSeqLength({ modelName: 'm' })).toEqual({ maxSeqLength: 512, source: 'default' });
  });

  it('clamps to the position table, saying from what, and rejects a non-integer override', () => {
    expect(decideMaxSeqLength({ modelName: 'm', override: 1000, maxPositionEmbeddings: 512 })).toEqual({
      maxSeqLength: 512,
      source: 'MAX_SEQ_LENGTH',
      clampedFrom: 1000,
    });
    expect(
      decideMaxSeqLength({ modelName: 'm', sentenceBertConfig: { max_seq_length: 1024 }, maxPositionEmbeddings: 512 }),
    ).toEqual({ maxSeqLength: 512, source: 'sentence_bert_config.json', clampedFrom: 1024 });
    expect(() => decideMaxSeqLength({ modelName: 'm', override: 0 })).toThrow(/MAX_SEQ_LENGTH/);
    expect(() => decideMaxSeqLength({ modelName: 'm', override: 12.5 })).toThrow(/positive integer/);
  });
});

describe('readModelFamily', () => {
  const reader = (files: Record<string, unknown>) => async (file: string) => files[file];
  const modules = (...types: string[]) =>
    types.map((t, i) => ({ idx: i, name: String(i), path: t === 'Pooling' ? '1_Pooling' : t === 'Normalize' ? '2_Normalize' : '', type: `sentence_transformers.models.${t}` }));

  it('reads pooling, Normalize, prompts and do_lower_case the way sentence-transformers does', async () => {
    const family = await readModelFamily('BAAI/bge-small-en-v1.5', reader({
      'modules.json': modules('Transformer', 'Pooling', 'Normalize'),
      '1_Pooling/config.json': { pooling_mode_cls_token: true, pooling_mode_mean_tokens: false },
      'config_sentence_transformers.json': { prompts: { query: 'Represent this sentence: ' }, default_prompt_name: null },
      'sentence_bert_config.json': { max_seq_length: 512, do_lower_case: true },
    }));
    expect(family).toEqual({
      pooling: 'cls',
      normalize: true,
      prompts: { query: 'Represent this sentence: ' },
      doLowerCase: true,
      sentenceBertConfig: { max_seq_length: 512, do_lower_case: true },
      source: '1_Pooling/config.json',
    });
    // Only a query prompt: the feed stays symmetric (no prompt on either side).
    expect(feedPromptNames(family)).toEqual({});
    expect(familyKey(family)).toMatch(/^cls\+norm\+lower\+prompts-[0-9a-f]{8}$/);
  });

  it('a Normalize before the Pooling module does not normalise the sentence vector; pooling_mode as a name', async () => {
    const family = await readModelFamily('m', reader({
      'modules.json': modules('Transformer', 'Normalize', 'Pooling'),
      '1_Pooling/config.json': { pooling_mode: 'lasttoken' },
    }));
    expect(family).toMatchObject({ pooling: 'lasttoken', normalize: false });
  });

  it('without modules.json: the known original, else mean without normalisation', async () => {
    expect(await readModelFamily('Xenova/all-MiniLM-L6-v2', reader({}))).toMatchObject({ pooling: 'mean', normalize: true, source: 'known model' });
    expect(await readModelFamily('someone/bert', reader({}))).toMatchObject({ pooling: 'mean', normalize: false });
  });

  it('refuses, naming the file: no Pooling module, a missing pooling file, a module path outside the folder, a bad default prompt', async () => {
    await expect(readModelFamily('m', reader({ 'modules.json': modules('Transformer') }))).rejects.toThrow(
      'modules.json has no sentence_transformers.models.Pooling module',
    );
    await expect(readModelFamily('m', reader({ 'modules.json': modules('Transformer', 'Pooling') }))).rejects.toThrow(
      '1_Pooling/config.json is missing',
    );
    await expect(
      readModelFamily('m', reader({ 'modules.json': [{ path: '../x', type: 'sentence_transformers.models.Pooling' }] })),
    ).rejects.toThrow('outside the model folder');
    await expect(
      readModelFamily('m', reader({
        'modules.json': modules('Transformer', 'Pooling'),
        '1_Pooling/config.json': { pooling_mode_mean_tokens: true },
        'config_sentence_transformers.json': { prompts: { query: 'q: ' }, default_prompt_name: 'passage' },
      })),
    ).rejects.toThrow(UnsupportedModelError);
  });

  it('feed sides, prompted text and the key', () => {
    const e5 = { prompts: { query: 'query: ', passage: 'passage: ' } };
    expect(feedPromptNames(e5)).toEqual({ query: 'query', document: 'passage' });
    expect(feedPromptNames({ prompts: { query: 'q', document: 'd' } })).toEqual({ query: 'query', document: 'document' });
    expect(feedPromptNames({ prompts: { clustering: 'c: ' }, defaultPromptName: 'clustering' })).toEqual({
      query: 'clustering',
      document: 'clustering',
    });
    expect(promptedText(e5, 'x', 'query')).toBe('query: x');
    expect(promptedText(e5, 'x')).toBe('x');
    expect(promptedText({ prompts: { c: 'c: ' }, defaultPromptName: 'c' }, 'x')).toBe('c: x');
    expect(() => promptedText({ prompts: {} }, 'x', 'query')).toThrow('this model defines no prompts');
    const base = { pooling: 'mean' as const, normalize: true, doLowerCase: false };
    expect(familyKey({ ...base, prompts: {} })).toBe('mean+norm');
    expect(familyKey({ ...base, prompts: e5.prompts })).not.toBe(familyKey({ ...base, prompts: { query: 'query: ', passage: 'doc: ' } }));
  });
});

describe('poolTokens modes on a hand-made batch', () => {
  // batch 1, seq 3 (last position padding), dim 2.
  const hidden = { data: new Float32Array([1, -4, 3, 2, 99, 99]), batch: 1, seqLength: 3, dim: 2 };
  const mask = [1n, 1n, 0n];
  const pool = (pooling: PoolingMode) => Array.from(poolTokens(hidden, mask, { pooling, normalize: false })[0]!);
  it('cls, max, lasttoken, weightedmean, mean_sqrt_len', () => {
    expect(pool('cls')).toEqual([1, -4]);
    expect(pool('max')).toEqual([3, 2]);
    expect(pool('lasttoken')).toEqual([3, 2]);
    // weights 1 and 2: (1·1 + 3·2) / 3, (-4·1 + 2·2) / 3
    expect(pool('weightedmean')[0]).toBeCloseTo(7 / 3, 6);
    expect(pool('weightedmean')[1]).toBeCloseTo(0, 6);
    expect(pool('mean_sqrt_len')[0]).toBeCloseTo(4 / Math.SQRT2, 6);
  });
});
