// The ops of issue 19 (elementwise kinds, comparisons, pad, resize, interpolate, cumsum, topk)
// in timing-only mode with real device workers: the same program reports the same simulated
// times as in compute mode, shapes and dtypes are the same, and values cannot be read.

import { afterAll, describe, expect, test } from 'vitest';
import {
  abs, cumsum, empty, eq, erf, gt, hardSigmoid, hardSwish, interpolate, leakyRelu, logicalAnd, logicalNot, mtia, pad, pow,
  reciprocal, resize, topk,
} from 'mtia-sim';
import type { Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** Every new op once on [8, 16, 32, 32] float32 inputs; returns the ms of each, its outputs' shapes and dtypes, and the outputs. */
async function program(): Promise<{ ms: number[]; outputs: Tensor[] }> {
  const x = empty([8, 16, 32, 32]);
  const y = empty([8, 16, 32, 32]);
  await mtia.synchronize();
  const ops: (() => Tensor)[] = [
    () => erf(x), () => abs(x), () => reciprocal(x), () => pow(x, y), () => leakyRelu(x), () => hardSigmoid(x), () => hardSwish(x),
    () => logicalNot(x), () => eq(x, y), () => gt(x, 0.5), () => logicalAnd(x, y), () => pad(x, [1, 2, 3, 4]),
    () => pad(x, [2, 2, 2, 2], { mode: 'reflect' }), () => resize(x, { scales: [2, 2], mode: 'linear' }),
    () => interpolate(x, { scaleFactor: 0.5 }), () => cumsum(x, 1), () => topk(x, 5).values,
  ];
  const ms: number[] = [];
  const outputs: Tensor[] = [];
  for (const op of ops) {
    const start = new mtia.Event({ enableTiming: true });
    const end = new mtia.Event({ enableTiming: true });
    start.record();
    outputs.push(op());
    end.record();
    await mtia.synchronize();
    ms.push(start.elapsedTime(end));
  }
  return { ms, outputs };
}

describe('issue-19 ops in timing-only mode', () => {
  test('take the same simulated time as in compute mode, with the same shapes and dtypes; values cannot be read', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    const compute = await program();
    const shapes = compute.outputs.map((t) => [t.shape, t.dtype]);
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const timingOnly = await program();
    expect(compute.ms.every((ms) => ms > 0)).toBe(true);
    expect(timingOnly.ms).toEqual(compute.ms);
    expect(timingOnly.outputs.map((t) => [t.shape, t.dtype])).toEqual(shapes);
    await expect(timingOnly.outputs[0]!.toArray()).rejects.toThrow(/timing-only mode/);
  });
});
