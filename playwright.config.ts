/**
 * End-to-end suite: the real server (`npm start`) and Debian's Chromium, every non-local request aborted and
 * failing its test (e2e/support/fixtures.ts). One worker: the specs share one server whose candidate set
 * some of them change. Screenshots and traces land in test-results/.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/chromium';
import { E2E_BASE_URL, serverEnv } from './e2e/support/server';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: E2E_BASE_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'npm start',
    url: `${E2E_BASE_URL}/api/v1/ml/health`,
    env: serverEnv(),
    reuseExistingServer: false,
    // prestart generates the model and builds the demo (transformers.js + onnxruntime-web) first.
    timeout: 240_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
