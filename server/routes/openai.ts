/**
 * The OpenAI-compatible routes, mounted at /v1 where OpenAI clients look: `POST /v1/embeddings` and
 * `GET /v1/models`. Embeddings go through the same MlService as /api/v1/ml/* (text cache, dynamic batching,
 * queue limit); the app answers errors on /v1 in OpenAI's shape (server/http/errors.ts).
 */
import { Hono } from 'hono';
import { float32ToBase64 } from '../../shared/base64';
import { shortenVector } from '../../shared/embedding/matryoshka';
import {
  openaiEmbeddingsRequestSchema,
  type OpenAIEmbeddingsResponse,
  type OpenAIModelsResponse,
} from '../../shared/api/openai';
import type { ServerDeps } from '../deps';
import { ApiFailure } from '../http/errors';
import { jsonBody } from '../http/validate';

/** Who `GET /v1/models` says owns the model. */
const OWNER = 'nearfeed';

/** Routes `/embeddings` and `/models`, mounted at /v1. */
export function openaiRoutes(deps: ServerDeps): Hono {
  const { config, ml } = deps;
  const app = new Hono();
  // Stands in for the model's creation time, which no model folder records.
  const created = Math.floor(Date.now() / 1000);

  app.post('/embeddings', jsonBody(openaiEmbeddingsRequestSchema(config)), async (c) => {
    const body = c.req.valid('json');
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    const dimension = ml.info()?.dimension;
    if (body.dimensions != null && dimension !== undefined && body.dimensions > dimension) {
      throw new ApiFailure(
        'validation',
        `\`dimensions\` must be at most ${dimension} (the model's dimension), got ${body.dimensions}`,
        'dimensions',
      );
    }
    const [{ vectors }, tokens] = await Promise.all([ml.embedTexts(texts), ml.countTokens(texts)]);
    const base64 = body.encoding_format === 'base64';
    const promptTokens = tokens.reduce((sum, n) => sum + n, 0);
    const res: OpenAIEmbeddingsResponse = {
      object: 'list',
      data: vectors.map((v, index) => {
        const vector = body.dimensions != null ? shortenVector(v, body.dimensions) : v;
        return { object: 'embedding', index, embedding: base64 ? float32ToBase64(vector) : Array.from(vector) };
      }),
      model: ml.info()?.model ?? config.embeddingModel,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    };
    return c.json(res);
  });

  app.get('/models', (c) => {
    const res: OpenAIModelsResponse = {
      object: 'list',
      data: [{ id: ml.info()?.model ?? config.embeddingModel, object: 'model', created, owned_by: OWNER }],
    };
    return c.json(res);
  });

  return app;
}
