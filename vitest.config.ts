import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start real HTTP servers; forks keep each file's process.env
    // (AWS endpoint variables) to itself.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
