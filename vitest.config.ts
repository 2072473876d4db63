import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{schema,sdk,collector,test,viewer}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'viewer/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Whole-path tests start real collectors and browsers; two cores take two files at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
