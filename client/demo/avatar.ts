/** Avatars drawn from initials: no image requests, a stable colour per person. */

/** "Maya Chen" → "MC"; "cher" → "CH"; empty → "?". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = words[0] ?? '';
  if (words.length === 1) return first.slice(0, 2).toUpperCase();
  const last = words[words.length - 1] ?? '';
  return ((first[0] ?? '') + (last[0] ?? '')).toUpperCase();
}

/** A hue from the id (FNV-1a), so the same person keeps the same colour across reloads. */
export function hueOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 360;
}

export function avatar(name: string, key: string, size: 'sm' | 'md' = 'md'): HTMLElement {
  const el = document.createElement('span');
  el.className = `avatar avatar-${size}`;
  el.textContent = initials(name);
  el.style.setProperty('--hue', String(hueOf(key)));
  el.setAttribute('aria-hidden', 'true');
  return el;
}
