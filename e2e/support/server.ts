/**
 * The server the suite runs against: the real `npm start` (prestart generates the test model and builds the
 * demo) on its in-memory defaults, no Redis, on E2E_PORT (default 8790, away from the dev default 8787).
 */
export const E2E_PORT = Number.parseInt(process.env.E2E_PORT ?? '8790', 10);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;

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
    EMBEDDING_MODEL: process.env.E2E_EMBEDDING_MODEL ?? 'models/generated/nearfeed-test',
  };
}
