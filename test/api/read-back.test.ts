// Read-backs need no device memory (issue 11, finding 4): toArray() and cpu() read the tensor's
// own block once its stream has passed it, so they work on a full device and never count an
// out-of-memory; a tensor freed while its read-back is in flight still reads its own values.

import { afterAll, describe, expect, test } from 'vitest';
import { full, mtia, OutOfMemoryError, zeros, type Tensor } from 'mtia-sim';

const MiB = 1 << 20;
mtia.configure({ deviceCount: 1, memoryBytes: 8 * MiB });
afterAll(() => mtia.shutdown());

describe('read-back without staging', () => {
  test('five concurrent 1 MiB read-backs on an 8 MiB device succeed', async () => {
    const tensors = [1, 2, 3, 4, 5].map((k) => full([MiB / 4], k, { dtype: 'float32' }));
    const values = await Promise.all(tensors.map((t) => t.toArray()));
    values.forEach((v, k) => {
      expect(v.length).toBe(MiB / 4);
      expect(v.every((x) => x === k + 1)).toBe(true);
    });
    expect(mtia.memoryStats()['num_ooms']).toBe(0);
    for (const t of tensors) t.free();
  });

  test('a read-back on a full device succeeds and counts no out-of-memory', async () => {
    const held: Tensor[] = [];
    for (;;) {
      try {
        held.push(full([MiB / 8], held.length, { dtype: 'int32' }));
      } catch (error) {
        expect(error).toBeInstanceOf(OutOfMemoryError);
        break;
      }
    }
    expect(held.length).toBeGreaterThanOrEqual(14);
    const ooms = mtia.memoryStats()['num_ooms'];
    const last = held[held.length - 1]!;
    const [values, host] = await Promise.all([last.toArray(), held[0]!.cpu()]);
    expect(values.every((x) => x === held.length - 1)).toBe(true);
    expect(host.shape).toEqual([MiB / 8]);
    expect(mtia.memoryStats()['num_ooms']).toBe(ooms);
    for (const t of held) t.free();
    expect(mtia.memoryAllocated()).toBe(0);
  });

  test('a tensor freed while its read-back is in flight still reads its own values', async () => {
    const t = full([MiB / 4], 3, { dtype: 'float32' });
    const reading = t.toArray();
    t.free();
    const reuse = zeros([MiB / 4]); // would take t's block if the read did not hold it
    const values = await reading;
    expect(values.every((x) => x === 3)).toBe(true);
    reuse.free();
    await mtia.synchronize();
    expect(mtia.memoryAllocated()).toBe(0);
  });
});
