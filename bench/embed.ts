/**
 * Node embedding throughput on the MiniLM-shaped generated model (6×384, 30k vocabulary, random weights, so
 * speed means what it would with all-MiniLM-L6-v2). Everything is compared within this one run:
 *  - one call per text (batch 1) vs one call for all texts (the batched path), short (~20) and long (~200 tokens);
 *  - the engine vs raw onnxruntime-node on the same pre-tokenised batches (the pipeline's own overhead);
 *  - length-sorted vs unsorted batch plans on mixed lengths, and the token budget for long texts.
 * Medians of several alternating rounds. Absolute figures depend on the machine and its load; read the ratios.
 *
 * Run: npx tsx bench/embed.ts   (generates the model like `npm run model:bench` when it is missing)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createNodeEmbedder, type NodeEmbedder } from '../server/embedder/node-embedder';
import { planBatches } from '../shared/embedding/batch-plan';
import { padBatch } from '../shared/embedding/pad-batch';
import { ensureModel } from '../scripts/model/generate';
import { median } from './support/stats';
import { sentence } from './support/texts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);


/** `count` texts of about `tokens` tokens each (special tokens included), sized with the real tokenizer. */
export async function textsOfTokens(embedder: NodeEmbedder, tokens: number, count: number): Promise<string[]> {
  const [probe] = await embedder.countTokens([sentence(100, 1)]);
  const perWord = ((probe ?? 102) - 2) / 100;
  const words = Math.max(1, Math.round((tokens - 2) / perWord));
  return Array.from({ length: count }, (_, i) => sentence(words + (i % 3) - 1, i + 1));
}


async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

/**
 * Median embeddings/s of each variant, measured in alternating rounds (the starting variant rotates each
 * round) so drift and neighbours' load hit them alike.
 */
export async function compare(
  count: number,
  variants: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const run of Object.values(variants)) await run(); // warm-up
  const entries = Object.entries(variants);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < entries.length; k++) {
      const [name, run] = entries[(round + k) % entries.length]!;
      samples[name]!.push(count / (await timed(run)));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Raw onnxruntime-node on the engine's own batch plan: tokenisation done beforehand, pooling left out. */
async function rawOrt(session: ort.InferenceSession, rows: number[][], maxBatchSize: number, maxBatchTokens: number) {
  const plan = planBatches(
    rows.map((r) => r.length),
    { maxBatchSize, maxBatchTokens },
  );
  const prepared = plan.map((batch) => {
    // The engine's own padding, so only the session run differs from the engine's path.
    const padded = padBatch(
      batch.map((index) => ({ ids: rows[index]!, typeIds: undefined })),
      0,
    );
    const dims = [padded.batch, padded.seqLength];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', padded.inputIds, dims),
      attention_mask: new ort.Tensor('int64', padded.attentionMask, dims),
      token_type_ids: new ort.Tensor('int64', padded.tokenTypeIds, dims),
    };
    return Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]!]));
  });
  return async () => {
    for (const feeds of prepared) await session.run(feeds);
  };
}

const fmt = (x: number) => x.toFixed(1);

export async function main(): Promise<void> {
  // Same as `npm run model:bench`: generates the model when missing or stale, a no-op otherwise.
  const modelDir = ensureModel('minilm').dir;
  const { embedder } = await createNodeEmbedder({ model: modelDir, dtype: 'fp32', device: 'cpu' });
  const { maxBatchSize, maxBatchTokens } = embedder.limits;
  console.log(
    `embed bench: ${embedder.info.model} fp32 on ${embedder.info.device}, dim ${embedder.info.dimension}, ` +
      `max_seq_length ${embedder.info.maxSeqLength}, batches ≤ ${maxBatchSize} texts and ≤ ${maxBatchTokens} ` +
      `padded tokens; medians of ${ROUNDS} rounds; shared/noisy machine: read the ratios, not the absolute figures`,
  );

  const session = await ort.InferenceSession.create(path.join(modelDir, 'onnx', 'model.onnx'));
  for (const [label, tokens, count] of [
    ['short', 20, 96],
    ['long', 200, 24],
  ] as const) {
    const texts = await textsOfTokens(embedder, tokens, count);
    const lengths = await embedder.countTokens(texts);
    const rows = embedder.tokenIds(texts);
    const raw = await rawOrt(session, rows, maxBatchSize, maxBatchTokens);
    const result = await compare(count, {
      batch1: async () => {
        for (const text of texts) await embedder.embed([text]);
      },
      batched: () => embedder.embed(texts),
      rawOrt: raw,
    });
    const meanTokens = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    console.log(
      `${label.padEnd(5)} (~${meanTokens.toFixed(0)} tokens, ${count} texts): batch 1 ${fmt(result.batch1!)} emb/s, ` +
        `batched ${fmt(result.batched!)} emb/s → batched/batch1 = ${(result.batched! / result.batch1!).toFixed(2)}x; ` +
        `raw ORT ${fmt(result.rawOrt!)} emb/s → engine/raw = ${(result.batched! / result.rawOrt!).toFixed(2)}`,
    );
  }

  // Mixed lengths: does sorting by length pay? Same texts, same limits, only the order in the plan differs.
  const mixed = Array.from({ length: 64 }, (_, i) => sentence(i % 4 === 0 ? 180 : 8 + (i % 5) * 4, i + 7));
  const engines: Record<string, NodeEmbedder> = {};
  for (const order of ['longest-first', 'shortest-first', 'input-order'] as const) {
    engines[order] = (
      await createNodeEmbedder({ model: modelDir, dtype: 'fp32', device: 'cpu', lengthOrder: order })
    ).embedder;
  }
  const orders = await compare(
    mixed.length,
    Object.fromEntries(Object.entries(engines).map(([order, engine]) => [order, () => engine.embed(mixed)])),
  );
  console.log(
    `mixed (64 texts, 1 in 4 of ~200 tokens): longest-first ${fmt(orders['longest-first']!)} emb/s, ` +
      `shortest-first ${fmt(orders['shortest-first']!)}, unsorted ${fmt(orders['input-order']!)} → ` +
      `sorted/unsorted = ${(orders['longest-first']! / orders['input-order']!).toFixed(2)}x`,
  );

  for (const engine of Object.values(engines)) await engine.dispose();

  // Long texts by token budget: attention memory grows with batch × length², so past some budget a bigger
  // batch of long texts is slower, not faster. This picks the default (8192).
  const long = await textsOfTokens(embedder, 200, 32);
  const budgets = [1024, 2048, 4096, 8192];
  const byBudget: Record<string, NodeEmbedder> = {};
  for (const budget of budgets) {
    byBudget[budget] = (
      await createNodeEmbedder({ model: modelDir, dtype: 'fp32', device: 'cpu', maxBatchTokens: budget })
    ).embedder;
  }
  const budgetRates = await compare(
    long.length,
    Object.fromEntries(Object.entries(byBudget).map(([budget, engine]) => [budget, () => engine.embed(long)])),
  );
  const base = budgetRates['1024']!;
  console.log(
    `long (32 texts of ~200 tokens) by maxBatchTokens: ` +
      budgets.map((b) => `${b}: ${fmt(budgetRates[b]!)} emb/s (${(budgetRates[b]! / base).toFixed(2)}x)`).join(', '),
  );
  for (const engine of Object.values(byBudget)) await engine.dispose();
  await embedder.dispose();
  await session.release();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
