// batchNorm, groupNorm and rmsNorm through the built package with real device workers, against
// the float64 references of test/support/normalization-reference.ts (PyTorch's documented
// definitions). Tolerances: statistics accumulate in f64 and the output is one float32 rounding
// (1e-6 absolute + 1e-5 relative covers the normalised values, a few units); float16 and
// bfloat16 outputs are one rounding of that (2⁻¹⁰, 2⁻⁷ relative with a small absolute floor).

import { afterAll, describe, expect, test } from 'vitest';
import { MtiaError, ValueError, batchNorm, empty, groupNorm, mtia, rmsNorm, tensor } from 'mtia-sim';
import type { DType, Tensor } from 'mtia-sim';
import { batchNormReference, groupNormReference, rmsNormReference } from '../support/normalization-reference.js';
import { randomValues, storeAs, worstError } from '../support/reference.js';

afterAll(() => mtia.shutdown());

const TOLERANCE: Record<string, [atol: number, rtol: number]> = {
  float32: [1e-6, 1e-5],
  float16: [1e-3, 2 ** -10],
  bfloat16: [8e-3, 2 ** -7],
};

let seed = 100;

/** Random values in [low, high) exactly representable in `dtype`, flat and as a device tensor. */
function values(shape: number[], dtype: DType = 'float32', low = -1, high = 1): { data: number[]; t: Tensor } {
  const data = randomValues(shape.reduce((n, s) => n * s, 1), seed++, low, high).map((x) => storeAs(dtype, x));
  return { data, t: tensor(data, { dtype }).view(shape) };
}

/** Worst error of `out` against `expected` at `out`'s dtype's tolerance. */
async function error(out: Tensor, expected: number[]): Promise<number> {
  const [atol, rtol] = TOLERANCE[out.dtype]!;
  return worstError(await out.toArray(), expected, atol, rtol);
}

describe('batchNorm (inference)', () => {
  test('[N=3, C=4, 5, 6] float32 with running statistics, weight and bias', async () => {
    const x = values([3, 4, 5, 6], 'float32', -3, 3);
    const mean = values([4]), variance = values([4], 'float32', 0.1, 2), weight = values([4]), bias = values([4]);
    const out = batchNorm(x.t, mean.t, variance.t, { weight: weight.t, bias: bias.t, eps: 1e-3 });
    expect(out.shape).toEqual([3, 4, 5, 6]);
    expect(await error(out, batchNormReference(x.data, 3, 4, 30, mean.data, variance.data, 1e-3, weight.data, bias.data))).toBeLessThanOrEqual(1);
  });

  test('2-d [N, C] input, no affine parameters, default eps 1e-5; a transposed input is read correctly', async () => {
    const x = values([6, 5]);
    const mean = values([5]), variance = values([5], 'float32', 0.5, 1.5);
    expect(await error(batchNorm(x.t, mean.t, variance.t), batchNormReference(x.data, 6, 5, 1, mean.data, variance.data, 1e-5))).toBeLessThanOrEqual(1);
    const xt = values([5, 6]);
    const transposed = Array.from({ length: 30 }, (_, i) => xt.data[(i % 5) * 6 + Math.floor(i / 5)]!);
    expect(await error(batchNorm(xt.t.transpose(0, 1), mean.t, variance.t), batchNormReference(transposed, 6, 5, 1, mean.data, variance.data, 1e-5))).toBeLessThanOrEqual(1);
  });

  test('float16 and bfloat16 inputs with float32 running statistics (mixed dtypes, as torch allows)', async () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const x = values([2, 3, 8], dtype, -2, 2);
      const mean = values([3]), variance = values([3], 'float32', 0.2, 1), weight = values([3], dtype);
      const out = batchNorm(x.t, mean.t, variance.t, { weight: weight.t });
      expect(out.dtype).toBe(dtype);
      expect(await error(out, batchNormReference(x.data, 2, 3, 8, mean.data, variance.data, 1e-5, weight.data))).toBeLessThanOrEqual(1);
    }
  });

  test('bad arguments: training, momentum, channel counts, dims, misspelled options', () => {
    const x = empty([2, 3, 4]);
    const stats = empty([3]);
    expect(() => batchNorm(x, stats, stats, { training: true })).toThrow('training=true is not supported by mtia-sim');
    expect(() => batchNorm(x, stats, stats, { momentum: 0.1 })).toThrow('momentum is not supported by mtia-sim');
    expect(() => batchNorm(x, empty([4]), stats)).toThrow(new MtiaError('running_mean should contain 3 elements not 4'));
    expect(() => batchNorm(x, stats, empty([2]))).toThrow(new MtiaError('running_var should contain 3 elements not 2'));
    expect(() => batchNorm(x, stats, stats, { weight: empty([5]) })).toThrow(new MtiaError('weight should contain 3 elements not 5'));
    expect(() => batchNorm(empty([3]), stats, stats)).toThrow(ValueError);
    expect(() => batchNorm(empty([2, 3], { dtype: 'int32' }), stats, stats)).toThrow('"batch_norm" not implemented for \'Int\'');
    expect(() => batchNorm(x, stats, stats, { epsilon: 1 } as never)).toThrow("batchNorm() got an unexpected keyword argument 'epsilon'");
  });
});

describe('groupNorm', () => {
  test('[N=2, C=6, 4, 5] in 3 groups, with weight and bias, and in 1 and 6 groups without', async () => {
    const x = values([2, 6, 4, 5], 'float32', -2, 4);
    const weight = values([6]), bias = values([6]);
    const out = groupNorm(x.t, 3, { weight: weight.t, bias: bias.t });
    expect(await error(out, groupNormReference(x.data, 2, 6, 20, 3, 1e-5, weight.data, bias.data))).toBeLessThanOrEqual(1);
    for (const groups of [1, 6]) {
      expect(await error(groupNorm(x.t, groups, { eps: 1e-2 }), groupNormReference(x.data, 2, 6, 20, groups, 1e-2))).toBeLessThanOrEqual(1);
    }
  });

  test('a 2-d [N, C] input and a 3-d one in float16 and bfloat16', async () => {
    const flat = values([4, 6]);
    expect(await error(groupNorm(flat.t, 2), groupNormReference(flat.data, 4, 6, 1, 2, 1e-5))).toBeLessThanOrEqual(1);
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const x = values([2, 4, 7], dtype, -2, 2);
      const weight = values([4], dtype);
      expect(await error(groupNorm(x.t, 2, { weight: weight.t }), groupNormReference(x.data, 2, 4, 7, 2, 1e-5, weight.data))).toBeLessThanOrEqual(1);
    }
  });

  test('bad arguments, in PyTorch\'s words', () => {
    const x = empty([2, 6, 3]);
    expect(() => groupNorm(x, 4)).toThrow(new MtiaError('Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 3] and num_groups=4'));
    expect(() => groupNorm(empty([6]), 2)).toThrow(new MtiaError('Expected at least 2 dimensions for input tensor but received 1'));
    expect(() => groupNorm(empty([1, 2]), 2)).toThrow(new ValueError('Expected more than 1 value per channel when training, got input size [1, 2]'));
    expect(() => groupNorm(x, 3, { weight: empty([3]) })).toThrow(
      new MtiaError('Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [3] and input of shape [2, 6, 3]'),
    );
    expect(() => groupNorm(x, 0)).toThrow('Expected num groups to be greater than 0, got 0');
    expect(() => groupNorm(x, 3, { groups: 2 } as never)).toThrow(TypeError);
  });
});

describe('rmsNorm', () => {
  test('over the last dim and over the last two, with and without weight', async () => {
    const x = values([3, 4, 10], 'float32', -3, 3);
    const w = values([10]);
    expect(await error(rmsNorm(x.t, [10], { weight: w.t, eps: 1e-6 }), rmsNormReference(x.data, 10, 1e-6, w.data))).toBeLessThanOrEqual(1);
    const w2 = values([4, 10]);
    expect(await error(rmsNorm(x.t, [4, 10], { weight: w2.t }), rmsNormReference(x.data, 40, 2 ** -23, w2.data))).toBeLessThanOrEqual(1);
    expect(await error(rmsNorm(x.t, 10), rmsNormReference(x.data, 10, 2 ** -23))).toBeLessThanOrEqual(1);
  });

  test('the default eps is torch.finfo(float32).eps (2⁻²³), the float32 computation\'s, for every dtype', async () => {
    // A row of tiny values: mean(x²) ≈ 1e-8, so eps decides the result.
    const row = tensor([1e-4, -1e-4, 1e-4, -1e-4]);
    const expected = rmsNormReference([1e-4, -1e-4, 1e-4, -1e-4].map(Math.fround), 4, 2 ** -23);
    expect(await error(rmsNorm(row, [4]), expected)).toBeLessThanOrEqual(1);
  });

  test('float16 and bfloat16, with a weight of the same dtype', async () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const x = values([5, 64], dtype, -4, 4);
      const w = values([64], dtype);
      const out = rmsNorm(x.t, [64], { weight: w.t });
      expect(out.dtype).toBe(dtype);
      expect(await error(out, rmsNormReference(x.data, 64, 2 ** -23, w.data))).toBeLessThanOrEqual(1);
    }
  });

  test('bad arguments, in PyTorch\'s words', () => {
    const x = empty([2, 3, 4]);
    expect(() => rmsNorm(x, [3])).toThrow(new MtiaError('Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 3, 4]'));
    expect(() => rmsNorm(x, [4], { weight: empty([3]) })).toThrow(
      new MtiaError('Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]'),
    );
    expect(() => rmsNorm(x, [4], { bias: empty([4]) } as never)).toThrow("rmsNorm() got an unexpected keyword argument 'bias'");
  });
});

describe('normalization in timing-only mode', () => {
  test('a [64, 512, 56, 56] float16 batch norm, group norm and a [32, 4096, 4096] RMS norm run without values on the SE', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const x = empty([64, 512, 56, 56], { dtype: 'float16' });
    const stats = empty([512]);
    const rows = empty([32, 4096, 4096], { dtype: 'bfloat16' });
    mtia.profiler.start();
    const outs = [batchNorm(x, stats, stats), groupNorm(x, 32), rmsNorm(rows, [4096])];
    await mtia.profiler.stop();
    const records = mtia.profiler.opStats();
    expect(records.map((r) => r.name)).toEqual(['batchNorm', 'groupNorm', 'rmsNorm']);
    expect(records.every((r) => r.cycles.se > 0)).toBe(true);
    expect(records[0]!.cycles.re).toBe(0); // inference batch norm computes no statistics
    expect(records[1]!.cycles.re).toBeGreaterThan(0);
    expect(records[2]!.cycles.re).toBeGreaterThan(0);
    await expect(outs[0]!.toArray()).rejects.toThrow(MtiaError);
    for (const t of [x, stats, rows, ...outs]) t.free();
    await mtia.shutdown();
  });
});
