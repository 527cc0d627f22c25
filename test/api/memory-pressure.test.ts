// Out-of-memory is the last resort: when cached memory only waits for queued work, the caching
// allocator waits for the device and retries (as CUDA's cudaFree synchronizes), and an op that
// fails gives its output back at once. Over the postMessage transport the host cannot block
// until the device moves (messages arrive only between tasks): there, such a request raises
// OutOfMemoryError, and the memory is back after any await of a wait (docs/reliability.md).

import { afterAll, describe, expect, test } from 'vitest';
import { exp, mtia, OutOfMemoryError, zeros } from 'mtia-sim';

const MiB = 1 << 20;
mtia.configure({ deviceCount: 1, memoryBytes: 32 * MiB });
afterAll(() => mtia.shutdown());

describe('memory pressure', () => {
  test('memory freed with work still queued is reclaimed by waiting, not reported as out of memory', async () => {
    await mtia.init();
    for (let trial = 0; trial < 3; trial++) {
      let x = zeros([(10 * MiB) / 4]);
      for (let k = 0; k < 20; k++) {
        const y = exp(x);
        x.free();
        x = y;
      }
      x.free();
      expect(mtia.memoryAllocated()).toBe(0);
      const before = mtia.memoryStats()['num_sync_all_streams'] as number;
      if (mtia.getDeviceProperties().transport === 'postMessage') {
        expect(() => zeros([(25 * MiB) / 4])).toThrow(OutOfMemoryError);
        await mtia.synchronize();
      }
      const big = zeros([(25 * MiB) / 4]); // needs the cached 10 MiB blocks' segments back
      expect(big.numel).toBe((25 * MiB) / 4);
      big.free();
      await mtia.synchronize();
      mtia.emptyCache();
      expect(mtia.memoryStats()['num_sync_all_streams']).toBeGreaterThanOrEqual(before);
    }
  });

  test('a request larger than the device still fails, and leaves nothing allocated', async () => {
    await mtia.synchronize();
    expect(() => zeros([(40 * MiB) / 4])).toThrow(OutOfMemoryError);
    expect(mtia.memoryAllocated()).toBe(0);
  });
});
