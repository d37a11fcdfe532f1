/**
 * The generated model: deterministic output, the stamp that makes regeneration free, and that the files are a
 * real, loadable BERT encoder (onnxruntime-node sessions, transformers.js tokenizer and pipeline) whose
 * mean-pooled vectors behave sensibly (q8 close to fp32, shared words → higher similarity, masks respected).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env, pipeline, type PreTrainedTokenizer } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILES, STAMP_FILE, ensureModel, writeModelFolder } from '../scripts/model/generate';
import { MODEL_SIZES } from '../scripts/model/sizes';
import { SPECIAL_IDS } from '../scripts/model/vocab';
import { ensureTestModel, testModelDir } from './support/model-path';

const SIZE = MODEL_SIZES.test;
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-model-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(testModelDir(), file), 'utf8')) as Record<string, unknown>;
}

describe('generation', () => {
  it('writes byte-identical files on every run', () => {
    const a = tempDir();
    const b = tempDir();
    writeModelFolder(SIZE, a);
    writeModelFolder(SIZE, b);
    for (const file of MODEL_FILES) {
      const left = readFileSync(path.join(a, file));
      expect(left.length, file).toBeGreaterThan(0);
      expect(left.equals(readFileSync(path.join(b, file))), file).toBe(true);
    }
  });

  it('keeps the test model folder small enough to generate in every test run', () => {
    const total = MODEL_FILES.reduce((sum, f) => sum + readFileSync(path.join(ensureTestModel(), f)).length, 0);
    expect(total).toBeLessThan(2.2 * 1024 * 1024);
  });

  it('skips generation while the stamp matches and regenerates when it does not', () => {
    const dir = path.join(tempDir(), 'model');
    expect(ensureModel('test', { dir }).generated).toBe(true);
    const onnxBefore = readFileSync(path.join(dir, 'onnx/model.onnx'));

    const skipped = ensureModel('test', { dir });
    expect(skipped.generated).toBe(false);

    writeFileSync(path.join(dir, STAMP_FILE), JSON.stringify({ hash: 'stale' }));
    expect(ensureModel('test', { dir }).generated).toBe(true);

    rmSync(path.join(dir, 'onnx/model_quantized.onnx'));
    expect(ensureModel('test', { dir }).generated).toBe(true);
    expect(readFileSync(path.join(dir, 'onnx/model.onnx')).equals(onnxBefore)).toBe(true);
    expect(ensureModel('test', { dir, force: true }).generated).toBe(true);
  });
});

describe('Hugging Face layout', () => {
  beforeAll(() => {
    ensureTestModel();
  });

  it('describes a BERT encoder whose sizes match the ONNX graph', async () => {
    const config = readJson('config.json');
    expect(config).toMatchObject({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: SIZE.hiddenSize,
      num_hidden_layers: SIZE.numLayers,
      num_attention_heads: SIZE.numHeads,
      intermediate_size: SIZE.intermediateSize,
      vocab_size: SIZE.vocabSize,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      hidden_act: 'gelu',
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
    });
    const vocab = (readJson('tokenizer.json').model as { vocab: Record<string, number> }).vocab;
    expect(Object.keys(vocab)).toHaveLength(SIZE.vocabSize);
    expect(Math.max(...Object.values(vocab))).toBe(SIZE.vocabSize - 1);
    expect(vocab['[PAD]']).toBe(0);
    expect(vocab['[UNK]']).toBe(100);
    expect(vocab['[CLS]']).toBe(101);
    expect(vocab['[SEP]']).toBe(102);
    expect(vocab['[MASK]']).toBe(103);
  });

  it('truncates at max_seq_length 128 for sentence-transformers but declares model_max_length 512', () => {
    expect(readJson('sentence_bert_config.json')).toEqual({ max_seq_length: 128, do_lower_case: false });
    expect(readJson('tokenizer_config.json')).toMatchObject({ model_max_length: 512, tokenizer_class: 'BertTokenizer', do_lower_case: true });
    expect(readJson('1_Pooling/config.json')).toMatchObject({ word_embedding_dimension: SIZE.hiddenSize, pooling_mode_mean_tokens: true });
  });
});

interface Encoded {
  ids: bigint[][];
  mask: bigint[][];
  types: bigint[][];
}

function toTensors(e: Encoded): Record<string, ort.Tensor> {
  const dims = [e.ids.length, e.ids[0]!.length];
  const flat = (rows: bigint[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat()), dims);
  return { input_ids: flat(e.ids), attention_mask: flat(e.mask), token_type_ids: flat(e.types) };
}

/** Masked mean pooling + L2 normalisation, written out independently of transformers.js. */
function meanPool(hidden: ort.Tensor, mask: bigint[][]): Float32Array[] {
  const [batch, seq, dim] = hidden.dims as [number, number, number];
  const data = hidden.data as Float32Array;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (mask[b]![s] === 0n) continue;
      count++;
      for (let d = 0; d < dim; d++) v[d]! += data[(b * seq + s) * dim + d]!;
    }
    const norm = Math.hypot(...v.map((x) => x / count));
    out.push(v.map((x) => x / count / norm));
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

describe('inference', () => {
  let tokenizer: PreTrainedTokenizer;
  const sessions: Partial<Record<'fp32' | 'q8', ort.InferenceSession>> = {};

  function encode(texts: string[]): Encoded {
    const out = tokenizer(texts, { padding: true, truncation: true });
    const rows = (t: { tolist(): unknown } | undefined): bigint[][] => {
      if (t === undefined) throw new Error('the tokenizer emitted no token_type_ids');
      return t.tolist() as bigint[][];
    };
    return { ids: rows(out.input_ids), mask: rows(out.attention_mask), types: rows(out.token_type_ids) };
  }

  async function embed(dtype: 'fp32' | 'q8', texts: string[]): Promise<Float32Array[]> {
    const e = encode(texts);
    const result = await sessions[dtype]!.run(toTensors(e));
    return meanPool(result.last_hidden_state!, e.mask);
  }

  beforeAll(async () => {
    const dir = ensureTestModel();
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${path.dirname(dir)}/`;
    tokenizer = await AutoTokenizer.from_pretrained(path.basename(dir));
    sessions.fp32 = await ort.InferenceSession.create(path.join(dir, 'onnx/model.onnx'));
    sessions.q8 = await ort.InferenceSession.create(path.join(dir, 'onnx/model_quantized.onnx'));
  });

  it.each(['fp32', 'q8'] as const)('%s loads with the all-MiniLM-L6-v2 interface', async (dtype) => {
    const session = sessions[dtype]!;
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    for (const input of session.inputMetadata) {
      expect(input).toMatchObject({ isTensor: true, type: 'int64', shape: ['batch_size', 'sequence_length'] });
    }
    expect(session.outputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch_size', 'sequence_length', SIZE.hiddenSize] });

    const e = encode(['a founder', 'an investor backing climate startups in europe']);
    const out = (await session.run(toTensors(e))).last_hidden_state!;
    expect(out.type).toBe('float32');
    expect(out.dims).toEqual([2, e.ids[0]!.length, SIZE.hiddenSize]);
    expect((out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('tokenizes English with [CLS]/[SEP], lowercasing, WordPiece pieces and token type ids', () => {
    const e = encode(['Fintech Investors', 'hello']);
    expect(e.ids[0]![0]).toBe(BigInt(SPECIAL_IDS.cls));
    expect(e.ids[0]!.at(-1)).toBe(BigInt(SPECIAL_IDS.sep));
    expect(e.ids[1]).toEqual([BigInt(SPECIAL_IDS.cls), expect.any(BigInt), BigInt(SPECIAL_IDS.sep), 0n]);
    expect(e.mask[1]).toEqual([1n, 1n, 1n, 0n]);
    expect(e.types.flat().every((t) => t === 0n)).toBe(true);
    expect(tokenizer.tokenize('Fintech founders raising a seed round')).toEqual(['fintech', 'founders', 'raising', 'a', 'seed', 'round']);
    const pieces = tokenizer.tokenize('Zürich quokkas');
    expect(pieces[0]).toBe('zurich');
    expect(pieces.slice(1).every((p, i) => (i === 0 ? p === 'q' || !p.startsWith('##') : p.startsWith('##')))).toBe(true);
    expect(tokenizer.tokenize('naïve')).not.toContain('[UNK]');
  });

  it('masks padding: a padded row equals the same text run alone, and ignoring the mask would change it', async () => {
    const long = 'marine biologist studying coral reefs and ocean conservation';
    const short = 'seed investor';
    const padded = encode([long, short]);
    const alone = encode([short]);
    const session = sessions.fp32!;
    const batched = (await session.run(toTensors(padded))).last_hidden_state!;
    const single = (await session.run(toTensors(alone))).last_hidden_state!;
    const dim = SIZE.hiddenSize;
    const seq = padded.ids[0]!.length;
    const realTokens = alone.ids[0]!.length;
    const b = batched.data as Float32Array;
    const s = single.data as Float32Array;
    let maxDiff = 0;
    for (let t = 0; t < realTokens; t++) {
      for (let d = 0; d < dim; d++) maxDiff = Math.max(maxDiff, Math.abs(b[(seq + t) * dim + d]! - s[t * dim + d]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);

    // Attention matters: with the padding unmasked, the short text's tokens attend to [PAD] and move.
    const unmasked = { ...padded, mask: padded.mask.map((row) => row.map(() => 1n)) };
    const wrong = (await session.run(toTensors(unmasked))).last_hidden_state!.data as Float32Array;
    let moved = 0;
    for (let t = 0; t < realTokens; t++) {
      for (let d = 0; d < dim; d++) moved = Math.max(moved, Math.abs(wrong[(seq + t) * dim + d]! - s[t * dim + d]!));
    }
    expect(moved).toBeGreaterThan(1e-2);
  });

  const TEXTS = [
    'fintech investor backing seed startups',
    'seed investor in fintech companies',
    'marine biologist studying coral reefs',
    'machine learning engineer building AI infrastructure',
    'product designer who loves user research',
    'climate founder working on grid batteries',
  ];

  it('q8 mean-pooled vectors stay within cosine 0.99 of fp32', async () => {
    const full = await embed('fp32', TEXTS);
    const quant = await embed('q8', TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(cosine(full[i]!, quant[i]!), TEXTS[i]).toBeGreaterThan(0.99);
  });

  it.each(['fp32', 'q8'] as const)('%s: texts sharing words are clearly closer than unrelated ones', async (dtype) => {
    const [fintech, seedInvestor, marine, ml, designer, climate] = await embed(dtype, TEXTS);
    const related = cosine(fintech!, seedInvestor!);
    for (const unrelated of [marine!, ml!, designer!, climate!]) {
      expect(related - cosine(fintech!, unrelated)).toBeGreaterThan(0.2);
    }
    expect(cosine(marine!, seedInvestor!)).toBeLessThan(related - 0.2);
  });

  it('q8 quantizes activations per batch (as quantize_dynamic exports do): batching moves vectors only slightly', async () => {
    const texts = [TEXTS[0]!, `${TEXTS[2]!} and ocean conservation across the pacific with long field seasons`];
    const batched = await embed('q8', texts);
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await embed('q8', [texts[i]!]);
      expect(cosine(alone!, batched[i]!)).toBeGreaterThan(0.999);
    }
  });

  it('accepts sequences up to max_position_embeddings (512 tokens)', async () => {
    const ids = [[BigInt(SPECIAL_IDS.cls), ...Array.from({ length: 510 }, (_, i) => BigInt(1000 + i)), BigInt(SPECIAL_IDS.sep)]];
    const e: Encoded = { ids, mask: ids.map((r) => r.map(() => 1n)), types: ids.map((r) => r.map(() => 0n)) };
    const out = (await sessions.fp32!.run(toTensors(e))).last_hidden_state!;
    expect(out.dims).toEqual([1, 512, SIZE.hiddenSize]);
    expect((out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('inflected forms sit near their stem', async () => {
    const [founder, founders, cook] = await embed('fp32', ['founder', 'founders', 'cook']);
    expect(cosine(founder!, founders!)).toBeGreaterThan(cosine(founder!, cook!) + 0.2);
  });

  it.each(['fp32', 'q8'] as const)('transformers.js feature-extraction loads dtype %s and matches the direct session', async (dtype) => {
    const extractor = await pipeline('feature-extraction', path.basename(testModelDir()), { dtype, device: 'cpu' });
    try {
      const output = await extractor(TEXTS.slice(0, 3), { pooling: 'mean', normalize: true });
      const rows = output.tolist() as number[][];
      const direct = await embed(dtype, TEXTS.slice(0, 3));
      for (let i = 0; i < rows.length; i++) {
        const maxDiff = Math.max(...rows[i]!.map((x, d) => Math.abs(x - direct[i]![d]!)));
        expect(maxDiff).toBeLessThan(1e-5);
      }
    } finally {
      await extractor.dispose();
    }
  });
});
