/**
 * The text-embeddings-inference (TEI) routes its clients call, at the root: `POST /embed` and `POST /rerank`.
 * Both embed through the same MlService as /api/v1/ml/* (cache, dynamic batching, limits); /rerank scores by
 * cosine, where a cross-encoder, once a model provides one, would plug in behind the same route. The rules for
 * `truncate`, `normalize` and `raw_scores` are in shared/api/tei.ts.
 */
import { Hono } from 'hono';
import { cosineSimilarity } from '../../shared/scoring';
import { teiEmbedRequestSchema, teiRerankRequestSchema, type TeiRerankResponse } from '../../shared/api/tei';
import type { ServerDeps } from '../deps';
import { ApiFailure } from '../http/errors';
import { jsonBody } from '../http/validate';
import type { MlService } from '../ml/ml-service';

/** With `truncate: false`, refuses the first text the model would cut (TEI without auto-truncation). */
async function refuseLongTexts(ml: MlService, texts: readonly string[], field: (i: number) => string): Promise<void> {
  const max = ml.info()?.maxSeqLength;
  if (max === undefined) return; // no model: embedding answers 503 ml_unavailable
  const counts = await ml.countTokens(texts, { truncate: false });
  const i = counts.findIndex((n) => n > max);
  if (i >= 0) {
    throw new ApiFailure(
      'validation',
      `\`${field(i)}\` has ${counts[i]} tokens > max_seq_length ${max} (truncate: false; leave truncate out to have it cut)`,
      field(i),
    );
  }
}

/** Routes `POST /embed` and `POST /rerank`, mounted at the root. */
export function teiRoutes(deps: ServerDeps): Hono {
  const { config, ml } = deps;
  const app = new Hono();

  app.post('/embed', jsonBody(teiEmbedRequestSchema(config)), async (c) => {
    const body = c.req.valid('json');
    if (body.normalize === false) {
      throw new ApiFailure(
        'validation',
        '`normalize` false is not available: the served vectors are L2-normalised by the model pipeline',
        'normalize',
      );
    }
    const single = typeof body.inputs === 'string';
    const texts = typeof body.inputs === 'string' ? [body.inputs] : body.inputs;
    if (body.truncate === false) await refuseLongTexts(ml, texts, (i) => (single ? 'inputs' : `inputs[${i}]`));
    const { vectors } = await ml.embedTexts(texts, body.prompt_name ? { promptName: body.prompt_name } : {});
    return c.json(vectors.map((v) => Array.from(v)));
  });

  app.post('/rerank', jsonBody(teiRerankRequestSchema(config)), async (c) => {
    const body = c.req.valid('json');
    if (body.truncate === false) {
      await refuseLongTexts(ml, [body.query, ...body.texts], (i) => (i === 0 ? 'query' : `texts[${i - 1}]`));
    }
    const { vectors } = await ml.embedTexts([body.query, ...body.texts]);
    const [query, ...candidates] = vectors;
    const ranked = candidates
      .map((v, index) => {
        const cosine = cosineSimilarity(query!, v);
        return { index, score: body.raw_scores ? cosine : (cosine + 1) / 2 };
      })
      // Best first; equal scores keep the order given.
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, body.top_n ?? undefined);
    const res: TeiRerankResponse = body.return_text
      ? ranked.map((r) => ({ ...r, text: body.texts[r.index]! }))
      : ranked;
    return c.json(res);
  });

  return app;
}
