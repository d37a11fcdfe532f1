/**
 * The server the suite runs against: the real `npm start` (prestart generates the test model and builds the
 * demo) on its in-memory defaults, no Redis. Its port is E2E_PORT when set, otherwise a free port picked once
 * by the runner process and handed to Playwright's workers through the environment, so two suite runs (or a
 * benchmark's server) on one machine never collide.
 */
import { execFileSync } from 'node:child_process';

/** Asks the OS for a free port (listen on 0, close). Synchronous because the config module cannot await. */
export function pickFreePort(): number {
  const script =
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});";
  const port = Number.parseInt(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }), 10);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`could not pick a free port (got ${port})`);
  return port;
}

function resolvePort(): number {
  const fromEnv = process.env.E2E_PORT;
  if (fromEnv !== undefined && fromEnv !== '') {
    const port = Number.parseInt(fromEnv, 10);
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`E2E_PORT=${fromEnv} is not a port (1..65535)`);
    return port;
  }
  const port = pickFreePort();
  // Workers are forked after the config loads in the runner, so they inherit this and agree on the port.
  process.env.E2E_PORT = String(port);
  return port;
}

export const E2E_PORT = resolvePort();
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;

/** Port of the fresh app that installs the packed browser package (e2e/package.spec.ts): another origin. */
export const E2E_APP_PORT = resolveAppPort();
export const E2E_APP_ORIGIN = `http://127.0.0.1:${E2E_APP_PORT}`;

function resolveAppPort(): number {
  const fromEnv = Number.parseInt(process.env.E2E_APP_PORT ?? '', 10);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const port = pickFreePort();
  process.env.E2E_APP_PORT = String(port);
  return port;
}

/**
 * Env of the server under test: in-memory store and cache, the generated test model from its folder, on the
 * CPU (no CUDA probe noise in the log). E2E_EMBEDDING_MODEL runs the suite on another model.
 */
export function serverEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.REDIS_URL;
  delete env.PROFILE_STORE;
  return {
    ML_DEVICE: 'cpu',
    ...env,
    PORT: String(E2E_PORT),
    // The packed-package app calls the server from its own origin.
    CORS_ORIGINS: [E2E_APP_ORIGIN, env.CORS_ORIGINS].filter(Boolean).join(','),
    EMBEDDING_MODEL: process.env.E2E_EMBEDDING_MODEL ?? 'models/generated/nearfeed-test',
  };
}
