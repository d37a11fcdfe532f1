/**
 * Redis key names of the embedding cache, shared by both backends so the memory LRU and Redis agree.
 * `prefix` is '' in production and unique per test run.
 */

/** `embedding:profile:{profile_id}`: a profile's vector. */
export function profileKey(id: string, prefix = ''): string {
  return `${prefix}embedding:profile:${id}`;
}

/** `embedding:text:{model_key}:{sha256(text)}`: a text's vector under one model. */
export function textKey(modelKey: string, textHash: string, prefix = ''): string {
  return `${prefix}embedding:text:${modelKey}:${textHash}`;
}

/**
 * `embedding:profile-gen:{profile_id}`: a random token replaced by every invalidation of the profile, so a
 * write can tell whether the profile was invalidated since the read it was computed from. Outside the
 * `embedding:profile:` namespace on purpose: a scan of profile entries never sees it.
 */
export function profileGenerationKey(id: string, prefix = ''): string {
  return `${prefix}embedding:profile-gen:${id}`;
}
