/**
 * Settings both runtimes share. The parser (`parseConfig`) reads them from env on the server and from
 * options in the browser. (Implementation: see the foundation issue; the type is the contract.)
 */
import type { EmbeddingDtype } from './embedder';
import type { RankWeights } from './types';

/** Where inference runs. The library's own 'auto' does not fall back, so nearfeed resolves it itself. */
export type MlDevice = 'cpu' | 'cuda' | 'webgpu' | 'auto';

export interface NearfeedConfig {
  /** ML_ENABLED (default true). */
  mlEnabled: boolean;
  /** EMBEDDING_MODEL: hub id or local folder (default Xenova/all-MiniLM-L6-v2). */
  embeddingModel: string;
  /** EMBEDDING_DTYPE (default fp32). */
  embeddingDtype: EmbeddingDtype;
  /** ML_DEVICE (default auto). */
  mlDevice: MlDevice;
  /** ML_SIMILARITY_WEIGHT, ML_DILIGENCE_WEIGHT, ML_ENGAGEMENT_WEIGHT, normalised to sum 1. */
  weights: RankWeights;
  /** MAX_SEQ_LENGTH: overrides the model's max_seq_length when set. */
  maxSeqLength?: number;
}
