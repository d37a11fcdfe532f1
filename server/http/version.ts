/** The package version, read once from package.json (reported by /api/v1/ml/info). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** nearfeed's version from package.json, 'unknown' if it cannot be read. */
export const VERSION: string = readVersion();
