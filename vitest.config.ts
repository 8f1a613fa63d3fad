import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // e2e tests spawn real process trees; two cores do not take more than two files at once.
    maxWorkers: 2,
  },
});
