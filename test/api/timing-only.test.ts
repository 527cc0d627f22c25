// Timing-only mode (mtia.configure({ timingOnly: true })) with real device workers: the same
// program reports the same simulated times in both modes; device memory is the profile's DRAM,
// far past this machine's; values cannot be read; streams, events, stats and snapshots work.

import { afterAll, describe, expect, test } from 'vitest';
import {
  OutOfMemoryError, add, cat, embeddingBag, empty, full, layerNorm, matmul, maxPool2d, mtia, randn, softmax, sum, tensor,
} from 'mtia-sim';
import type { Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** A mixed program on two streams; returns the simulated ms of each timed interval. */
async function program(): Promise<number[]> {
  const timed = () => new mtia.Event({ enableTiming: true });
  const marks = [timed()];
  marks[0]!.record();
  const x = tensor(Float32Array.from({ length: 64 * 96 }, (_, i) => (i % 13) - 6)).view(64, 96);
  const w = randn([96, 128]);
  const y = softmax(add(matmul(x, w), 1), -1);
  marks.push(mtia.currentStream().recordEvent(timed()));
  const side = new mtia.Stream();
  side.waitEvent(marks[1]!);
  const z = mtia.withStream(side, () => layerNorm(cat([y, y], 0), [128]));
  marks.push(side.recordEvent(timed()));
  const table = randn([1000, 32], { dtype: 'bfloat16' });
  const bags = embeddingBag(tensor([1, 5, 7, 9, 999, 0], { dtype: 'int32' }), table, tensor([0, 2, 3], { dtype: 'int32' }));
  const total = sum(matmul(randn([256, 512], { dtype: 'bfloat16' }), randn([512, 256], { dtype: 'bfloat16' })));
  marks.push(mtia.currentStream().recordEvent(timed()));
  await mtia.synchronize();
  for (const t of [x, w, y, z, table, bags, total]) t.free();
  return marks.slice(1).map((mark) => marks[0]!.elapsedTime(mark));
}

describe('timing-only mode', () => {
  test('the same program reports the same simulated times in compute and timing-only mode', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    const compute = await program();
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const timingOnly = await program();
    expect(compute.every((ms) => ms > 0)).toBe(true);
    expect(timingOnly).toEqual(compute);
  });

  test('device memory is the profile\'s 128 GiB of DRAM: 13 GB of weights fit, stats and snapshots see them', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    await mtia.init();
    mtia.recordMemoryHistory({ enabled: 'all' });
    const [, total] = mtia.getMemoryInfo();
    expect(total).toBe(128 * 2 ** 30);
    expect(mtia.getDeviceProperties().totalMemory).toBe(128 * 2 ** 30);
    expect(mtia.getDeviceProperties().dramBytes).toBe(128 * 2 ** 30);
    // A 7B decoder stack's projections in float16: 32 × (4 · 4096² + 3 · 4096 · 11008) · 2 B.
    const weights = [];
    for (let layer = 0; layer < 32; layer++) {
      for (let i = 0; i < 4; i++) weights.push(empty([4096, 4096], { dtype: 'float16' }));
      for (let i = 0; i < 3; i++) weights.push(empty([11008, 4096], { dtype: 'float16' }));
    }
    const bytes = 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008) * 2;
    expect(mtia.memoryAllocated()).toBe(bytes);
    const snapshot = mtia.snapshot();
    expect(snapshot.segments.reduce((sum, s) => sum + s.allocated_size, 0)).toBe(bytes);
    // The history saw every weight's allocation, at addresses past 4 GiB once they were due.
    const allocs = snapshot.device_traces[0]!.filter((entry) => entry.action === 'alloc');
    expect(allocs.length).toBe(weights.length);
    expect(Math.max(...allocs.map((entry) => entry.addr ?? 0))).toBeGreaterThan(2 ** 32);
    mtia.recordMemoryHistory({ enabled: null });
    const token = empty([1, 4096], { dtype: 'float16' });
    const out = matmul(token, weights[0]!);
    await mtia.synchronize();
    expect(out.shape).toEqual([1, 4096]);
    // 128 GiB is the limit: another 120 GiB does not fit.
    expect(() => empty([120 * 2 ** 29], { dtype: 'float16' })).toThrow(OutOfMemoryError);
    for (const t of [...weights, token, out]) t.free();
    mtia.emptyCache();
    expect(mtia.memoryReserved()).toBe(0);
  });

  test('reading values throws an error that names the mode', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const x = tensor([1, 2, 3]);
    await expect(x.toArray()).rejects.toThrow(/timing-only mode \(mtia\.configure\(\{ timingOnly: true \}\)\)/);
    await expect(add(x, 1).toArray()).rejects.toThrow(/cannot read values from mtia:0/);
    await expect(x.cpu()).rejects.toThrow(/timing-only mode/);
    x.free();
  });

  test('a DRAM-bound add and a DRAM-bound cat on two streams take about as long as in sequence; beside a GEMM, an add overlaps', async () => {
    const timed = () => new mtia.Event({ enableTiming: true });
    /**
     * Simulated ms, on a fresh device (so the SRAM starts empty), from a synchronized start until
     * `work` is done on streams s1 and s2. 512 MiB operands are twice the SRAM: the add and the
     * cat stream from DRAM; the GEMM's operands were just produced, so they are in SRAM; the
     * 32 MiB operands of the small add are cold (in DRAM) but leave room for the GEMM's.
     */
    const span = async (work: (t: Record<string, Tensor>, s1: mtia.Stream, s2: mtia.Stream) => void) => {
      await mtia.shutdown();
      mtia.configure({ deviceCount: 1, timingOnly: true });
      const t = {
        a: empty([128 * 2 ** 20]), b: empty([128 * 2 ** 20]), c: empty([64 * 2 ** 20]), d: empty([64 * 2 ** 20]),
        e: empty([8 * 2 ** 20]), f: empty([8 * 2 ** 20]),
        x: randn([2048, 2048], { dtype: 'bfloat16' }), w: randn([2048, 2048], { dtype: 'bfloat16' }),
      };
      const streams = [new mtia.Stream(), new mtia.Stream()] as const;
      await mtia.synchronize();
      const start = timed();
      start.record();
      for (const s of streams) s.waitEvent(start);
      work(t, ...streams);
      const ends = streams.map((s) => s.recordEvent(timed()));
      await mtia.synchronize();
      return Math.max(...ends.map((end) => start.elapsedTime(end)));
    };
    const addOn = (s: mtia.Stream, t: Record<string, Tensor>) => mtia.withStream(s, () => add(t.a!, t.b!).free());
    const catOn = (s: mtia.Stream, t: Record<string, Tensor>) => mtia.withStream(s, () => cat([t.c!, t.d!]).free());
    const gemmOn = (s: mtia.Stream, t: Record<string, Tensor>) => mtia.withStream(s, () => matmul(t.x!, t.w!).free());
    const sequence = await span((t, s1) => (addOn(s1, t), catOn(s1, t)));
    const together = await span((t, s1, s2) => (addOn(s1, t), catOn(s2, t)));
    expect(together / sequence).toBeGreaterThan(0.95);
    expect(together / sequence).toBeLessThanOrEqual(1);
    const gemm = await span((t, _s1, s2) => gemmOn(s2, t));
    const smallAddOn = (s: mtia.Stream, t: Record<string, Tensor>) => mtia.withStream(s, () => add(t.e!, t.f!).free());
    const addAlone = await span((t, s1) => smallAddOn(s1, t));
    const beside = await span((t, s1, s2) => (smallAddOn(s1, t), gemmOn(s2, t)));
    expect(addAlone).toBeGreaterThan(gemm / 2);
    expect(beside).toBeCloseTo(Math.max(gemm, addAlone), 9);
  });

  test('a bad timingOnly option is refused by configure()', async () => {
    await mtia.shutdown();
    expect(() => mtia.configure({ timingOnly: 'yes' as unknown as boolean })).toThrow('configure(): timingOnly must be a boolean, but got: string');
  });

  // Issue 21 finding 5: the core's count, size and stride words were 32-bit, so an op past them
  // was timed modulo 2^32 (an add of 2^32 int8 elements: 0.001 ms) or rejected at the next wait
  // (status 13). They are 64-bit now (ABI 10): each op of the issue is timed in full, growing
  // with its size across 2^32, and nothing is refused.
  test('sizes of 2^32 elements and more are timed in full, across the 2^32 boundary', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const elapsedMs = async (fn: () => Tensor): Promise<number> => {
      const [start, end] = [new mtia.Event({ enableTiming: true }), new mtia.Event({ enableTiming: true })];
      start.record();
      const out = fn();
      end.record();
      await end.synchronize();
      out.free();
      return start.elapsedTime(end);
    };
    /** Times `op` on fresh int8 tensors of `n` elements (fresh: each run starts cold in SRAM). */
    const int8Op = async (n: number, op: (a: Tensor, b: Tensor) => Tensor): Promise<number> => {
      const [a, b] = [empty([n], { dtype: 'int8' }), empty([n], { dtype: 'int8' })];
      try {
        return await elapsedMs(() => op(a, b));
      } finally {
        a.free();
        b.free();
      }
    };
    const sizes = [2 ** 31, 2 ** 32 - 512, 2 ** 32, 2 ** 32 + 2 ** 30, 2 ** 33];
    const adds: number[] = [];
    const sums: number[] = [];
    for (const n of sizes) {
      adds.push(await int8Op(n, (a, b) => add(a, b)));
      sums.push(await int8Op(n, (a) => sum(a)));
    }
    for (let i = 1; i < sizes.length; i++) {
      expect(adds[i]).toBeGreaterThan(adds[i - 1]!); // 512 more elements are 1.5 KiB more DRAM traffic: a few ns
      expect(sums[i]).toBeGreaterThan(sums[i - 1]!);
    }
    // DRAM-bound streams: time ≈ proportional to the elements (the launch and the SRAM's share aside).
    for (let i = 1; i < sizes.length; i++) {
      const ratio = sizes[i]! / sizes[0]!;
      for (const times of [adds, sums]) {
        expect(times[i]! / times[0]! / ratio).toBeGreaterThan(0.97);
        expect(times[i]! / times[0]! / ratio).toBeLessThan(1.05);
      }
    }
    expect(adds[2]).toBeGreaterThan(60); // 3 × 4 GiB through 198.7 GB/s of DRAM: 63.5 ms on mtia-v2
    expect(sums[2]).toBeGreaterThan(20);

    // An LLM's logits: bfloat16 [8192, 4096] @ [4096, 131072], a 4 GiB packing workspace; and a
    // softmax of [2, 2^31] float16 (a row stride of 2^31 elements). Each twice the work of the
    // same op with N or the row halved, and about twice the time.
    const logits = async (n: number) => {
      const [x, w] = [empty([8192, 4096], { dtype: 'bfloat16' }), empty([4096, n], { dtype: 'bfloat16' })];
      try {
        return await elapsedMs(() => matmul(x, w));
      } finally {
        x.free();
        w.free();
      }
    };
    const rows = async (length: number) => {
      const x = empty([2, length], { dtype: 'float16' });
      try {
        return await elapsedMs(() => softmax(x, -1));
      } finally {
        x.free();
      }
    };
    const [matmulHalf, matmulFull] = [await logits(65536), await logits(131072)];
    expect(matmulFull / matmulHalf).toBeGreaterThan(1.9);
    expect(matmulFull / matmulHalf).toBeLessThan(2.1);
    const [softmaxHalf, softmaxFull] = [await rows(2 ** 30), await rows(2 ** 31)];
    expect(softmaxFull / softmaxHalf).toBeGreaterThan(1.9);
    expect(softmaxFull / softmaxHalf).toBeLessThan(2.1);
    // A fill of 2^32 + 8 elements is timed too; nothing was refused, and memory is back to 0.
    expect(await elapsedMs(() => full([2 ** 32 + 8], 1, { dtype: 'int8' }))).toBeGreaterThan(10);
    await mtia.synchronize();
    expect(mtia.memoryAllocated()).toBe(0);
  });

  test('ops whose geometry is 32-bit (conv, pool, attention, resize) refuse past it at the call; values mode runs out of memory first', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    // A batch stride of 2^31 elements: past the i32 strides conv and pool kernels read.
    const x = empty([2, 2, 2 ** 15, 2 ** 15], { dtype: 'float16' });
    expect(() => maxPool2d(x, 2)).toThrow(/maxPool2d: an element stride of 2147483648 does not fit the simulated core's 32-bit word for it/);
    x.free();
    await mtia.synchronize();
    expect(mtia.memoryAllocated()).toBe(0); // the refused op's output is freed with the error
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    expect(() => empty([2 ** 32], { dtype: 'int8' })).toThrow(OutOfMemoryError);
    expect(() => full([2 ** 32 + 2 ** 30], 1, { dtype: 'int8' })).toThrow(OutOfMemoryError);
    expect(mtia.memoryAllocated()).toBe(0);
  });
});
