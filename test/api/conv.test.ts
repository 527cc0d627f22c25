// Convolution and pooling through the public API with real device workers, against the float64
// direct loops of test/support/conv-reference.ts. Inputs are rounded to the dtype first, so the
// error is the device's alone: float32 accumulation over K = (C_in/groups)·kH·kW terms and one
// rounding of the result. Tolerances, as |actual − expected| ≤ atol + rtol·|expected|:
//   float32   rtol 1e-5,  atol K · 2⁻²⁴ · Σ-scale (the float32 sum's error over K terms)
//   float16   rtol 2⁻¹⁰ (one rounding to an 11-bit significand, doubled), same atol
//   bfloat16  rtol 2⁻⁷  (8-bit significand, doubled), same atol
// Also: PyTorch's error messages, and timing-only mode running them without values.

import { afterAll, describe, expect, test } from 'vitest';
import {
  adaptiveAvgPool2d, avgPool2d, conv2d, convTranspose2d, maxPool2d, MtiaError, mtia, permute, tensor, ValueError,
  type Tensor,
} from 'mtia-sim';
import {
  adaptiveAvgPoolReference, conv2dReference, convTranspose2dReference, poolReference, type ConvGeometry, type Nchw,
} from '../support/conv-reference.js';
import { randomValues, storeAs, worstError } from '../support/reference.js';

afterAll(() => mtia.shutdown());

type FloatDType = 'float32' | 'float16' | 'bfloat16';
const RTOL: Record<FloatDType, number> = { float32: 1e-5, float16: 2 ** -10, bfloat16: 2 ** -7 };

/** Random values of `shape` rounded to `dtype`, as an array and a device tensor. */
function input(shape: number[], seed: number, dtype: FloatDType = 'float32', scale = 1): { values: number[]; t: Tensor } {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = randomValues(count, seed, -scale, scale).map((v) => storeAs(dtype, v));
  return { values, t: tensor(Float32Array.from(values), { dtype }).view(...shape) };
}

/** Asserts `actual` (read back) matches `expected` within the dtype's tolerance for a K-term sum. */
async function expectClose(actual: Tensor, expected: Nchw, dtype: FloatDType, k: number, scale = 1): Promise<void> {
  expect(actual.shape).toEqual(actual.ndim === 3 ? expected.shape.slice(1) : expected.shape);
  const atol = Math.max(1, k) * 2 ** -24 * scale * 4;
  expect(worstError(await actual.toArray(), expected.data, atol, RTOL[dtype])).toBeLessThanOrEqual(1);
}

/** Runs conv2d on random data and checks it against conv2dReference. */
async function checkConv(
  xShape: [number, number, number, number], wShape: [number, number, number, number], g: ConvGeometry,
  options: Parameters<typeof conv2d>[3], { dtype = 'float32' as FloatDType, bias = true, activation = null as string | null, scale = 1 } = {},
): Promise<void> {
  const x = input(xShape, 11, dtype, scale);
  const w = input(wShape, 12, dtype, scale);
  const b = bias ? input([wShape[0]], 13, dtype, scale) : undefined;
  const out = conv2d(x.t, w.t, b?.t ?? null, options);
  const expected = conv2dReference({ data: x.values, shape: xShape }, { data: w.values, shape: wShape }, b?.values ?? null, g, activation);
  await expectClose(out, expected, dtype, wShape[1] * wShape[2] * wShape[3], scale * scale);
  for (const t of [x.t, w.t, b?.t, out]) t?.free();
}

const plain: ConvGeometry = { stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 1 };

describe('conv2d', () => {
  test('3×3, stride 1, padding 1, bias, float32 (the im2col + matmul path)', async () => {
    await checkConv([2, 5, 9, 11], [7, 5, 3, 3], plain, { padding: 1 });
  });

  test('stride [2, 1], asymmetric padding [top, left, bottom, right], dilation [2, 1], groups 2', async () => {
    const g: ConvGeometry = { stride: [2, 1], pads: [1, 0, 2, 1], dilation: [2, 1], groups: 2 };
    await checkConv([1, 4, 10, 9], [6, 2, 3, 2], g, { stride: [2, 1], padding: [1, 0, 2, 1], dilation: [2, 1], groups: 2 });
  });

  test('depthwise (groups = C_in = C_out), stride 2, bias; a channel multiplier of 2; stride 1 with dilation over long rows', async () => {
    const g: ConvGeometry = { stride: [2, 2], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 6 };
    await checkConv([2, 6, 8, 8], [6, 1, 3, 3], g, { stride: 2, padding: 1, groups: 6 });
    await checkConv([1, 3, 7, 5], [6, 1, 3, 3], { ...g, groups: 3 }, { stride: 2, padding: 1, groups: 3 }, { bias: false });
    // Stride 1 (the SIMD rows), dilation, rows longer than the kernel's 1024-column accumulator.
    const wide: ConvGeometry = { stride: [1, 1], pads: [1, 2, 1, 2], dilation: [1, 2], groups: 2 };
    await checkConv([1, 2, 3, 1030], [2, 1, 3, 3], wide, { padding: [1, 2], dilation: [1, 2], groups: 2 });
  });

  test("1×1 without bias; 'valid'; 'same' with an even kernel puts the extra row and column at the bottom and right", async () => {
    await checkConv([2, 8, 5, 6], [4, 8, 1, 1], { ...plain, pads: [0, 0, 0, 0] }, {}, { bias: false });
    await checkConv([1, 3, 6, 7], [2, 3, 3, 2], { ...plain, pads: [0, 0, 0, 0] }, { padding: 'valid' });
    await checkConv([1, 3, 6, 7], [2, 3, 4, 4], { ...plain, pads: [1, 1, 2, 2] }, { padding: 'same' });
    await checkConv([1, 3, 6, 7], [2, 3, 3, 3], { ...plain, pads: [2, 2, 2, 2], dilation: [2, 2] }, { padding: 'same', dilation: 2 });
  });

  test('float16 and bfloat16 accumulate in float32 and round once', async () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      await checkConv([2, 5, 9, 11], [7, 5, 3, 3], plain, { padding: 1 }, { dtype });
      await checkConv([1, 4, 6, 6], [4, 1, 3, 3], { ...plain, groups: 4 }, { padding: 1, groups: 4 }, { dtype });
    }
  });

  test('fused activations: relu, relu6, sigmoid, silu, gelu, in float32 and float16', async () => {
    for (const activation of ['relu', 'relu6', 'sigmoid', 'silu', 'gelu'] as const) {
      await checkConv([1, 4, 6, 7], [5, 4, 3, 3], plain, { padding: 1, activation }, { activation, scale: 2 });
      await checkConv([1, 4, 6, 7], [4, 1, 3, 3], { ...plain, groups: 4 }, { padding: 1, groups: 4, activation }, { activation, scale: 2 });
    }
    await checkConv([1, 4, 6, 7], [5, 4, 3, 3], plain, { padding: 1, activation: 'silu' }, { activation: 'silu', dtype: 'float16', scale: 2 });
  });

  test('a conv with a fused activation is one op: one record, on the DPE; a depthwise one on the SE', async () => {
    const x = input([1, 8, 10, 10], 71);
    const w = input([8, 8, 3, 3], 72);
    const wd = input([8, 1, 3, 3], 73);
    await mtia.synchronize();
    mtia.profiler.start();
    const y = conv2d(x.t, w.t, null, { padding: 1, activation: 'silu' });
    const z = conv2d(x.t, wd.t, null, { padding: 1, groups: 8, activation: 'relu' });
    await mtia.profiler.stop();
    const stats = mtia.profiler.opStats();
    expect(stats.map((s) => [s.name, s.engine])).toEqual([['conv2d', 'dpe'], ['conv2d', 'se']]);
    expect(stats[0]!.shapes).toEqual([[1, 8, 10, 10], [8, 8, 3, 3], [1, 8, 10, 10]]);
    for (const t of [x.t, w.t, wd.t, y, z]) t.free();
  });

  test('columns in several im2col chunks (K · 4 B · pixels > 4 MiB); a product large enough for the kernel threads', async () => {
    await checkConv([1, 64, 45, 45], [8, 64, 3, 3], plain, { padding: 1 });
    await checkConv([1, 32, 24, 24], [32, 32, 3, 3], plain, { padding: 1 }); // 5.3 Mi MACs, 32 rows
  });

  test('an unbatched [C, H, W] input gives [C_out, OH, OW]; a permuted weight is read as its values', async () => {
    const x = input([3, 6, 5], 21);
    const wHwio = input([3, 3, 3, 4], 22); // [kH, kW, C_in, C_out]
    const w = permute(wHwio.t, [3, 2, 0, 1]);
    const wValues: number[] = [];
    for (let co = 0; co < 4; co++) for (let ci = 0; ci < 3; ci++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
      wValues.push(wHwio.values[((kh * 3 + kw) * 3 + ci) * 4 + co]!);
    }
    const out = conv2d(x.t, w, null, { padding: 1 });
    expect(out.shape).toEqual([4, 6, 5]);
    await expectClose(out, conv2dReference({ data: x.values, shape: [1, 3, 6, 5] }, { data: wValues, shape: [4, 3, 3, 3] }, null, plain), 'float32', 27);
    for (const t of [x.t, wHwio.t, w, out]) t.free();
  });

  test("PyTorch's errors for bad shapes, options and dtypes", () => {
    const x = input([1, 4, 5, 5], 1).t;
    const w = input([2, 3, 3, 3], 2).t;
    const w4 = input([2, 4, 3, 3], 3).t;
    expect(() => conv2d(x, w)).toThrow(new MtiaError('Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead'));
    const flat = x.view(4, 25);
    expect(() => conv2d(flat, w4)).toThrow(new MtiaError('Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 25]'));
    expect(() => conv2d(x, w4, null, { strides: 2 } as never)).toThrow(/conv2d\(\) got an unexpected keyword argument 'strides' \(did you mean 'stride'\?\)/);
    expect(() => conv2d(x, w4, null, { stride: 0 })).toThrow(/non-positive stride is not supported/);
    expect(() => conv2d(x, w4, null, { padding: 'full' as never })).toThrow(new ValueError("Invalid padding string 'full', should be one of {'valid', 'same'}"));
    expect(() => conv2d(x, w4, null, { padding: 'same', stride: 2 })).toThrow(/padding='same' is not supported for strided convolutions/);
    expect(() => conv2d(x, w4, null, { groups: 3 })).toThrow(/Given groups=3, expected weight to be divisible by 3 at dimension 0/);
    expect(() => conv2d(x, w4, null, { activation: 'tanh' as never })).toThrow(/activation must be one of relu, relu6, sigmoid, silu, gelu or null/);
    const bias = input([3], 4).t;
    expect(() => conv2d(x, w4, bias)).toThrow(/expected bias to be 1-dimensional with 2 elements, but got bias of size \[3\] instead/);
    const big = input([2, 4, 7, 7], 5).t;
    expect(() => conv2d(x, big)).toThrow(/Calculated padded input size per channel: \(5 x 5\). Kernel size: \(7 x 7\)/);
    const half = input([2, 4, 3, 3], 6, 'float16').t;
    expect(() => conv2d(x, half)).toThrow(/Input type \(float\) and weight type \(c10::Half\) should be the same/);
    for (const t of [x, w, w4, flat, bias, big, half]) t.free();
  });
});

describe('convTranspose2d', () => {
  test('stride 2, padding 1, output padding 1, bias; groups 2 with dilation and unequal strides', async () => {
    const cases = [
      { x: [2, 4, 5, 6], w: [4, 3, 3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1], dilation: [1, 1], groups: 1 },
      { x: [1, 4, 4, 4], w: [4, 2, 2, 3], stride: [2, 3], padding: [0, 1], outputPadding: [1, 0], dilation: [2, 1], groups: 2 },
    ] as const;
    for (const c of cases) {
      const x = input([...c.x], 31);
      const w = input([...c.w], 32);
      const cOut = c.w[1] * c.groups;
      const b = input([cOut], 33);
      const out = convTranspose2d(x.t, w.t, b.t, {
        stride: [...c.stride], padding: [...c.padding], outputPadding: [...c.outputPadding], dilation: [...c.dilation], groups: c.groups,
      });
      const expected = convTranspose2dReference(
        { data: x.values, shape: [...c.x] }, { data: w.values, shape: [...c.w] }, b.values,
        [...c.stride], [...c.padding], [...c.outputPadding], [...c.dilation], c.groups,
      );
      await expectClose(out, expected, 'float32', (c.x[1] / c.groups) * c.w[2] * c.w[3]);
      for (const t of [x.t, w.t, b.t, out]) t.free();
    }
  });

  test('float16 accumulates in float32 and rounds once; an unbatched input keeps its rank', async () => {
    const x = input([3, 5, 4], 34, 'float16');
    const w = input([3, 2, 4, 3], 35, 'float16');
    const out = convTranspose2d(x.t, w.t, null, { stride: [3, 2], padding: [2, 1] });
    expect(out.shape).toEqual([2, 12, 7]); // (5 − 1) · 3 − 4 + 3 + 1, (4 − 1) · 2 − 2 + 2 + 1
    const expected = convTranspose2dReference({ data: x.values, shape: [1, 3, 5, 4] }, { data: w.values, shape: [3, 2, 4, 3] }, null, [3, 2], [2, 1], [0, 0], [1, 1], 1);
    await expectClose(out, expected, 'float16', 3 * 12);
    for (const t of [x.t, w.t, out]) t.free();
  });

  test("PyTorch's errors: channels, output padding", () => {
    const x = input([1, 3, 4, 4], 1).t;
    const w = input([4, 2, 3, 3], 2).t;
    expect(() => convTranspose2d(x, w)).toThrow(new MtiaError('Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 4, 4] to have 4 channels, but got 3 channels instead'));
    const x4 = input([1, 4, 4, 4], 3).t;
    expect(() => convTranspose2d(x4, w, null, { outputPadding: 1 })).toThrow(/output padding must be smaller than either stride or dilation/);
    expect(() => convTranspose2d(x4, w, null, { output_padding: 1 } as never)).toThrow(/unexpected keyword argument 'output_padding'/);
    for (const t of [x, w, x4]) t.free();
  });
});

describe('pooling', () => {
  test('maxPool2d: kernel 3, stride 2, padding 1, ceil mode; dilation 2; asymmetric pads; float16', async () => {
    const cases: { shape: [number, number, number, number]; kernel: [number, number]; options: Parameters<typeof maxPool2d>[2]; g: Parameters<typeof poolReference>[2]; dtype: FloatDType }[] = [
      { shape: [2, 3, 9, 10], kernel: [3, 3], options: { stride: 2, padding: 1, ceilMode: true }, g: { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], ceil: true }, dtype: 'float32' },
      { shape: [1, 2, 11, 9], kernel: [3, 2], options: { stride: [2, 1], dilation: 2 }, g: { kernel: [3, 2], stride: [2, 1], pads: [0, 0, 0, 0], dilation: [2, 2] }, dtype: 'float32' },
      { shape: [1, 2, 6, 7], kernel: [2, 2], options: { padding: [0, 0, 1, 1] }, g: { kernel: [2, 2], stride: [2, 2], pads: [0, 0, 1, 1] }, dtype: 'float16' },
    ];
    for (const c of cases) {
      const x = input(c.shape, 41, c.dtype);
      const out = maxPool2d(x.t, c.kernel, c.options);
      await expectClose(out, poolReference('max', { data: x.values, shape: c.shape }, c.g), c.dtype, 1);
      for (const t of [x.t, out]) t.free();
    }
  });

  test('maxPool2d propagates NaN; an unbatched input keeps its rank', async () => {
    const x = tensor([[[1, NaN, 3, 4], [5, 6, 7, 8]]]);
    const out = maxPool2d(x, 2);
    expect(out.shape).toEqual([1, 1, 2]);
    expect(Array.from(await out.toArray())).toEqual([NaN, 8]);
    for (const t of [x, out]) t.free();
  });

  test('avgPool2d: ceil mode with and without count_include_pad; asymmetric pads', async () => {
    const shape: [number, number, number, number] = [2, 3, 8, 9];
    const x = input(shape, 51);
    for (const countIncludePad of [true, false]) {
      const out = avgPool2d(x.t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad });
      await expectClose(out, poolReference('avg', { data: x.values, shape }, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], ceil: true, countIncludePad }), 'float32', 9);
      out.free();
      const asym = avgPool2d(x.t, [2, 3], { stride: [2, 2], padding: [1, 0, 0, 1], countIncludePad });
      await expectClose(asym, poolReference('avg', { data: x.values, shape }, { kernel: [2, 3], stride: [2, 2], pads: [1, 0, 0, 1], countIncludePad }), 'float32', 6);
      asym.free();
    }
    x.t.free();
  });

  test('adaptiveAvgPool2d with sizes that do not divide the input; global average pooling', async () => {
    const shape: [number, number, number, number] = [2, 3, 7, 10];
    const x = input(shape, 61, 'bfloat16');
    for (const [oh, ow] of [[3, 4], [5, 3], [1, 1], [7, 10]] as const) {
      const out = adaptiveAvgPool2d(x.t, [oh, ow]);
      await expectClose(out, adaptiveAvgPoolReference({ data: x.values, shape }, oh, ow), 'bfloat16', 70);
      out.free();
    }
    const global = adaptiveAvgPool2d(x.t, 1);
    expect(global.shape).toEqual([2, 3, 1, 1]);
    global.free();
    x.t.free();
  });

  test("PyTorch's errors: padding over half the window, rank, misspelled options", () => {
    const x = input([1, 2, 6, 6], 1).t;
    expect(() => maxPool2d(x, 3, { padding: 2 })).toThrow(new MtiaError('pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1'));
    expect(() => avgPool2d(x, 2, { padding: 2 })).toThrow(new MtiaError('pad should be at most half of kernel size, but got pad=2 and kernel_size=2'));
    expect(() => avgPool2d(x, 2, { count_include_pad: false } as never)).toThrow(/unexpected keyword argument 'count_include_pad'/);
    const flat = x.view(2, 36);
    expect(() => maxPool2d(flat, 2)).toThrow(/Expected 3D or 4D \(batch mode\) tensor with optional 0 dim batch size for input, but got: \[2, 36\]/);
    expect(() => adaptiveAvgPool2d(flat, 2)).toThrow(/adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got \[2, 36\]/);
    expect(() => maxPool2d(x, 7)).toThrow(/Output size is too small/);
    expect(() => maxPool2d(x, 0)).toThrow(/kernel_size must be greater than zero/);
    for (const t of [x, flat]) t.free();
  });
});

describe('timing-only mode', () => {
  test('convs and pools run without values; a conv takes simulated time', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const x = input([1, 64, 56, 56], 1).t;
    const w = input([64, 64, 3, 3], 2).t;
    const start = new mtia.Event({ enableTiming: true });
    const end = new mtia.Event({ enableTiming: true });
    start.record();
    const y = conv2d(x, w, null, { padding: 1, activation: 'relu' });
    end.record();
    const p = maxPool2d(y, 3, { stride: 2, padding: 1 });
    const t = convTranspose2d(p, w, null, { stride: 2 });
    const d = conv2d(x, input([64, 1, 3, 3], 3).t, null, { padding: 1, groups: 64 });
    const a = adaptiveAvgPool2d(avgPool2d(d, 2), 1);
    await mtia.synchronize();
    expect(y.shape).toEqual([1, 64, 56, 56]);
    expect(t.shape).toEqual([1, 64, 57, 57]);
    expect(a.shape).toEqual([1, 64, 1, 1]);
    expect(start.elapsedTime(end)).toBeGreaterThan(0);
    await expect(y.toArray()).rejects.toThrow(/timing-only mode/);
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
  });
});
