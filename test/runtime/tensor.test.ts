// Tensors on in-realm devices: factories, add, read-back, errors at the call site, and memory
// returned to the caching allocator.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeviceLostError, formatBytes, MtiaError, OutOfMemoryError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { tensor, zeros } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 4 << 20 }));
afterAll(() => mtia.shutdown());

const allocatorOf = (index: number) => runtime.device(index).allocator;
const allocatedBytes = (index: number) => allocatorOf(index).stats.allocated_bytes[0].current;

describe('factories', () => {
  test('nested arrays give shape and float32 values', async () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect([t.shape, t.dtype, t.numel, t.ndim, String(t.device)]).toEqual([[2, 3], 'float32', 6, 2, 'mtia:0']);
    expect(Array.from(await t.toArray())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(String(t)).toBe('tensor(shape=[2, 3], dtype=float32, device=mtia:0)');
  });

  test('typed arrays keep their dtype; dtype converts; a number is 0-d; [] is empty', async () => {
    const ints = tensor(new Int32Array([1, -2, 3]));
    expect(ints.dtype).toBe('int32');
    expect(await ints.toArray()).toEqual(new Int32Array([1, -2, 3]));
    expect(await tensor([1.7, -2.2], { dtype: 'int32' }).toArray()).toEqual(new Int32Array([1, -2]));
    const scalar = tensor(2.5);
    expect([scalar.shape, scalar.numel]).toEqual([[], 1]);
    expect(Array.from(await scalar.toArray())).toEqual([2.5]);
    const empty = tensor([]);
    expect([empty.shape, empty.numel]).toEqual([[0], 0]);
    expect((await empty.toArray()).length).toBe(0);
  });

  test('zeros overwrites whatever the reused memory held', async () => {
    const dirty = tensor(new Float32Array(1000).fill(9));
    await dirty.toArray();
    dirty.free();
    await mtia.synchronize();
    const z = zeros([10, 100], { device: 'mtia:0' });
    expect((await z.toArray()).every((x) => x === 0)).toBe(true);
    expect(await zeros(3, { dtype: 'int32' }).toArray()).toEqual(new Int32Array(3));
  });

  test('bad arguments throw at the call site, before anything is queued', () => {
    const queue = runtime.device(0).defaultQueue;
    const before = queue.enqueued;
    expect(() => tensor([[1, 2], [3]])).toThrow(new MtiaError('expected sequence of length 2 at dim 1 (got 1)'));
    expect(() => tensor([1, 'x' as never])).toThrow(TypeError);
    expect(() => tensor(new Float64Array(2) as never)).toThrow('data must be a Float32Array, Int32Array, Int8Array or BigInt64Array, but got: Float64Array');
    expect(() => zeros([2, -1])).toThrow('Trying to create tensor with negative dimension -1: [2, -1]');
    expect(() => zeros([2], { dtype: 'float64' as never })).toThrow('dtype must be one of float32, float16, bfloat16, int8, int32, bool, int64, but got: float64');
    expect(() => tensor([1], { dtype: 'uint64' as never })).toThrow(TypeError);
    expect(() => zeros([2], { device: 'mtia:2' })).toThrow('Device index out of range: 2');
    expect(() => zeros([2], { device: 'cpu' })).toThrow('Expected a non cpu device, but got: cpu');
    expect(queue.enqueued).toBe(before);
  });
});

describe('add', () => {
  test('float32 and int32 results equal JavaScript arithmetic', async () => {
    const a = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 1e3);
    const b = Float32Array.from({ length: 1001 }, (_, i) => Math.cos(i) * 1e-3);
    const sum = await add(tensor(a), tensor(b)).toArray();
    expect(Array.from(sum)).toEqual(Array.from(a, (x, i) => Math.fround(x + b[i]!)));
    const ints = await tensor(new Int32Array([2147483647, 5])).add(tensor(new Int32Array([1, -6]))).toArray();
    expect(Array.from(ints)).toEqual([-2147483648, -1]);
  });

  test("errors in PyTorch's words, checked before anything is queued", () => {
    const a = tensor([1, 2, 3]);
    const other = tensor([1, 2, 3], { device: 1 });
    expect(() => add(a, other)).toThrow(
      'Expected all tensors to be on the same device, but found at least two devices, mtia:0 and mtia:1!',
    );
    expect(() => add(a, tensor([1, 2, 3, 4]))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0',
    );
    expect(() => add(a, 'x' as never)).toThrow(TypeError);
  });

  test('a freed tensor cannot be used; freeing twice is harmless', async () => {
    const a = tensor([1, 2]);
    a.free();
    a.free();
    expect(() => add(a, a)).toThrow('add: the tensor was freed (free() or using) and cannot be used any more');
    await expect(a.toArray()).rejects.toThrow('toArray: the tensor was freed');
  });
});

describe('device memory', () => {
  test('after a workload and its frees no memory is allocated again (staging included)', async () => {
    await mtia.synchronize(0);
    const baseline = allocatedBytes(0);
    {
      using a = tensor(new Float32Array(5000).fill(1));
      using b = zeros([5000]);
      using c = add(a, b);
      using d = add(c, c);
      expect(Array.from((await d.toArray()).slice(0, 2))).toEqual([2, 2]);
      expect(allocatedBytes(0)).toBeGreaterThanOrEqual(baseline + 4 * 20000);
    }
    expect(allocatedBytes(0)).toBe(baseline);
    await mtia.synchronize(0);
    expect(allocatedBytes(0)).toBe(baseline);
  });

  test('out of memory: a clear error with the numbers, and earlier tensors still read back', async () => {
    const keep = tensor(Float32Array.from({ length: 1024 }, (_, i) => i), { device: 1 });
    const { heap, stats } = allocatorOf(1);
    let error: unknown;
    try {
      zeros([2 << 20], { device: 1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const oom = error as OutOfMemoryError;
    expect([oom.device, oom.requestedBytes, oom.totalBytes]).toEqual([1, 8 << 20, 4 << 20]);
    expect([oom.freeBytes, oom.allocatedBytes, oom.reservedBytes]).toEqual([
      heap.freeBytes, stats.allocated_bytes[0].current, stats.reserved_bytes[0].current,
    ]);
    expect(oom.message).toBe(
      'MTIA out of memory. Tried to allocate 8.00 MiB. Device mtia:1 has a total capacity of 4.00 MiB of which 2.00 MiB is free. ' +
        `Of the allocated memory ${formatBytes(oom.allocatedBytes)} is allocated by tensors, and ` +
        `${formatBytes(oom.reservedBytes - oom.allocatedBytes)} is reserved by the caching allocator but unallocated.`,
    );
    expect(Array.from(await keep.toArray())).toEqual(Array.from({ length: 1024 }, (_, i) => i));
  });
});

describe('shutdown', () => {
  test('old tensors report the lost device; a new runtime works', async () => {
    const old = tensor([1]);
    await mtia.shutdown();
    expect(() => add(old, old)).toThrow(DeviceLostError);
    expect(() => add(old, old)).toThrow('mtia:0 was shut down');
    expect(Array.from(await tensor([4]).toArray())).toEqual([4]);
  });
});
