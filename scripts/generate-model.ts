/**
 * CLI: generate the project's own BERT sentence-embedding model (random weights, Hugging Face layout).
 *
 *   tsx scripts/generate-model.ts --size test|minilm|test-cls|test-notype|test-prompts [--size …] [--out DIR] [--force]
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
      size: { type: 'string', multiple: true, default: ['test'] },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: tsx scripts/generate-model.ts --size ${Object.keys(MODEL_SIZES).join('|')} [--size …] [--out DIR] [--force]`);
    return;
  }
  const sizeIds = values.size.flatMap((s) => s.split(','));
  const unknown = sizeIds.find((id) => !isSizeId(id));
  if (unknown !== undefined) {
    console.error(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}; got "${unknown}"`);
    process.exitCode = 2;
    return;
  }
  if (values.out !== undefined && sizeIds.length > 1) {
    console.error('--out takes one --size');
    process.exitCode = 2;
    return;
  }
  for (const sizeId of sizeIds.filter(isSizeId)) {
    const result = ensureModel(sizeId, {
      dir: values.out === undefined ? undefined : path.resolve(values.out),
      force: values.force,
    });
    const what = result.generated ? `generated in ${(result.milliseconds / 1000).toFixed(2)} s` : 'up to date';
    console.log(`model ${sizeId}: ${path.relative(process.cwd(), result.dir) || '.'} (${what})`);
  }
}

main();
