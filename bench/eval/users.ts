/**
 * Synthetic users with hidden preferences over the demo catalogue: each wants one role (a profile's first tag)
 * in one of two sectors (a sector tag), and describes themselves in a profile that names those sectors and the
 * role they look for — the profile points the right way, without knowing which candidates fit.
 */
import type { Profile } from '../../shared/types';
import type { UserProfile } from '../../client/types';

export const ROLES = ['founder', 'investor', 'engineer', 'designer', 'operator', 'researcher', 'advisor'] as const;
export const SECTORS = ['fintech', 'climate', 'health', 'ai', 'saas', 'marketplace', 'edtech', 'biotech', 'logistics', 'consumer', 'security', 'agtech'] as const;

export interface EvalUser {
  id: string;
  profile: UserProfile;
  role: string;
  sectors: string[];
  /** Candidate ids the user would like (hidden from the ranker). */
  relevant: Set<string>;
}

/** mulberry32, as the catalogue generator. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` users; a candidate is relevant when its first tag is the wanted role and it has a wanted sector tag. */
export function makeUsers(catalogue: readonly Profile[], count: number, seed = 9): EvalUser[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const users: EvalUser[] = [];
  while (users.length < count) {
    const role = pick(ROLES);
    const a = pick(SECTORS);
    const b = pick(SECTORS.filter((s) => s !== a));
    const relevant = new Set(catalogue.filter((p) => p.tags[0] === role && (p.tags.includes(a) || p.tags.includes(b))).map((p) => p.id));
    if (relevant.size < 40) continue; // too rare a wish to measure precision@20 after 20 interactions
    const me = pick(ROLES.filter((x) => x !== role));
    users.push({
      id: `user-${users.length}`,
      role,
      sectors: [a, b],
      relevant,
      profile: {
        name: `Eval user ${users.length}`,
        headline: `${cap(me)} working in ${a} and ${b}`,
        bio: `I am a ${me} in ${a}. Looking to meet a ${role} who knows ${a} or ${b}.`,
        tags: [me, a, b],
      },
    });
  }
  return users;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
