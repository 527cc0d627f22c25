import { defineConfig } from 'vitest/config';

// Test tiers, by boundary: test/core (the wasm core called directly), test/runtime (host and
// firmware in one realm), test/api (the built package with real device workers).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
