/**
 * fp32 vs q8 in Node, on the MiniLM-shaped generated model (`npm run model:bench`: 6 × 384, 30k vocabulary,
 * random weights, and a q8 file built the way onnxruntime's quantize_dynamic builds one), measured in one run:
 * - throughput: batched short (~20 tokens) and long (~200 tokens) texts, and one text per call (the query);
 * - download: the two model files' sizes;
 * - agreement on 64 demo profiles: cosine of each text's q8 vector to its fp32 vector, and whether each
 *   text's 10 nearest neighbours (ranked by the shared ranker, similarity only) are the same under both.
 * Input to the default-dtype decision (issue 12 item 5; the browser side is bench/browser.ts). Random weights
 * make the agreement figures a property of quantising this architecture, not of a trained model's geometry.
 * Run: `npx tsx bench/dtype.ts`.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureModel } from '../scripts/model/generate';
import { createNodeEmbedder, type NodeEmbedder } from '../server/embedder/node-embedder';
import { demoProfiles } from '../server/data/demo-profiles';
import { profileToText } from '../shared/profile-text';
import { cosineSimilarity, packCandidates, rankCandidates } from '../shared/scoring';
import { compare, textsOfTokens } from './embed';

export interface DtypeBench {
  /** Embeddings per second, fp32 and q8, and q8 / fp32. */
  throughput: Record<'short' | 'long' | 'query', { fp32: number; q8: number; ratio: number }>;
  bytes: { fp32: number; q8: number; ratio: number };
  cosine: { min: number; mean: number };
  /** Mean share of the fp32 top-10 neighbours also in the q8 top-10; texts whose top-10 is identical in order. */
  neighbours: { overlap: number; sameOrder: number; texts: number };
}

/** Each text's 10 nearest other texts, by the shared ranker on similarity alone. */
function nearest(vectors: Float32Array[], ids: string[]): string[][] {
  const matrix = packCandidates(vectors.map((vector, i) => ({ id: ids[i] as string, vector, diligence: 0, engagement: 0 })));
  const similarityOnly = { similarity: 1, diligence: 0, engagement: 0 };
  return vectors.map((v, i) =>
    rankCandidates(v, matrix, { weights: similarityOnly, limit: 10, excludeIds: [ids[i] as string] }).results.map((r) => r.id),
  );
}

export async function main(): Promise<DtypeBench> {
  const modelDir = ensureModel('minilm').dir;
  const load = async (dtype: 'fp32' | 'q8'): Promise<NodeEmbedder> =>
    (await createNodeEmbedder({ model: modelDir, dtype, device: 'cpu' })).embedder;
  const fp32 = await load('fp32');
  const q8 = await load('q8');
  const size = (file: string) => statSync(path.join(modelDir, 'onnx', file)).size;
  const bytes = { fp32: size('model.onnx'), q8: size('model_quantized.onnx'), ratio: 0 };
  bytes.ratio = bytes.q8 / bytes.fp32;

  const throughput = {} as DtypeBench['throughput'];
  for (const [label, tokens, count] of [
    ['short', 20, 96],
    ['long', 200, 24],
    ['query', 20, 32],
  ] as const) {
    const texts = await textsOfTokens(fp32, tokens, count);
    const one = label === 'query';
    const run = (e: NodeEmbedder) => async () => {
      if (!one) return e.embed(texts);
      for (const t of texts) await e.embed([t]);
    };
    const r = await compare(count, { fp32: run(fp32), q8: run(q8) });
    throughput[label] = { fp32: r.fp32 as number, q8: r.q8 as number, ratio: (r.q8 as number) / (r.fp32 as number) };
  }

  const profiles = demoProfiles(64);
  const texts = profiles.map(profileToText);
  const ids = profiles.map((p) => p.id);
  const [v32, v8] = [await fp32.embed(texts), await q8.embed(texts)];
  const cosines = v32.map((v, i) => cosineSimilarity(v, v8[i] as Float32Array));
  const n32 = nearest(v32, ids);
  const n8 = nearest(v8, ids);
  let overlap = 0;
  let sameOrder = 0;
  n32.forEach((a, i) => {
    const b = n8[i] as string[];
    overlap += a.filter((id) => b.includes(id)).length / a.length;
    if (a.join() === b.join()) sameOrder++;
  });
  await fp32.dispose();
  await q8.dispose();

  const result: DtypeBench = {
    throughput,
    bytes,
    cosine: { min: Math.min(...cosines), mean: cosines.reduce((s, c) => s + c, 0) / cosines.length },
    neighbours: { overlap: overlap / texts.length, sameOrder, texts: texts.length },
  };
  report(result);
  return result;
}

function report(r: DtypeBench): void {
  const f = (x: number) => x.toFixed(1);
  const line = (label: string, t: { fp32: number; q8: number; ratio: number }) =>
    `  ${label.padEnd(34)} fp32 ${f(t.fp32).padStart(7)} emb/s, q8 ${f(t.q8).padStart(7)} emb/s → q8/fp32 = ${t.ratio.toFixed(2)}x`;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(
    `dtype bench: MiniLM-shaped generated model in onnxruntime-node (CPU), same run\n` +
      `${line('short, batched (~20 tokens, 96)', r.throughput.short)}\n` +
      `${line('long, batched (~200 tokens, 24)', r.throughput.long)}\n` +
      `${line('query, one text per call (32)', r.throughput.query)}\n` +
      `  download                           fp32 ${mb(r.bytes.fp32)}, q8 ${mb(r.bytes.q8)} → q8/fp32 = ${r.bytes.ratio.toFixed(2)}x\n` +
      `  cosine(q8, fp32), 64 demo profiles min ${r.cosine.min.toFixed(5)}, mean ${r.cosine.mean.toFixed(5)}\n` +
      `  top-10 neighbours, 64 texts        ${(r.neighbours.overlap * 100).toFixed(1)}% shared, ` +
      `${r.neighbours.sameOrder}/${r.neighbours.texts} identical in order`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
