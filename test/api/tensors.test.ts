// The tensor library of the built package with real device workers: kernels computing in the
// workers, copies between devices, host arrays per dtype, and a device-side failure reported
// at the next wait. Values are checked against test/support/reference.ts.

import { afterAll, describe, expect, test } from 'vitest';
import { CpuTensor, cat, embeddingBag, layerNorm, linear, manualSeed, matmul, mtia, rand, softmax, sum, tensor } from 'mtia-sim';
import type { Tensor } from 'mtia-sim';
import { matmulReference, randomValues, worstError } from '../support/reference.js';

afterAll(() => mtia.shutdown());

describe('tensors on device workers', () => {
  test('a 67 × 45 × 129 float32 matmul with a transposed operand equals the float64 product', async () => {
    const [m, k, n] = [67, 129, 45];
    const a = randomValues(m * k, 1).map(Math.fround);
    const bT = randomValues(n * k, 2).map(Math.fround);
    const b = Array.from({ length: k * n }, (_, i) => bT[(i % n) * k + Math.floor(i / n)]!);
    const out = matmul(tensor(Float32Array.from(a)).view(m, k), tensor(Float32Array.from(bT)).view(n, k).transpose(0, 1));
    // Tolerance: float32 accumulation over k = 129 terms in [-1, 1): 1e-5 relative plus 1e-6 · k.
    expect(worstError(await out.toArray(), matmulReference(a, b, m, n, k), 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
  });

  test('toArray gives each dtype its host array; to(device) copies between workers; cpu() is a host tensor', async () => {
    const values = [-2, 0, 1, 3];
    const arrays = await Promise.all((['float32', 'float16', 'bfloat16', 'int8', 'int32', 'bool'] as const).map((dtype) => tensor(values, { dtype }).toArray()));
    expect(arrays.map((a) => a.constructor.name)).toEqual(['Float32Array', 'Float32Array', 'Float32Array', 'Int8Array', 'Int32Array', 'Uint8Array']);
    expect(arrays.map((a) => Array.from(a))).toEqual([values, values, values, values, values, [1, 0, 1, 1]]);
    const x = tensor([[1, 2], [3, 4]], { dtype: 'bfloat16' }).transpose(0, 1);
    const moved = (await x.to('mtia:1')) as Tensor;
    expect([String(moved.device), moved.dtype, moved.shape]).toEqual(['mtia:1', 'bfloat16', [2, 2]]);
    expect(Array.from(await moved.toArray())).toEqual([1, 3, 2, 4]);
    const host = await moved.cpu();
    expect(host).toBeInstanceOf(CpuTensor);
    expect([String(host.device), Array.from(await host.toArray())]).toEqual(['cpu', [1, 3, 2, 4]]);
    expect(Array.from(await host.to(0).toArray())).toEqual([1, 3, 2, 4]);
  });

  test('a small model step on mtia:1: linear, layerNorm, softmax, sum, cat, embeddingBag', async () => {
    mtia.setDevice(1);
    try {
      manualSeed(5);
      const x = rand([4, 6]);
      const w = rand([3, 6]);
      const y = softmax(layerNorm(linear(x, w), 3), -1);
      expect(Array.from(await sum(y, 1).toArray()).every((s) => Math.abs(s - 1) < 1e-6)).toBe(true);
      const bags = embeddingBag(tensor(new Int32Array([0, 2, 1])), tensor([[1, 1], [2, 2], [4, 4]]), tensor(new Int32Array([0, 2])), { mode: 'sum' });
      expect(Array.from(await cat([bags, bags], 1).toArray())).toEqual([5, 5, 5, 5, 2, 2, 2, 2]);
    } finally {
      mtia.setDevice(0);
    }
  });

  test('an index out of range is found by the device worker and reported at the next wait', async () => {
    const out = embeddingBag(tensor(new Int32Array([3])), tensor([[1, 2]]), tensor(new Int32Array([0])));
    await expect(out.toArray()).rejects.toThrow('index out of range in self');
    expect(Array.from(await tensor([1]).toArray())).toEqual([1]); // the device keeps working
  });
});
