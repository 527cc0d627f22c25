import { defineConfig } from 'vitest/config';

// Test tiers, by boundary: test/core (the wasm core called directly), test/runtime (host and
// firmware in one realm), test/api (the built package with real device workers). The
// "postMessage" project runs api suites again over the postMessage transport (the same
// semantics without shared memory: src/runtime/message-transport.ts).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'postMessage',
          include: [
            'test/api/streams.test.ts', 'test/api/read-back.test.ts', 'test/api/errors.test.ts',
            'test/api/fault-injection.test.ts', 'test/api/progress.test.ts', 'test/api/profiler.test.ts',
            'test/api/tensors.test.ts', 'test/api/graphs.test.ts', 'test/api/devices.test.ts',
            'test/api/memory.test.ts', 'test/api/lifecycle.test.ts', 'test/api/memory-pressure.test.ts',
            'test/api/timing-only.test.ts', 'test/api/arguments.test.ts',
            'test/api/sram-cache.test.ts',
          ],
          setupFiles: ['test/support/over-postmessage.ts'],
        },
      },
    ],
  },
});
