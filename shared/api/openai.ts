/**
 * The OpenAI-compatible embedding routes, outside /api/v1 where OpenAI clients look: `POST /v1/embeddings`
 * and `GET /v1/models`. Errors on these routes use OpenAI's shape, so the official SDKs raise their typed
 * errors. `model` may be any value: this server serves one model, and the response names it.
 */
import { z } from 'zod';
import { batch, intIn, oneOf, rule, text, type RequestLimits } from './common';

/** Body of `POST /v1/embeddings`. */
export function openaiEmbeddingsRequestSchema(limits: RequestLimits) {
  const one = text(limits.maxTextBytes);
  return z.object(
    {
      input: z
        .union([one, batch(one, limits.maxBatchSize)], {
          error: rule('must be a string or an array of strings (token-id arrays are not accepted: send the text)'),
        })
        .meta({ description: 'A text or an array of texts to embed.' }),
      model: z
        .string({ error: rule('must be a string') })
        .nullish()
        .meta({ description: 'Any value: the served model answers, and the response names it.' }),
      encoding_format: oneOf(['float', 'base64'])
        .nullish()
        .meta({ description: '`float` (default) or `base64` of little-endian float32.' }),
      dimensions: intIn(1, 1 << 16)
        .nullish()
        .meta({ description: "Keep the first n values and renormalise (Matryoshka); at most the model's dimension." }),
      user: z.string({ error: rule('must be a string') }).nullish().meta({ description: 'Accepted and ignored.' }),
    },
    { error: rule('must be a JSON object') },
  );
}

/** Response of `POST /v1/embeddings`. */
export const openaiEmbeddingsResponseSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z
        .union([z.array(z.number()), z.string()])
        .meta({ description: 'Floats, or base64 of little-endian float32 with encoding_format base64.' }),
    }),
  ),
  model: z.string().meta({ description: 'The served model.' }),
  usage: z.object({
    prompt_tokens: z.number().int().meta({ description: "Tokens the model read (the tokenizer's count after truncation)." }),
    total_tokens: z.number().int(),
  }),
});

/** Response of `GET /v1/models`: the served model. */
export const openaiModelsResponseSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() }),
  ),
});

/** OpenAI's error body, answered by every /v1 route. `code` is nearfeed's error_type. */
export const openaiErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().meta({ description: 'invalid_request_error (4xx), rate_limit_error (429), server_error (5xx).' }),
      param: z.string().nullable().meta({ description: 'The request field at fault, when one is.' }),
      code: z.string().nullable().meta({ description: "nearfeed's error_type (validation, batch_too_large, ...)." }),
    }),
  })
  .meta({ id: 'OpenAIError' });

/** Body of `POST /v1/embeddings` as a client sends it. */
export type OpenAIEmbeddingsRequest = z.input<ReturnType<typeof openaiEmbeddingsRequestSchema>>;
/** Response of `POST /v1/embeddings`. */
export type OpenAIEmbeddingsResponse = z.infer<typeof openaiEmbeddingsResponseSchema>;
/** Response of `GET /v1/models`. */
export type OpenAIModelsResponse = z.infer<typeof openaiModelsResponseSchema>;
/** Error body of the /v1 routes. */
export type OpenAIError = z.infer<typeof openaiErrorSchema>;
