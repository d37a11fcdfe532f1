import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { contentHash, normalizeText, profileToText, sha256Hex } from '../shared/profile-text';
import type { Profile } from '../shared/types';

const ada: Profile = {
  id: 'p-1',
  name: 'Ada Lovelace',
  headline: 'Founder at Analytical Engines',
  bio: 'Building general-purpose computers.\nLooking for a technical co-founder.',
  tags: ['hardware', 'deep tech', 'seed'],
  diligence: 0.8,
  engagement: 0.4,
  updated_at: '2026-01-01T00:00:00Z',
};

/** Independent hash: node:crypto instead of WebCrypto. */
function nodeSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('profileToText', () => {
  it('joins the fields in a fixed order with the documented format', () => {
    expect(profileToText(ada)).toBe(
      'Ada Lovelace. Founder at Analytical Engines. Building general-purpose computers. Looking for a technical co-founder. Tags: hardware, deep tech, seed',
    );
  });

  it('ignores id, scores and time', () => {
    const other = { ...ada, id: 'p-2', diligence: 0.1, engagement: 0.9, updated_at: '2030-05-05T10:00:00Z' };
    expect(profileToText(other)).toBe(profileToText(ada));
  });

  it('skips empty parts cleanly', () => {
    expect(profileToText({ name: 'Ada', headline: '', bio: '   ', tags: [] })).toBe('Ada');
    expect(profileToText({ name: '', headline: 'CTO', bio: '', tags: ['ai'] })).toBe('CTO. Tags: ai');
    expect(profileToText({ tags: ['', '  ', 'ml'] })).toBe('Tags: ml');
    expect(profileToText({ name: '', headline: '', bio: '', tags: [] })).toBe('');
  });

  it('normalises whitespace and control characters', () => {
    expect(profileToText({ name: '  Ada\t\u00a0Lovelace \n', headline: 'a\r\nb', bio: 'x\u0000y', tags: [' t  1 '] })).toBe(
      'Ada Lovelace. a b. xy. Tags: t 1',
    );
  });

  it('normalises Unicode to NFC so composed and decomposed input embed alike', () => {
    const composed = profileToText({ name: 'Jos\u00e9', tags: ['caf\u00e9'] });
    const decomposed = profileToText({ name: 'Jose\u0301', tags: ['cafe\u0301'] });
    expect(decomposed).toBe(composed);
    expect(composed).toBe('Jos\u00e9. Tags: caf\u00e9');
  });

  it('does not double sentence punctuation', () => {
    expect(profileToText({ name: 'Ada', headline: 'Hiring!', bio: 'Ask me anything?', tags: ['x'] })).toBe(
      'Ada. Hiring! Ask me anything? Tags: x',
    );
    expect(profileToText({ name: 'Dr. A.', headline: 'B' })).toBe('Dr. A. B');
  });

  it('keeps tag order and drops exact duplicates', () => {
    expect(profileToText({ tags: ['b', 'a', 'b', ' a '] })).toBe('Tags: b, a');
  });

  it('is stable across calls and object key order', () => {
    const reordered = { tags: [...ada.tags], bio: ada.bio, headline: ada.headline, name: ada.name };
    expect(profileToText(reordered)).toBe(profileToText(ada));
    expect(profileToText(ada)).toBe(profileToText(structuredClone(ada)));
  });

  it('normalizeText is idempotent', () => {
    const once = normalizeText(' a\u00a0\u00a0b\ncafe\u0301 ');
    expect(normalizeText(once)).toBe(once);
  });
});

describe('sha256Hex and contentHash', () => {
  it('matches the published SHA-256 test vectors', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes UTF-8 bytes, agreeing with node:crypto', async () => {
    for (const text of ['Jos\u00e9 – caf\u00e9 ☕', '🚀 launch', profileToText(ada)]) {
      expect(await sha256Hex(text)).toBe(nodeSha256(text));
    }
  });

  it('without WebCrypto (a browser page outside a secure context) gives the same digests', async () => {
    const texts = ['', 'abc', 'Jos\u00e9 – caf\u00e9 ☕', profileToText(ada)];
    const withSubtle = await Promise.all(texts.map(sha256Hex));
    vi.stubGlobal('crypto', {});
    try {
      expect(globalThis.crypto.subtle).toBeUndefined();
      expect(await Promise.all(texts.map(sha256Hex))).toEqual(withSubtle);
      expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('contentHash is the hash of profileToText', async () => {
    expect(await contentHash(ada)).toBe(nodeSha256(profileToText(ada)));
    // Known value for the fixed profile, computed with node:crypto over the documented text.
    expect(await contentHash(ada)).toBe(
      nodeSha256(
        'Ada Lovelace. Founder at Analytical Engines. Building general-purpose computers. Looking for a technical co-founder. Tags: hardware, deep tech, seed',
      ),
    );
  });

  it('changes with the text, not with scores or time', async () => {
    const base = await contentHash(ada);
    const rescored: Profile = { ...ada, diligence: 0.2, updated_at: '2031-01-01T00:00:00Z' };
    expect(await contentHash(rescored)).toBe(base);
    expect(await contentHash({ ...ada, bio: `${ada.bio} Also angel investing.` })).not.toBe(base);
    expect(await contentHash({ ...ada, tags: [...ada.tags].reverse() })).not.toBe(base);
  });
});
