/** Deterministic benchmark sentences from one word list, so every bench measures the same kind of text. */

/** Common words of the demo's domain; all are whole tokens of the generated models' vocabulary. */
export const WORDS = (
  'founder startup investor seed series growth engineer design product market team build scale data platform ' +
  'cloud health climate fintech hiring remote europe berlin london paris ai model search feed operator angel ' +
  'revenue customers enterprise developer tooling marketplace logistics robotics biotech consumer mobile'
).split(' ');

/** A sentence of `words` words, the same for the same seed. */
export function sentence(words: number, seed: number): string {
  return Array.from({ length: words }, (_, i) => WORDS[(seed * 31 + i * 17 + ((i * seed) % 7)) % WORDS.length]).join(
    ' ',
  );
}
