// mtia.profiler through the built package, with real device workers draining the rings while
// the host issues: records read as ring slots are reused, while running and after stop().

import { afterAll, describe, expect, test } from 'vitest';
import { add, matmul, mtia, randn, tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** launch + compute + stall is the total, and the total is the time from ready to end. */
function expectConsistent(op: mtia.OpStats): void {
  const clockHz = mtia.getDeviceProperties(op.device).clockHz;
  const { total, launch, compute, stall } = op.cycles;
  expect(total).toBeGreaterThan(0);
  expect(Math.abs(launch + compute + stall - total)).toBeLessThanOrEqual(total * 1e-12);
  expect(Math.abs(((op.endNs - op.startNs) * clockHz) / 1e9 - total)).toBeLessThanOrEqual(total * 1e-9);
}

describe('mtia.profiler in workers', () => {
  test('a matmul on mtia:1 and a copy on mtia:0, in issue order', async () => {
    const a = randn([128, 512], { device: 1 });
    const b = randn([512, 256], { device: 1 });
    await mtia.synchronize(1);
    mtia.profiler.start();
    matmul(a, b);
    tensor(new Float32Array(256));
    await mtia.profiler.stop();
    const [mm, copy, ...rest] = mtia.profiler.opStats();
    expect(rest).toEqual([]);
    expect(mm).toMatchObject({ name: 'matmul', device: 1, stream: 0, shapes: [[128, 512], [512, 256], [128, 256]], dtype: 'float32', engine: 'dpe' });
    expect(mm!.tile).toEqual({ m: expect.any(Number), n: expect.any(Number), k: expect.any(Number), kSplit: expect.any(Number) });
    expect(mm!.tile!.m * mm!.tile!.n * mm!.tile!.k).toBeGreaterThan(0);
    expect(copy).toMatchObject({ name: 'copy_h2d', device: 0, engine: 'pcie', bound: expect.any(String), tile: undefined });
    expect(copy!.bytes.pcie).toBe(1024);
    expectConsistent(mm!);
    expectConsistent(copy!);
  });

  test('every one of 40 000 tiny ops is reported, each with its own record', async () => {
    const a = tensor(new Float32Array([1]));
    const b = tensor(new Float32Array([2]));
    await mtia.synchronize();
    mtia.profiler.start();
    const count = 40_000;
    for (let i = 0; i < count; i++) {
      add(a, b).free();
      if (i % 10_000 === 0) await new Promise((resolve) => setTimeout(resolve, 1)); // the worker catches up
    }
    const early = mtia.profiler.opStats().length; // those already run
    await mtia.profiler.stop();
    const ops = mtia.profiler.opStats();
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThanOrEqual(count);
    expect(ops.length).toBe(count);
    let unchained = 0;
    for (let i = 1; i < count; i++) if (Math.abs(ops[i]!.startNs - ops[i - 1]!.endNs) > 1e-6) unchained++;
    expect(unchained).toBe(0);
    add(a, b);
    await mtia.synchronize();
    expect(mtia.profiler.opStats().length).toBe(count);
  });
});
