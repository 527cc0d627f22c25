// resize (ONNX Resize, opset 13+) and interpolate (torch.nn.functional.interpolate) through the
// built package: every coordinate transformation and nearest mode, up and down, sizes and
// scales, per dtype, on a strided input, against test/support/shape-ops-reference.ts.

import { afterAll, describe, expect, test } from 'vitest';
import { interpolate, mtia, resize, tensor } from 'mtia-sim';
import { Nd } from '../support/ndarray.js';
import { randomValues, storeAs, worstError } from '../support/reference.js';
import {
  interpolateBilinearReference, interpolateNearestReference, resizeReference,
} from '../support/shape-ops-reference.js';

afterAll(() => mtia.shutdown());

const unitRoundoff = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 } as const;
const transforms = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel'] as const;
const nearestModes = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

/** A [2, 3, 5, 7] input of `dtype` held transposed on the device (strided H and W), and its reference. */
function input(dtype: 'float32' | 'float16' | 'bfloat16' | 'int32') {
  const data = randomValues(2 * 3 * 5 * 7, 41, -10, 10).map((v) => storeAs(dtype, dtype === 'int32' ? Math.round(v) : v));
  const reference = new Nd([2, 3, 5, 7], data);
  const x = tensor(reference.permute([0, 1, 3, 2]).data, { dtype }).view(2, 3, 7, 5).transpose(2, 3);
  return { x, reference };
}

describe('resize (ONNX)', () => {
  test.each(['float32', 'float16', 'bfloat16', 'int32'] as const)('nearest, every transformation and rounding, sizes and scales, of %s: exact', async (dtype) => {
    const { x, reference } = input(dtype);
    const shapes: { size?: number[]; scales?: number[]; out: [number, number]; s: [number, number] }[] = [
      { size: [9, 4], out: [9, 4], s: [9 / 5, 4 / 7] },
      { scales: [2, 1.5], out: [10, 10], s: [2, 1.5] },
      { scales: [1, 1, 0.6, 0.5], out: [3, 3], s: [0.6, 0.5] },
      { size: [2, 3, 1, 1], out: [1, 1], s: [1 / 5, 1 / 7] },
    ];
    for (const transform of transforms) {
      for (const nearestMode of nearestModes) {
        for (const { size, scales, out, s } of shapes) {
          const y = resize(x, { ...(size ? { size } : { scales: scales! }), mode: 'nearest', coordinateTransformationMode: transform, nearestMode });
          const expected = resizeReference(reference, out[0], out[1], s, 'nearest', transform, nearestMode);
          expect(y.shape).toEqual(expected.shape);
          expect({ transform, nearestMode, size, scales, values: Array.from(await y.toArray()) })
            .toEqual({ transform, nearestMode, size, scales, values: expected.data });
        }
      }
    }
  });

  test.each(['float32', 'float16', 'bfloat16'] as const)('linear, every transformation, up and down, of %s', async (dtype) => {
    const { x, reference } = input(dtype);
    for (const transform of transforms) {
      for (const [options, out, s] of [
        [{ size: [11, 3] }, [11, 3], [11 / 5, 3 / 7]], [{ scales: [1.5, 2.5] }, [7, 17], [1.5, 2.5]], [{ size: [1, 1] }, [1, 1], [1 / 5, 1 / 7]],
      ] as const) {
        const y = resize(x, { ...options, mode: 'linear', coordinateTransformationMode: transform });
        const expected = resizeReference(reference, out[0], out[1], [s[0], s[1]], 'linear', transform);
        // Tolerance: an f64 blend of inputs up to 10 in magnitude, rounded once into dtype.
        expect({ transform, options, error: worstError(await y.toArray(), expected.data, 10 * unitRoundoff[dtype], 2 * unitRoundoff[dtype]) <= 1 })
          .toEqual({ transform, options, error: true });
      }
    }
  });

  test("bad options are refused; linear needs a floating dtype", () => {
    const x = tensor(randomValues(16, 1)).view(1, 1, 4, 4);
    expect(() => resize(x, { size: [2, 2], scales: [2, 2] })).toThrow('resize(): only one of size or scales should be defined');
    expect(() => resize(x, {})).toThrow('resize(): either size or scales should be defined');
    expect(() => resize(x, { size: [2, 2, 2, 2] })).toThrow('resize(): mtia-sim resizes only H and W of NCHW, but size [2, 2, 2, 2] changes N or C');
    expect(() => resize(x, { size: [2, 2], mode: 'cubic' as never })).toThrow("resize(): mode must be one of 'nearest', 'linear', but got: 'cubic'");
    expect(() => resize(x, { size: [2, 2], nearestMod: 'floor' } as never)).toThrow("resize() got an unexpected keyword argument 'nearestMod' (did you mean 'nearestMode'?)");
    expect(() => resize(x.view(4, 4), { size: [2, 2] })).toThrow('resize(): mtia-sim resizes 4-d NCHW tensors, but got input of dimension 2');
    expect(() => resize(tensor([1, 2, 3, 4], { dtype: 'int32' }).view(1, 1, 2, 2), { size: [3, 3], mode: 'linear' }))
      .toThrow(`"upsample_bilinear2d_out_frame" not implemented for 'Int'`);
    expect(() => resize(x, { scales: [0.1, 1] })).toThrow('has no output element');
  });
});

describe('interpolate (torch)', () => {
  test('nearest by size and by scale factor equals ATen\'s float32 nearest_idx', async () => {
    const { x, reference } = input('float32');
    for (const [options, out, factor] of [
      [{ size: [9, 4] }, [9, 4], undefined], [{ size: [10, 14] }, [10, 14], undefined], [{ size: 3 }, [3, 3], undefined],
      [{ scaleFactor: 1.7 }, [8, 11], [1.7, 1.7]], [{ scaleFactor: [0.6, 2] }, [3, 14], [0.6, 2]],
    ] as const) {
      const y = interpolate(x, options);
      const expected = interpolateNearestReference(reference, out[0], out[1], factor === undefined ? undefined : [factor[0], factor[1]]);
      expect({ options, values: Array.from(await y.toArray()) }).toEqual({ options, values: expected.data });
    }
  });

  test('bilinear with and without alignCorners, by size and scale factor', async () => {
    const { x, reference } = input('float32');
    for (const alignCorners of [false, true]) {
      for (const [options, out, factor] of [
        [{ size: [9, 4] }, [9, 4], undefined], [{ scaleFactor: 2 }, [10, 14], [2, 2]], [{ scaleFactor: [0.5, 1.5] }, [2, 10], [0.5, 1.5]],
      ] as const) {
        const y = interpolate(x, { ...options, mode: 'bilinear', alignCorners });
        const expected = interpolateBilinearReference(reference, out[0], out[1], alignCorners, factor === undefined ? undefined : [factor[0], factor[1]]);
        // Tolerance: f64 blends of inputs up to 10 in magnitude, rounded once to float32.
        expect({ alignCorners, options, error: worstError(await y.toArray(), expected.data, 1e-5, 1e-6) <= 1 }).toEqual({ alignCorners, options, error: true });
      }
    }
  });

  test('alignCorners with nearest and a missing size are refused in PyTorch\'s words', () => {
    const x = tensor(randomValues(16, 1)).view(1, 1, 4, 4);
    expect(() => interpolate(x, { size: 2, alignCorners: true })).toThrow('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
    expect(() => interpolate(x, {})).toThrow('interpolate(): either size or scale_factor should be defined');
    expect(() => interpolate(x, { size: 2, scaleFactor: 2 })).toThrow('interpolate(): only one of size or scale_factor should be defined');
  });
});
