// Read-backs need no device memory (issue 11, finding 4): toArray() and cpu() read the tensor's
// own block once its stream has passed it, so they work on a full device and never count an
// out-of-memory; a tensor freed while its read-back is in flight still reads its own values.
// The bytes go straight from device memory into the returned array (issue 13), on an idle
// stream and on one with work still ahead of the read, where the host array is prepared while
// the device runs that work.

import { afterAll, describe, expect, test } from 'vitest';
import { add, full, matmul, mtia, OutOfMemoryError, rand, tensor, zeros, type Tensor } from 'mtia-sim';

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

/** `count` float32 values from a fixed linear congruential sequence, some negative. */
function hostValues(count: number, seed: number): Float32Array {
  const v = new Float32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    v[i] = x / 2 ** 31 - 1;
  }
  return v;
}

/** The first index where `a` and `b` differ bit for bit (or in length), else -1. */
function firstDifference(a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, b: typeof a): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (Buffer.compare(x, y) === 0) return -1;
  const bytes = a.byteLength / a.length;
  return Math.floor(x.findIndex((byte, k) => byte !== y[k]) / bytes);
}

describe('read-back straight into the host array', () => {
  test('on an idle stream: the uploaded values, bit for bit, in an array of its own', async () => {
    const host = hostValues(MiB / 4, 1);
    const t = tensor(host);
    await mtia.synchronize();
    const values = await t.toArray();
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(firstDifference(values, host)).toBe(-1);
    values.fill(0); // the host copy is the caller's: changing it leaves the tensor alone
    expect(firstDifference(await t.toArray(), host)).toBe(-1);
    t.free();
  });

  test('with work ahead on the stream: read after that work, which wrote the tensor', async () => {
    const host = hostValues(MiB / 4, 2);
    const a = rand([256, 256]);
    const b = rand([256, 256]);
    const x = tensor(host);
    const busy = [1, 2, 3, 4].map(() => matmul(a, b)); // keeps the stream busy past the toArray() call
    const doubled = add(x, x);
    const values = await doubled.toArray();
    expect(firstDifference(values, host.map((v) => v + v))).toBe(-1); // v + v is exact in float32
    for (const t of [a, b, x, doubled, ...busy]) t.free();
  });

  test('uploads from a typed array with an offset into its buffer, float32 and int32', async () => {
    const floats = hostValues(5000, 3);
    const ints = Int32Array.from(floats, (v) => Math.round(v * 1e6));
    const f = tensor(floats.subarray(7, 4007));
    const i = tensor(ints.subarray(13, 4013));
    const [fv, iv] = await Promise.all([f.toArray(), i.toArray()]);
    expect(fv).toEqual(floats.slice(7, 4007));
    expect(iv).toBeInstanceOf(Int32Array);
    expect(iv).toEqual(ints.slice(13, 4013));
    f.free();
    i.free();
    await mtia.synchronize();
    expect(mtia.memoryAllocated()).toBe(0);
  });
});

describe('read-back into the caller\'s array (toArray({ out }))', () => {
  test('fills `out`, resolves with it, after the work ahead on the stream', async () => {
    const host = hostValues(MiB / 4, 4);
    const x = tensor(host);
    const doubled = add(x, x);
    const out = new Float32Array(MiB / 4).fill(7);
    const values = await doubled.toArray({ out });
    expect(values).toBe(out);
    expect(firstDifference(out, host.map((v) => v + v))).toBe(-1);
    // A view into a larger buffer: only its own elements are written.
    const backing = new Int32Array(10).fill(-1);
    const ints = tensor([1, 2, 3], { dtype: 'int32' });
    await ints.toArray({ out: backing.subarray(4, 7) });
    expect(Array.from(backing)).toEqual([-1, -1, -1, -1, 1, 2, 3, -1, -1, -1]);
    for (const t of [x, doubled, ints]) t.free();
  });

  test('bfloat16 and a non-contiguous view go through their float32 copy into `out`', async () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'bfloat16' });
    const out = new Float32Array(6);
    await m.transpose(0, 1).toArray({ out });
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
    m.free();
  });

  test('a wrong `out` is an error at the call, naming it, what was expected and what was given', () => {
    const t = zeros([2, 3]);
    expect(() => t.toArray({ out: new Int32Array(6) })).toThrow(
      new TypeError("toArray(): argument 'out' must be a Float32Array of 6 elements (the host array of a float32 tensor of shape [2, 3]), but got Int32Array"),
    );
    expect(() => t.toArray({ out: new Float32Array(5) })).toThrow(RangeError);
    expect(() => t.toArray({ out: new Float32Array(5) })).toThrow(/but got a Float32Array of 5 elements/);
    expect(() => t.toArray({ out: [0, 0, 0, 0, 0, 0] as never })).toThrow(/but got \[0, 0, 0, 0, 0, 0\]$/);
    expect(() => t.toArray({ outt: new Float32Array(6) } as never)).toThrow(/unexpected keyword argument 'outt' \(did you mean 'out'\?\)/);
    t.free();
  });
});
