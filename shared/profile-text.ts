/**
 * THE text a profile is embedded as. Browser and server both call `profileToText`, so they embed
 * byte-identical strings, and `contentHash` of that text keys every cached vector: a profile edit that changes
 * the text changes the hash, an edit that does not (scores, time) keeps the cached vector valid.
 *
 * Format (parts that are empty after normalisation are left out):
 *   `${name}. ${headline}. ${bio}. Tags: ${tags.join(', ')}`
 * Normalisation: Unicode NFC (a precomposed é and e + combining accent embed alike), control characters
 * dropped, every whitespace run (newlines, tabs, NBSP) collapsed to one space, trimmed. A part that already
 * ends in sentence punctuation gets no extra '.', so "Hiring!" stays "Hiring! " and not "Hiring!. ".
 * Tags keep their order (it is the user's), and exact duplicates after normalisation are dropped.
 * Changing this format changes every vector: bump nothing silently; caches are keyed by the hash of the text.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Profile } from './types';

/** The fields that make up the embedded text; id, scores and time never do. */
export type ProfileTextFields = Partial<Pick<Profile, 'name' | 'headline' | 'bio'>> & {
  tags?: readonly string[];
};

/** Normalises one piece of text: NFC, no control characters, single spaces, trimmed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();
}

/** The text embedded for a profile (candidate or user). Deterministic; see the module comment for the format. */
export function profileToText(profile: ProfileTextFields): string {
  const parts: string[] = [];
  for (const field of [profile.name, profile.headline, profile.bio]) {
    const part = typeof field === 'string' ? normalizeText(field) : '';
    if (part) parts.push(part);
  }
  const tags: string[] = [];
  for (const tag of profile.tags ?? []) {
    const t = typeof tag === 'string' ? normalizeText(tag) : '';
    if (t && !tags.includes(t)) tags.push(t);
  }
  if (tags.length > 0) parts.push(`Tags: ${tags.join(', ')}`);
  let text = '';
  for (const part of parts) {
    if (text) text += /[.!?…:;]$/u.test(text) ? ' ' : '. ';
    text += part;
  }
  return text;
}

/**
 * SHA-256 of the UTF-8 bytes of `text`, lower-case hex; the same result in browser and Node. WebCrypto when
 * present; browsers hide it outside secure contexts (an app served over plain http from another host), and
 * then @noble/hashes computes the same digest, so sync and the vector cache still work there.
 */
export async function sha256Hex(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : sha256(bytes);
  return bytesToHex(digest);
}

/** Content hash of a profile: `sha256Hex(profileToText(profile))`. Keys cached vectors. */
export function contentHash(profile: ProfileTextFields): Promise<string> {
  return sha256Hex(profileToText(profile));
}
