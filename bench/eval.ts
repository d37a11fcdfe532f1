/**
 * Offline evaluation of the recommendation layer (`npm run eval`, out of CI, a few minutes).
 *
 * Catalogue: the demo generator's first 5,000 profiles, embedded by the server's embedder (ONNX Runtime) on
 * the generated test model — real inference on the real text of each profile, so a like moves the taste
 * vector towards candidates whose text shares role and sector words, as it would with a trained model (with
 * weaker semantics: the test model's weights are random, so only shared words make texts close).
 * Users (eval/users.ts) have hidden wishes (a role in one of two sectors); sessions (eval/simulate.ts) show
 * 20, like up to 3 relevant, pass the others. Per variant: precision@20 and nDCG@20 after 0, 5, 10, 20 likes +
 * passes, intra-list diversity (mean pairwise 1 − cosine), coverage over 10 visits, rank time. Then the rank
 * time at 10,000 × 384-dim candidates with 200 interactions against none, in the same run.
 * Run: `npm run eval [-- --users N]`.
 */
import path from 'node:path';
import { demoProfiles } from '../server/data/demo-profiles';
import { createNodeEmbedder } from '../server/embedder/node-embedder';
import { profileToText } from '../shared/profile-text';
import { DAY_MS } from '../shared/recommend/decay';
import type { Interaction } from '../shared/recommend/interactions';
import { recommend } from '../shared/recommend/recommend';
import { packCandidates, type RankCandidate } from '../shared/scoring';
import { mean } from './eval/metrics';
import { CHECKPOINTS, PAGE, VISITS, simulate, type Catalogue, type UserRun, type Variant } from './eval/simulate';
import { makeUsers, prng } from './eval/users';
import { median } from './support/stats';

const CATALOGUE_SIZE = 5000;
const MODEL_DIR = path.resolve('models/generated/nearfeed-test');
const args = process.argv.slice(2);
const USERS = Number(args[args.indexOf('--users') + 1] ?? 0) || 100;
/** MMR settings measured; the rank-time figure uses the middle one. */
const DIVERSITIES = [0.1, 0.2, 0.3, 0.5];
const DIVERSITY = 0.3;

const VARIANTS: Variant[] = [
  { name: 'profile only', feedback: false, views: false, diversity: 0, groupDecay: false },
  { name: '+ taste', feedback: true, views: false, diversity: 0, groupDecay: false },
  ...DIVERSITIES.map((d) => ({ name: `+ taste + diversity ${d}`, feedback: true, views: false, diversity: d, groupDecay: false })),
  { name: '+ taste + group decay', feedback: true, views: false, diversity: 0, groupDecay: true },
  { name: '+ taste + fatigue (views)', feedback: true, views: true, diversity: 0, groupDecay: false },
];

async function main(): Promise<void> {
  const t0 = performance.now();
  const profiles = demoProfiles(CATALOGUE_SIZE);
  const { embedder } = await createNodeEmbedder({ model: MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: () => undefined });
  const users = makeUsers(profiles, USERS);
  const vectors = await embedder.embed(profiles.map(profileToText));
  const queries = await embedder.embed(users.map((u) => profileToText(u.profile)));
  await embedder.dispose();
  const matrix = packCandidates(profiles.map((p, i) => ({ id: p.id, vector: vectors[i]!, diligence: p.diligence, engagement: p.engagement })));
  const cat: Catalogue = {
    profiles,
    byId: new Map(profiles.map((p) => [p.id, p])),
    matrix,
    rowOf: new Map(matrix.ids.map((id, i) => [id, i])),
  };
  const relevantShare = mean(users.map((u) => u.relevant.size / CATALOGUE_SIZE));
  console.log(
    `catalogue ${CATALOGUE_SIZE} demo profiles × ${matrix.dimension}-dim vectors (ONNX Runtime, generated test model), ` +
      `${users.length} users, ${(relevantShare * 100).toFixed(1)}% of the catalogue relevant per user on average; ` +
      `embedded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const rows: Array<{ v: Variant; runs: UserRun[] }> = VARIANTS.map((v) => ({ v, runs: users.map((u, i) => simulate(u, queries[i]!, cat, v)) }));

  const head = ['variant', ...CHECKPOINTS.map((k) => `P@20 k=${k}`), ...CHECKPOINTS.map((k) => `nDCG k=${k}`), 'ILD k=10', 'coverage', 'rank ms'];
  const table = rows.map(({ v, runs }) => {
    const at = (k: number, f: 'precision' | 'ndcg' | 'diversity') => mean(runs.map((r) => r.at[k]![f]));
    const covered = new Set<string>();
    for (const r of runs.slice(0, 10)) for (const id of r.shown) covered.add(id);
    return {
      name: v.name,
      precision: CHECKPOINTS.map((_, k) => at(k, 'precision')),
      ndcg: CHECKPOINTS.map((_, k) => at(k, 'ndcg')),
      ild: at(2, 'diversity'),
      perUserShown: mean(runs.map((r) => r.shown.size)),
      coverage: covered.size / CATALOGUE_SIZE,
      rankMs: median(runs.flatMap((r) => r.rankMs)),
    };
  });
  console.log(`\n${head.join(' | ')}`);
  for (const t of table) {
    console.log(
      [t.name, ...t.precision.map(f3), ...t.ndcg.map(f3), f3(t.ild), `${t.perUserShown.toFixed(0)}/user, ${(t.coverage * 100).toFixed(1)}% (10 users)`, t.rankMs.toFixed(2)].join(' | '),
    );
  }
  console.log(`(k = likes + passes so far; ILD = mean pairwise 1 − cosine of the page; coverage = distinct candidates shown over ${VISITS} visits of ${PAGE})`);

  const base = table[0]!;
  const taste = table[1]!;
  const k10 = CHECKPOINTS.indexOf(10);
  console.log('\ngoals:');
  goal(`precision@20 after 10 interactions, + taste / profile only = ${ratio(taste.precision[k10]!, base.precision[k10]!)}`, taste.precision[k10]! >= 1.5 * base.precision[k10]!, '≥ 1.5');
  for (const div of table.slice(2, 2 + DIVERSITIES.length + 1)) {
    const loss = 1 - div.precision[k10]! / taste.precision[k10]!;
    goal(
      `${div.name}: intra-list diversity ${ratio(div.ild, taste.ild)} of + taste, precision@20 (k=10) loss ${(loss * 100).toFixed(1)}%`,
      div.ild >= 1.2 * taste.ild && loss <= 0.1,
      'ILD ≥ 1.2× for a loss ≤ 10%',
    );
  }
  rankTime();
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Rank time at 10,000 × 384-dim candidates: 200 interactions against none, interleaved, medians. */
function rankTime(): void {
  const n = 10_000;
  const dim = 384;
  const r = prng(42);
  const cands: RankCandidate[] = Array.from({ length: n }, (_, i) => {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = r() * 2 - 1;
    return { id: `c${String(i).padStart(5, '0')}`, vector: v, diligence: r(), engagement: r() };
  });
  const matrix = packCandidates(cands);
  const query = cands[0]!.vector!;
  const now = START_OF_BENCH;
  const types: Interaction['type'][] = ['like', 'pass', 'pass', 'view', 'hide'];
  const interactions: Interaction[] = Array.from({ length: 200 }, (_, i) => ({
    profile_id: `c${String(1 + Math.floor(r() * (n - 1))).padStart(5, '0')}`,
    type: types[i % types.length]!,
    at: new Date(now - r() * 60 * DAY_MS).toISOString(),
  }));
  const runs = 40;
  const none: number[] = [];
  const withInteractions: number[] = [];
  const withDiversity: number[] = [];
  const time = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  for (let i = 0; i < runs + 5; i++) {
    const a = time(() => recommend(query, matrix, { limit: PAGE }));
    const b = time(() => recommend(query, matrix, { limit: PAGE, now, interactions }));
    const c = time(() => recommend(query, matrix, { limit: PAGE, now, interactions, diversity: DIVERSITY }));
    if (i < 5) continue; // warm-up
    none.push(a);
    withInteractions.push(b);
    withDiversity.push(c);
  }
  const [m0, m1, m2] = [median(none), median(withInteractions), median(withDiversity)];
  console.log(`\nrank time, ${n} candidates × ${dim} dims, limit ${PAGE}, median of ${runs}:`);
  console.log(`  no interactions ${m0.toFixed(2)} ms | 200 interactions ${m1.toFixed(2)} ms (${ratio(m1, m0)}) | + diversity ${DIVERSITY} ${m2.toFixed(2)} ms (${ratio(m2, m0)})`);
  goal(`rank time with 200 interactions / without = ${ratio(m1, m0)}`, m1 <= 1.2 * m0, '≤ 1.2');
}

const START_OF_BENCH = Date.parse('2026-03-01T00:00:00Z');
const f3 = (x: number) => x.toFixed(3);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
function goal(text: string, met: boolean, target: string): void {
  console.log(`  ${met ? 'MET    ' : 'NOT MET'} ${text} (goal ${target})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
