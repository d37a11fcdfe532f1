/**
 * CLI: generate the project's own BERT sentence-embedding model (random weights, Hugging Face layout).
 *
 *   tsx scripts/generate-model.ts --size test|minilm [--out DIR] [--force]
 *
 * Skips the work when the folder is already current (see scripts/model/generate.ts), so it is cheap to run
 * before every test run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureModel } from './model/generate';
import { MODEL_SIZES, isSizeId } from './model/sizes';

function main(): void {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'test' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: tsx scripts/generate-model.ts --size test|minilm [--out DIR] [--force]');
    return;
  }
  const sizeId = values.size;
  if (!isSizeId(sizeId)) {
    console.error(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}; got "${sizeId}"`);
    process.exitCode = 2;
    return;
  }
  const result = ensureModel(sizeId, {
    dir: values.out === undefined ? undefined : path.resolve(values.out),
    force: values.force,
  });
  const what = result.generated ? `generated in ${(result.milliseconds / 1000).toFixed(2)} s` : 'up to date';
  console.log(`model ${sizeId}: ${path.relative(process.cwd(), result.dir) || '.'} (${what})`);
}

main();
