/**
 * /api/v1/ml/*: embeddings, similarity, profile ranking (single and batch), health and info. Handlers
 * validate, call the MlService and shape the JSON; inference, caching and batching live behind MlService.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import { cosineSimilarity } from '../../shared/scoring';
import { recommend } from '../../shared/recommend/recommend';
import { float32ToBase64 } from '../../shared/base64';
import {
  DEFAULT_RANK_LIMIT,
  embeddingBatchRequestSchema,
  embeddingRequestSchema,
  rankBatchRequestSchema,
  rankRequestSchema,
  similarityBatchRequestSchema,
  similarityRequestSchema,
  type EmbeddingBatchResponse,
  type EmbeddingResponse,
  type MlInfo,
  type RankBatchResponse,
  type RankResponseJson,
  type SimilarityBatchResponse,
  type SimilarityResponse,
} from '../../shared/api/ml';
import type { Profile, RankWeights } from '../../shared/types';
import type { ServerDeps } from '../deps';
import { requireStoredProfile, toRankCandidates } from '../http/rank-input';
import { recommendOptions, type RecommendFieldsJson } from '../http/recommend-input';
import { jsonBody } from '../http/validate';
import { VERSION } from '../http/version';

interface RankRequest {
  profileId?: string;
  /** Where `profileId` sits in the request, for a 404's message (`profile_id`, `requests[2].profile_id`). */
  profileIdField: string;
  profile?: Profile;
  candidateIds?: string[];
  limit: number;
  weights?: Partial<RankWeights>;
  /** interactions, diversity, group_decay, freshness, now. */
  recommend: RecommendFieldsJson;
}

/** A parsed rank request body (or batch item); `field` is where it sits in the request ('' for the body). */
function rankRequest(body: z.output<ReturnType<typeof rankRequestSchema>>, field: string): RankRequest {
  return {
    profileId: body.profile_id ?? undefined,
    profileIdField: field ? `${field}.profile_id` : 'profile_id',
    profile: body.profile ?? undefined,
    candidateIds: body.candidate_ids ?? undefined,
    limit: body.limit ?? DEFAULT_RANK_LIMIT,
    weights: body.weights ?? undefined,
    recommend: body,
  };
}

/** Routes `/ml/*` (embeddings, similarity, profile ranking, health, info), mounted under /api/v1. */
export function mlRoutes(deps: ServerDeps): Hono {
  const { config, ml, store } = deps;
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

  /** The request with its query profile found (404 when a `profile_id` is unknown) and its candidates read. */
  async function resolve(req: RankRequest): Promise<{ req: RankRequest; query: Profile; candidates: Profile[] }> {
    const query =
      req.profileId !== undefined ? await requireStoredProfile(store, req.profileId, req.profileIdField) : req.profile!;
    const candidates = (await store.list(req.candidateIds)).filter((p) => p.id !== query.id);
    return { req, query, candidates };
  }

  /**
   * Ranks requests together. Their vectors are fetched in one pass: each distinct candidate once through the
   * profile cache, the queries through `queryVectors` (stored ones through the same cache, unless the model
   * embeds queries with their own prompt; inline ones through the text cache). Per
   * request, a batch on a cold cache would submit every candidate again, fill the inference queue with its
   * own duplicates and answer 429.
   */
  async function rankAll(reqs: readonly RankRequest[]): Promise<RankResponseJson[]> {
    const resolved = await Promise.all(reqs.map(resolve));

    // Read once: every request of the call ranks the same way, with similarity or without.
    const mlOn = ml.available();
    const vectorById = new Map<string, Float32Array>();
    const queryVectors: Float32Array[] = [];
    if (mlOn) {
      const stored = new Map<string, Profile>();
      for (const { candidates } of resolved) for (const p of candidates) if (!stored.has(p.id)) stored.set(p.id, p);
      const profiles = [...stored.values()];
      // Queries are the query side (the query prompt, for a model that has one), candidates the document side.
      const [profileVectors, queries] = await Promise.all([
        profiles.length > 0 ? ml.profileVectors(profiles) : Promise.resolve([]),
        ml.queryVectors(resolved.map(({ req, query }) => ({ profile: query, stored: req.profileId !== undefined }))),
      ]);
      profiles.forEach((p, i) => vectorById.set(p.id, profileVectors[i]!));
      queryVectors.push(...queries);
    }

    return resolved.map(({ req, candidates }, index) => {
      const queryVector = mlOn ? queryVectors[index]! : null;
      const vectors = mlOn ? candidates.map((p) => vectorById.get(p.id)!) : undefined;
      const ranked = recommend(queryVector, toRankCandidates(candidates, vectors), {
        weights: { ...config.weights, ...req.weights },
        limit: req.limit,
        ...recommendOptions(req.recommend, config.taste, candidates),
      });
      return {
        results: ranked.results.map((r) => ({
          profile_id: r.id,
          score: r.score,
          breakdown: r.breakdown,
          ...(r.because !== undefined ? { because: r.because } : {}),
        })),
        model: ranked.ml_applied ? (ml.info()?.model ?? null) : null,
        ml_applied: ranked.ml_applied,
      };
    });
  }

  app.post('/profiles/rank', jsonBody(rankRequestSchema(config)), async (c) => {
    const [res] = await rankAll([rankRequest(c.req.valid('json'), '')]);
    return c.json(res!);
  });

  // The schema validates every request before any runs, so a bad item fails the call without partial work.
  app.post('/profiles/rank/batch', jsonBody(rankBatchRequestSchema(config)), async (c) => {
    const requests = c.req.valid('json').requests.map((r, i) => rankRequest(r, `requests[${i}]`));
    const results = await rankAll(requests);
    const res: RankBatchResponse = { results };
    return c.json(res);
  });

  app.get('/health', async (c) => {
    const health = await ml.health();
    return c.json(health, health.status === 'unavailable' ? 503 : 200);
  });

  app.get('/info', (c) => {
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
      max_queue_size: config.maxQueueSize,
      dynamic_batching: config.dynamicBatching,
      batch_window_ms: config.batchWindowMs,
      auto_truncate: true,
      version: VERSION,
    };
    return c.json(res);
  });

  return app;
}
