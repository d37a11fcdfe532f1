/**
 * /api/v1/ml/*: embeddings, similarity, profile ranking (single and batch), health and info. Handlers
 * validate, call the MlService and shape the JSON; inference, caching and batching live behind MlService.
 */
import { Hono } from 'hono';
import { cosineSimilarity } from '../../shared/scoring';
import { float32ToBase64 } from '../../shared/base64';
import { rankRequestSchema } from '../../shared/api/feed';
import {
  embeddingBatchRequestSchema,
  embeddingRequestSchema,
  rankBatchRequestSchema,
  similarityBatchRequestSchema,
  similarityRequestSchema,
  type EmbeddingBatchResponse,
  type EmbeddingResponse,
  type MlHealth,
  type MlInfo,
  type RankBatchResponse,
  type RankResponseJson,
  type SimilarityBatchResponse,
  type SimilarityResponse,
} from '../../shared/api/ml';
import type { ServerDeps } from '../deps';
import { toRankRequest } from '../http/rank-input';
import { jsonBody } from '../http/validate';
import { VERSION } from '../http/version';
import type { RankOutcome } from '../ranking/ranking-service';

/** Routes `/ml/*` (embeddings, similarity, profile ranking, health, info), mounted under /api/v1. */
export function mlRoutes(deps: ServerDeps): Hono {
  const { config, ml, ranking } = deps;
  const app = new Hono();

  /** Model name and dimension for responses; only called after an embedding succeeded. */
  function modelFields(): { model: string; dimension: number } {
    const info = ml.info();
    return { model: info?.model ?? config.embeddingModel, dimension: info?.dimension ?? 0 };
  }

  app.post('/embeddings', jsonBody(embeddingRequestSchema(config)), async (c) => {
    const { text, prompt_name } = c.req.valid('json');
    const { vectors } = await ml.embedTexts([text], prompt_name ? { promptName: prompt_name } : {});
    const res: EmbeddingResponse = { embedding: Array.from(vectors[0]!), ...modelFields() };
    return c.json(res);
  });

  app.post('/embeddings/batch', jsonBody(embeddingBatchRequestSchema(config)), async (c) => {
    const { texts, encoding: asked, prompt_name } = c.req.valid('json');
    const encoding = asked ?? 'float';
    const { vectors, cached } = await ml.embedTexts(texts, prompt_name ? { promptName: prompt_name } : {});
    const embeddings = encoding === 'base64' ? vectors.map(float32ToBase64) : vectors.map((v) => Array.from(v));
    const res: EmbeddingBatchResponse = { embeddings, ...modelFields(), encoding, cached };
    return c.json(res);
  });

  app.post('/similarity', jsonBody(similarityRequestSchema(config)), async (c) => {
    const { a, b } = c.req.valid('json');
    const { vectors } = await ml.embedTexts([a, b]);
    const res: SimilarityResponse = { similarity: cosineSimilarity(vectors[0]!, vectors[1]!), model: modelFields().model };
    return c.json(res);
  });

  app.post('/similarity/batch', jsonBody(similarityBatchRequestSchema(config)), async (c) => {
    const { pairs } = c.req.valid('json');
    // embedTexts embeds each distinct text once, however often it appears.
    const { vectors } = await ml.embedTexts(pairs.flatMap((p) => [p.a, p.b]));
    const similarities = pairs.map((_, i) => cosineSimilarity(vectors[2 * i]!, vectors[2 * i + 1]!));
    const res: SimilarityBatchResponse = { similarities, model: modelFields().model };
    return c.json(res);
  });

  /** The rank response shape of one ranking outcome (ids instead of full profiles). */
  function rankResponse(ranked: RankOutcome): RankResponseJson {
    const { results, model, ml_applied, pending_candidates, ml_unavailable } = ranked;
    return {
      results: results.map((r) => ({
        profile_id: r.profile.id,
        score: r.score,
        breakdown: r.breakdown,
        ...(r.because !== undefined ? { because: r.because } : {}),
      })),
      model,
      ml_applied,
      pending_candidates,
      ...(ml_unavailable !== undefined ? { ml_unavailable } : {}),
    };
  }

  app.post('/profiles/rank', jsonBody(rankRequestSchema(config)), async (c) => {
    const [ranked] = await ranking.rank([toRankRequest(c.req.valid('json'), '')]);
    return c.json(rankResponse(ranked!));
  });

  // The schema validates every request before any runs, so a bad item fails the call without partial work.
  app.post('/profiles/rank/batch', jsonBody(rankBatchRequestSchema(config)), async (c) => {
    const requests = c.req.valid('json').requests.map((r, i) => toRankRequest(r, `requests[${i}]`));
    const res: RankBatchResponse = { results: (await ranking.rank(requests)).map(rankResponse) };
    return c.json(res);
  });

  app.get('/health', async (c) => {
    const [health, pending] = await Promise.all([ml.health(), ranking.pendingEmbeddings()]);
    const res: MlHealth = { ...health, pending_embeddings: pending };
    return c.json(res, health.status === 'unavailable' || health.status === 'loading' ? 503 : 200);
  });

  app.get('/info', async (c) => {
    const info = ml.info();
    const res: MlInfo = {
      ml_available: ml.available(),
      model: info?.model ?? config.embeddingModel,
      model_key: info?.modelKey ?? null,
      dimension: info?.dimension ?? null,
      dtype: info?.dtype ?? config.embeddingDtype,
      device: info?.device ?? null,
      max_seq_length: info?.maxSeqLength ?? config.maxSeqLength ?? null,
      max_batch_size: config.maxBatchSize,
      max_text_bytes: config.maxTextBytes,
      max_body_bytes: config.maxBodyBytes,
      max_import_batch: config.maxImportBatch,
      max_queue_size: config.maxQueueSize,
      dynamic_batching: config.dynamicBatching,
      batch_window_ms: config.batchWindowMs,
      auto_truncate: true,
      pending_embeddings: await ranking.pendingEmbeddings(),
      version: VERSION,
    };
    return c.json(res);
  });

  return app;
}
