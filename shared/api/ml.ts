/**
 * /api/v1/ml/*: embeddings, similarity, profile ranking (single and batch), health and info. Request schemas
 * are built with the server's limits (`max_batch_size`, `max_text_bytes`, the configured weights), the same
 * values /ml/info reports.
 */
import { z } from 'zod';
import { batch, oneOf, rule, text, type RequestLimits } from './common';
import { becauseSchema, rankRequestSchema, rankStatusFields, scoreBreakdownSchema, type RankLimits } from './feed';


/** How `POST /ml/embeddings/batch` encodes its vectors. */
export const EMBEDDING_ENCODINGS = ['float', 'base64'] as const;

/** An object body; `what` is the message for anything else. */
function body<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: rule('must be a JSON object') });
}

// ---------------------------------------------------------------------------------------------- embeddings

/** Body of `POST /ml/embeddings`. */
export function embeddingRequestSchema(limits: RequestLimits) {
  return body({ text: text(limits.maxTextBytes), prompt_name: promptName() });
}

/**
 * `prompt_name`: one of the model's prompts (config_sentence_transformers.json), prepended to each text as
 * sentence-transformers does. Which names exist depends on the loaded model, so the service checks that (422).
 */
function promptName() {
  return z
    .string()
    .min(1)
    .max(100)
    .nullish()
    .meta({
      description:
        "One of the model's prompts, e.g. `query` or `passage` for E5-style models (default: the model's default prompt, if any).",
    });
}

/** Response of `POST /ml/embeddings`. */
export const embeddingResponseSchema = z.object({
  embedding: z
    .array(z.number())
    .meta({ description: "The vector, pooled (and normalised) as the model's sentence-transformers configuration says." }),
  model: z.string().meta({ description: 'Hub id or folder name of the model that computed it.' }),
  dimension: z.number().int().meta({ description: 'Length of `embedding`.' }),
});

/** Body of `POST /ml/embeddings/batch`. */
export function embeddingBatchRequestSchema(limits: RequestLimits) {
  return body({
    texts: batch(text(limits.maxTextBytes), limits.maxBatchSize),
    encoding: oneOf(EMBEDDING_ENCODINGS)
      .nullish()
      .meta({ description: '`float` (default): arrays of numbers; `base64`: little-endian float32, for bandwidth.' }),
    prompt_name: promptName(),
  });
}

/** Response of `POST /ml/embeddings/batch`, one vector per text in the order given. */
export const embeddingBatchResponseSchema = z.object({
  embeddings: z
    .union([z.array(z.array(z.number())), z.array(z.string())])
    .meta({ description: 'number[] per text with encoding `float`, base64 of little-endian float32 with `base64`.' }),
  model: z.string(),
  dimension: z.number().int().meta({ description: 'Length of each vector (floats, also for base64).' }),
  encoding: z.enum(EMBEDDING_ENCODINGS),
  cached: z.number().int().meta({ description: 'How many of the texts came from the embedding cache.' }),
});

// ---------------------------------------------------------------------------------------------- similarity

function pair(limits: RequestLimits) {
  return body({ a: text(limits.maxTextBytes), b: text(limits.maxTextBytes) });
}

/** Body of `POST /ml/similarity`. */
export function similarityRequestSchema(limits: RequestLimits) {
  return pair(limits);
}

/** Response of `POST /ml/similarity`. */
export const similarityResponseSchema = z.object({
  similarity: z.number().meta({ description: "Cosine similarity of the two texts' embeddings, in [-1, 1]." }),
  model: z.string(),
});

/** Body of `POST /ml/similarity/batch`: each distinct text is embedded once. */
export function similarityBatchRequestSchema(limits: RequestLimits) {
  return body({ pairs: batch(pair(limits), limits.maxBatchSize) });
}

/** Response of `POST /ml/similarity/batch`. */
export const similarityBatchResponseSchema = z.object({
  similarities: z.array(z.number()).meta({ description: 'One cosine similarity per pair, in the order given.' }),
  model: z.string(),
});

// ------------------------------------------------------------------------------------------- profiles/rank

// The body of `POST /ml/profiles/rank` (and each batch item) is the one ranking request, `rankRequestSchema`.

/** Response of `POST /ml/profiles/rank`, and each item of a rank batch response. */
export const rankResponseSchema = z
  .object({
    results: z
      .array(z.object({ profile_id: z.string(), score: z.number(), breakdown: scoreBreakdownSchema, because: becauseSchema }))
      .meta({ description: 'Best first (equal scores by id); in MMR order when `diversity` > 0.' }),
    model: z.string().nullable().meta({ description: 'Model that computed the similarities; null when ml_applied is false.' }),
    ml_applied: z.boolean().meta({ description: 'False when ranked by diligence and engagement alone.' }),
    ...rankStatusFields,
  })
  .meta({ id: 'RankResponse' });

/** Body of `POST /ml/profiles/rank/batch`: every request is validated before any runs. */
export function rankBatchRequestSchema(limits: RankLimits) {
  return body({ requests: batch(rankRequestSchema(limits), limits.maxBatchSize) });
}

/** Response of `POST /ml/profiles/rank/batch`: one rank response per request, in order. */
export const rankBatchResponseSchema = z.object({ results: z.array(rankResponseSchema) });

// ---------------------------------------------------------------------------------------- health and info

const pendingEmbeddings = z
  .number()
  .int()
  .nullable()
  .meta({
    description:
      "Profiles queued for embedding and not done yet; null when the queue cannot be read right now. With PROFILE_STORE=redis the shared queue's count, the same on every process: entries being embedded plus entries not yet taken.",
  });

/** Response of `GET /ml/health` (HTTP 503 when `status` is `loading` or `unavailable`, 200 otherwise). */
export const mlHealthSchema = z.object({
  status: z
    .enum(['loading', 'ready', 'degraded', 'unavailable'])
    .meta({
      description:
        'loading: the model is downloading, loading or has not answered its first inference yet (HTTP 503; ML routes answer 503 with Retry-After); ready: all parts up; degraded: serving on a fallback (see reasons); unavailable: no ML (HTTP 503).',
    }),
  ml_enabled: z.boolean().meta({ description: 'ML_ENABLED as configured.' }),
  model: z.object({
    name: z.string().meta({ description: 'The model in use, or the configured one when none is loaded.' }),
    available: z.boolean(),
    device: z.string().nullable().meta({ description: 'What inference runs on; null when no model is loaded.' }),
    dtype: z.string(),
    dimension: z.number().int().nullable(),
  }),
  cache: z.object({
    backend: z.enum(['redis', 'memory']),
    connected: z.boolean().meta({ description: 'False while Redis is unreachable (computed without the cache).' }),
  }),
  store: z.object({
    backend: z.enum(['memory', 'redis']),
    connected: z.boolean().meta({ description: 'False while the store is unreachable (store routes answer 503).' }),
  }),
  reasons: z.array(z.string()).meta({ description: 'Why the status is not ready, one line per cause.' }),
  pending_embeddings: pendingEmbeddings,
});

/** Response of `GET /ml/info`: the model and the limits a client needs. */
export const mlInfoSchema = z.object({
  ml_available: z.boolean(),
  model: z.string().meta({ description: "Hub id or folder name of the server's model (the configured one when none is loaded)." }),
  model_key: z.string().nullable().meta({ description: 'model id | dtype | max_seq_length; null without a model.' }),
  dimension: z.number().int().nullable(),
  dtype: z.string(),
  device: z.string().nullable(),
  max_seq_length: z.number().int().nullable().meta({ description: 'Tokens per text before truncation.' }),
  max_batch_size: z.number().int(),
  max_text_bytes: z.number().int(),
  max_body_bytes: z.number().int(),
  max_import_batch: z.number().int().meta({ description: 'Most items (upserts + deletes) one POST /profiles/batch may hold.' }),
  max_queue_size: z.number().int(),
  dynamic_batching: z.boolean(),
  batch_window_ms: z.number(),
  auto_truncate: z.boolean().meta({ description: 'Always true: longer texts are truncated, not rejected.' }),
  pending_embeddings: pendingEmbeddings,
  version: z.string(),
});

/** Body of `POST /ml/embeddings` as a client sends it. */
export type EmbeddingRequest = z.input<ReturnType<typeof embeddingRequestSchema>>;
/** Response of `POST /ml/embeddings`. */
export type EmbeddingResponse = z.infer<typeof embeddingResponseSchema>;
/** How `POST /ml/embeddings/batch` encodes its vectors. */
export type EmbeddingEncoding = (typeof EMBEDDING_ENCODINGS)[number];
/** Body of `POST /ml/embeddings/batch` as a client sends it. */
export type EmbeddingBatchRequest = z.input<ReturnType<typeof embeddingBatchRequestSchema>>;
/** Response of `POST /ml/embeddings/batch`. */
export type EmbeddingBatchResponse = z.infer<typeof embeddingBatchResponseSchema>;
/** Body of `POST /ml/similarity`. */
export type SimilarityRequest = z.input<ReturnType<typeof similarityRequestSchema>>;
/** Response of `POST /ml/similarity`. */
export type SimilarityResponse = z.infer<typeof similarityResponseSchema>;
/** Body of `POST /ml/similarity/batch`. */
export type SimilarityBatchRequest = z.input<ReturnType<typeof similarityBatchRequestSchema>>;
/** Response of `POST /ml/similarity/batch`. */
export type SimilarityBatchResponse = z.infer<typeof similarityBatchResponseSchema>;
/** Body of `POST /ml/profiles/rank` as a client sends it. */
export type RankRequestJson = z.input<ReturnType<typeof rankRequestSchema>>;
/** Response of `POST /ml/profiles/rank`. */
export type RankResponseJson = z.infer<typeof rankResponseSchema>;
/** Body of `POST /ml/profiles/rank/batch`. */
export type RankBatchRequest = z.input<ReturnType<typeof rankBatchRequestSchema>>;
/** Response of `POST /ml/profiles/rank/batch`. */
export type RankBatchResponse = z.infer<typeof rankBatchResponseSchema>;
/** Response of `GET /ml/health`. */
export type MlHealth = z.infer<typeof mlHealthSchema>;
/** Response of `GET /ml/info`. */
export type MlInfo = z.infer<typeof mlInfoSchema>;
