/**
 * `npm run bench`: every benchmark in one process, one after the other, so each prints ratios measured
 * side by side in the same run. Absolute times on a shared 2-core VM are noise; the ratios are the result.
 */
import { main as rank } from './rank';
import { main as embed } from './embed';
import { main as dtype } from './dtype';
import { main as server } from './server';
import { main as ops } from './ops';

const benches: [string, () => Promise<unknown>][] = [
  ['rank (shared/scoring)', () => rank([])],
  ['embed (server/embedder)', embed],
  ['dtype (fp32 vs q8, Node)', dtype],
  ['server (cache, dynamic batching)', server],
  ['ops (auth, rate limits, metrics on vs off)', ops],
];

for (const [name, run] of benches) {
  console.log(`\n=== ${name}`);
  await run();
}
