/**
 * Where tests find the project's generated models. `npm test` generates the test size in its pretest step;
 * call `ensureTestModel()` in a beforeAll when a suite may run on its own (`npx vitest run file`).
 */
import { ensureModel } from '../../scripts/model/generate';
import { GENERATED_MODELS_DIR, generatedModelDir } from '../../scripts/model/paths';

export { GENERATED_MODELS_DIR };

/** Absolute path of models/generated/nearfeed-test (the small test model). */
export function testModelDir(): string {
  return generatedModelDir('test');
}

/** Absolute path of models/generated/nearfeed-minilm-shaped (benchmarks; `npm run model:bench` creates it). */
export function minilmShapedModelDir(): string {
  return generatedModelDir('minilm');
}

/** Generates the test model if it is missing or stale (milliseconds when current); returns its folder. */
export function ensureTestModel(): string {
  return ensureModel('test').dir;
}
