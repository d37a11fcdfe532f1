/** Where generated models live: models/generated/<folder> at the repository root. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_SIZES, type ModelSize } from './sizes';

/** Absolute path of the repository root (this file is scripts/model/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of models/generated/. */
export const GENERATED_MODELS_DIR = path.join(REPO_ROOT, 'models', 'generated');

/** Absolute folder of a generated model size. */
export function generatedModelDir(size: ModelSize['id']): string {
  return path.join(GENERATED_MODELS_DIR, MODEL_SIZES[size].folder);
}
