// int64 tensors through the built package with real device workers: factories, BigInt64Array
// read-back, conversions to and from every dtype against exact BigInt references, copies,
// views, cat and where with PyTorch's promotion, PyTorch's "not implemented for 'Long'" for
// arithmetic (thrown at the call, the device unharmed), and the same program in timing-only mode.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  add, arange, cat, full, manualSeed, matmul, mtia, neg, promoteTypes, randint, sum, tensor, where, zeros,
} from 'mtia-sim';
import type { Tensor } from 'mtia-sim';

beforeAll(async () => {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: false });
});
afterAll(() => mtia.shutdown());

const int64 = async (t: Tensor): Promise<bigint[]> => Array.from(await t.toArray<BigInt64Array>());

/**
 * The float32 nearest to integer `b`, ties to even, computed exactly on BigInts (what
 * static_cast<float>(int64_t) gives; no double rounding through a float64).
 */
function int64ToFloat32(b: bigint): number {
  const negative = b < 0n;
  let m = negative ? -b : b;
  const bits = m.toString(2).length;
  if (bits > 24) {
    const drop = BigInt(bits - 24);
    const kept = m >> drop;
    const rest = m - (kept << drop);
    const half = 1n << (drop - 1n);
    const up = rest > half || (rest === half && (kept & 1n) === 1n);
    m = (kept + (up ? 1n : 0n)) << drop;
  }
  const value = Number(m); // exact: at most 24 significant bits
  return negative ? -value : value;
}

// Values around the places where conversions go wrong: 2^24 ± 1 (float32's last exact
// integers), 2^31 (int32 wrap), 2^53 + 1 (a float64 would round first), ±2^62, -1, 0.
const edges = [0n, 1n, -1n, 127n, 128n, -129n, 2n ** 24n + 1n, 2n ** 24n + 3n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 53n + 1n,
  2n ** 62n + 2n ** 38n + 1n, -(2n ** 62n) - 2n ** 39n, 9007199791611905n];

describe('int64 tensors', () => {
  test('factories: BigInt64Array, bigint arrays (default int64), numbers with dtype int64 (truncated), full, zeros, arange', async () => {
    const a = tensor(BigInt64Array.from(edges));
    expect([a.dtype, a.shape, (a as unknown as { elementBytes: number }).elementBytes]).toEqual(['int64', [edges.length], 8]);
    const read = await a.toArray<BigInt64Array>();
    expect(read).toBeInstanceOf(BigInt64Array);
    expect(Array.from(read)).toEqual(edges);
    expect(await int64(tensor([[1n, -2n], [3n, 2n ** 40n]]))).toEqual([1n, -2n, 3n, 2n ** 40n]);
    expect(tensor([[1n, 2n]]).dtype).toBe('int64');
    expect(await int64(tensor([1.9, -1.9, 0.5, 2 ** 40 + 0.5], { dtype: 'int64' }))).toEqual([1n, -1n, 0n, 2n ** 40n]);
    expect(await int64(full([3], 2 ** 40, { dtype: 'int64' }))).toEqual([2n ** 40n, 2n ** 40n, 2n ** 40n]);
    expect(await int64(zeros([2], { dtype: 'int64' }))).toEqual([0n, 0n]);
    expect(await int64(arange(-3, 7, 3, { dtype: 'int64' }))).toEqual([-3n, 0n, 3n, 6n]);
    expect(() => tensor([Number.NaN], { dtype: 'int64' })).toThrow('tensor(): cannot convert NaN to int64');
    // randint in int64 draws the same Philox numbers as in int32 (the generator's stream, widened).
    manualSeed(7);
    const wide = await int64(randint(-5, 1000, [257], { dtype: 'int64' }));
    manualSeed(7);
    const narrow = Array.from(await randint(-5, 1000, [257], { dtype: 'int32' }).toArray());
    expect(wide).toEqual(narrow.map(BigInt));
    expect(wide.every((v) => v >= -5n && v < 1000n)).toBe(true);
  });

  test('to(dtype) both ways equals the exact BigInt references: float rounding to nearest-even, truncation, wrapping', async () => {
    const a = tensor(BigInt64Array.from(edges));
    expect(Array.from(await a.to('float32').toArray())).toEqual(edges.map(int64ToFloat32));
    expect(Array.from(await a.to('int32').toArray())).toEqual(edges.map((b) => Number(BigInt.asIntN(32, b))));
    expect(Array.from(await a.to('int8').toArray())).toEqual(edges.map((b) => Number(BigInt.asIntN(8, b))));
    expect(Array.from(await a.to('bool').toArray())).toEqual(edges.map((b) => (b !== 0n ? 1 : 0)));
    // Small values are exact in every float dtype.
    const small = [-3n, 0n, 5n, 100n];
    for (const dtype of ['float16', 'bfloat16'] as const) {
      expect(Array.from(await tensor(BigInt64Array.from(small)).to(dtype).toArray())).toEqual(small.map(Number));
    }
    // float32 → int64 truncates toward zero, exactly (float32 values are exact integers above 2^24).
    const floats = [1.75, -1.75, -0.5, 3e10, -(2 ** 62), 16777217];
    expect(await int64(tensor(floats).to('int64'))).toEqual(floats.map((x) => BigInt(Math.trunc(Math.fround(x)))));
    expect(await int64(tensor([-5, 7, 2 ** 31 - 1], { dtype: 'int32' }).to('int64'))).toEqual([-5n, 7n, 2n ** 31n - 1n]);
    expect(await int64(tensor([-128, 127], { dtype: 'int8' }).to('int64'))).toEqual([-128n, 127n]);
    expect(await int64(tensor([true, false]).to('int64'))).toEqual([1n, 0n]);
    expect(await int64(tensor([1.5, -2.5], { dtype: 'bfloat16' }).to('int64'))).toEqual([1n, -2n]);
  });

  test('views, contiguous copies, cat and where keep every bit; promotion follows PyTorch', async () => {
    const values = Array.from({ length: 12 }, (_, i) => 2n ** 40n * BigInt(i) - 5n);
    const a = tensor(BigInt64Array.from(values)).view(3, 4);
    const t = a.transpose(0, 1).contiguous();
    expect(t.shape).toEqual([4, 3]);
    expect(await int64(t)).toEqual([0, 1, 2, 3].flatMap((j) => [0, 1, 2].map((i) => values[i * 4 + j]!)));
    expect(await int64(a.slice(1, 1, 4, 2))).toEqual([1, 3, 5, 7, 9, 11].map((i) => values[i]!));
    const joined = cat([a.slice(0, 0, 1), tensor([[1, 2, 3, 4]], { dtype: 'int32' })]);
    expect(joined.dtype).toBe('int64');
    expect(await int64(joined)).toEqual([...values.slice(0, 4), 1n, 2n, 3n, 4n]);
    const condition = tensor([true, false, true, false]);
    const picked = where(condition, a.slice(0, 2, 3).view(4), tensor([-1, -2, -3, -4], { dtype: 'int32' }));
    expect(picked.dtype).toBe('int64');
    expect(await int64(picked)).toEqual([values[8]!, -2n, values[10]!, -4n]);
    expect(await int64(where(condition, a.slice(0, 0, 1).view(4), 9))).toEqual([values[0]!, 9n, values[2]!, 9n]);
    // A number past int32 travels as a filled 0-d int64 tensor, exact up to 2^53.
    expect(await int64(where(condition, -(2 ** 40), a.slice(0, 0, 1).view(4)))).toEqual([-(2n ** 40n), values[1]!, -(2n ** 40n), values[3]!]);
    const mixed = where(condition, tensor([1n, 2n, 3n, 4n]), tensor([0.5, 0.5, 0.5, 0.5]));
    expect([mixed.dtype, Array.from(await mixed.toArray())]).toEqual(['float32', [1, 0.5, 3, 0.5]]);
    expect([promoteTypes('int32', 'int64'), promoteTypes('int64', 'int8'), promoteTypes('bool', 'int64'), promoteTypes('int64', 'float16'), promoteTypes('bfloat16', 'int64')])
      .toEqual(['int64', 'int64', 'int64', 'float16', 'bfloat16']);
    const out = new BigInt64Array(4);
    expect(await tensor([4n, 3n, 2n, 1n]).toArray({ out })).toBe(out);
    expect(Array.from(out)).toEqual([4n, 3n, 2n, 1n]);
    await expect(async () => tensor([1n]).toArray({ out: new Int32Array(1) })).rejects.toThrow("toArray(): argument 'out' must be a BigInt64Array of 1 elements");
    const host = await tensor([7n, -8n]).cpu();
    expect([host.dtype, Array.from(await host.toArray<BigInt64Array>())]).toEqual(['int64', [7n, -8n]]);
    expect(await int64(host.to(0))).toEqual([7n, -8n]);
  });

  test("arithmetic on int64 throws PyTorch's \"not implemented for 'Long'\" at the call; the device goes on", async () => {
    const a = tensor([1n, 2n]);
    expect(() => add(a, a)).toThrow(`"add" not implemented for 'Long'`);
    expect(() => add(a, tensor([1, 2], { dtype: 'int32' }))).toThrow(`"add" not implemented for 'Long'`);
    expect(() => neg(a)).toThrow(`"neg" not implemented for 'Long'`);
    expect(() => sum(a)).toThrow(`not implemented for 'Long'`);
    expect(() => matmul(a.view(1, 2), a.view(2, 1))).toThrow(/Long/);
    // float + int64 promotes to the float, which is computed: only int64 results are refused.
    expect(Array.from(await add(tensor([0.5, 0.25]), a.to('float32')).toArray())).toEqual([1.5, 2.25]);
    expect(await int64(a)).toEqual([1n, 2n]);
    expect(mtia.memoryAllocated()).toBeGreaterThan(0);
  });
});

describe('int64 in timing-only mode', () => {
  test('conversions, copies and cat queue and time as in compute mode', async () => {
    const program = async (): Promise<number> => {
      const start = new mtia.Event({ enableTiming: true });
      const end = new mtia.Event({ enableTiming: true });
      start.record();
      const ids = arange(0, 4096, { dtype: 'int64' });
      const asFloat = ids.to('float32');
      const back = asFloat.to('int64');
      const joined = cat([ids, back]).view(2, 4096).transpose(0, 1).contiguous();
      end.record();
      await mtia.synchronize();
      for (const t of [ids, asFloat, back, joined]) t.free();
      return start.elapsedTime(end);
    };
    await mtia.shutdown(); // both runs start from a fresh device (an empty SRAM)
    mtia.configure({ deviceCount: 1, timingOnly: false });
    const compute = await program();
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    try {
      const timed = await program();
      expect(compute).toBeGreaterThan(0);
      expect(timed).toBe(compute);
    } finally {
      await mtia.shutdown();
      mtia.configure({ deviceCount: 1, timingOnly: false });
    }
  });
});
