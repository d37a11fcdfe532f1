/**
 * The routes of Hugging Face text-embeddings-inference (TEI) that clients of it call: `POST /embed` and
 * `POST /rerank`. Errors keep TEI's shape, which is nearfeed's own `{error, error_type}`.
 *
 * - Texts are truncated at the model's max_seq_length, as everywhere on this server (TEI's `--auto-truncate`);
 *   `truncate: false` instead rejects a longer text (413), as TEI does without auto-truncation.
 * - Vectors are L2-normalised by the model's pipeline: `normalize: false` is refused rather than ignored.
 * - /rerank scores by the cosine of the query's and each text's embedding; `raw_scores: false` maps it into
 *   [0, 1] as (cosine + 1) / 2 (same order), `raw_scores: true` returns the cosine.
 */
import { z } from 'zod';
import { batch, flag, intIn, oneOf, rule, text, type RequestLimits } from './common';

function truncationFields() {
  return {
    truncate: flag()
      .nullish()
      .meta({ description: 'Default true (auto-truncate); false: 413 for a text over max_seq_length tokens.' }),
    truncation_direction: oneOf(['Right', 'right'])
      .nullish()
      .meta({ description: 'Only Right: texts are cut at their end.' }),
  };
}

/** Body of `POST /embed`. */
export function teiEmbedRequestSchema(limits: RequestLimits) {
  const one = text(limits.maxTextBytes);
  return z.object(
    {
      inputs: z
        .union([one, batch(one, limits.maxBatchSize)], { error: rule('must be a string or an array of strings') })
        .meta({ description: 'A text or an array of texts.' }),
      normalize: flag()
        .nullish()
        .meta({ description: 'Default true; false is refused (422): the served vectors are L2-normalised.' }),
      prompt_name: z
        .string()
        .min(1)
        .max(100)
        .nullish()
        .meta({ description: "One of the model's prompts (config_sentence_transformers.json), as TEI's prompt_name." }),
      ...truncationFields(),
    },
    { error: rule('must be a JSON object') },
  );
}

/** Response of `POST /embed`: one vector per input, in order (a single string gives one). */
export const teiEmbedResponseSchema = z.array(z.array(z.number()));

/** Body of `POST /rerank`. */
export function teiRerankRequestSchema(limits: RequestLimits) {
  const one = text(limits.maxTextBytes);
  return z.object(
    {
      query: one,
      texts: batch(one, limits.maxBatchSize),
      top_n: intIn(1, limits.maxBatchSize).nullish().meta({ description: 'Return only the best n (default all).' }),
      return_text: flag().nullish().meta({ description: 'Include each text in its result (default false).' }),
      raw_scores: flag()
        .nullish()
        .meta({ description: 'true: the cosine in [-1, 1]; false (default): (cosine + 1) / 2 in [0, 1].' }),
      ...truncationFields(),
    },
    { error: rule('must be a JSON object') },
  );
}

/** Response of `POST /rerank`: best first. */
export const teiRerankResponseSchema = z.array(
  z.object({
    index: z.number().int().meta({ description: 'Position of the text in `texts`.' }),
    score: z.number(),
    text: z.string().optional().meta({ description: 'The text, with return_text.' }),
  }),
);

/** Body of `POST /embed` as a client sends it. */
export type TeiEmbedRequest = z.input<ReturnType<typeof teiEmbedRequestSchema>>;
/** Body of `POST /rerank` as a client sends it. */
export type TeiRerankRequest = z.input<ReturnType<typeof teiRerankRequestSchema>>;
/** Response of `POST /rerank`. */
export type TeiRerankResponse = z.infer<typeof teiRerankResponseSchema>;
