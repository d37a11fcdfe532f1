/**
 * `npm run build:demo`: builds the demo into a fresh folder beside dist/demo and swaps it in, so a server
 * already serving dist/demo (another `npm start`, a benchmark, an e2e run) never sees a half-emptied folder.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const target = fileURLToPath(new URL('../dist/demo', import.meta.url));
const staging = `${target}.${process.pid}.tmp`;
const retired = `${target}.${process.pid}.old`;

try {
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    build: { outDir: staging, emptyOutDir: true },
    logLevel: 'warn',
  });
  if (existsSync(target)) renameSync(target, retired);
  renameSync(staging, target);
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(retired, { recursive: true, force: true });
}
console.log(`demo built into ${target}`);
