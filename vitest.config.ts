import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/no-network.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: model-loading suites in parallel only fight each other.
    fileParallelism: false,
  },
});
