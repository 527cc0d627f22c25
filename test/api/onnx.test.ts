// ONNX import (loadOnnx) against onnxruntime-node: every supported op in a small model of its
// own, built by test/support/onnx-builder.ts with seeded random weights, run in both on the same
// inputs; float32 outputs within atol 1e-5 + rtol 1e-4 (test/support/onnx-compare.ts), integer
// and bool outputs exactly. Shapes are small so that the suite stays fast.

import { afterAll, describe, expect, test } from 'vitest';
import { mtia } from 'mtia-sim';
import { float, OnnxBuilder, seeded, type AttrValue, type BuilderDType, type Feed } from '../support/onnx-builder.js';
import { compareWithOrt, FLOAT32, type Tolerance } from '../support/onnx-compare.js';

afterAll(() => mtia.shutdown());

/** Uniform random float32 feed values in [lo, hi). */
function values(count: number, seed: number, lo = -2, hi = 2): number[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => lo + (hi - lo) * random());
}

/** A float32 feed of `shape`. */
function floats(shape: readonly number[], seed = 7, lo = -2, hi = 2): Feed {
  return { dtype: 'float32', shape, values: values(shape.reduce((n, s) => n * s, 1), seed, lo, hi) };
}

interface Case {
  readonly name: string;
  readonly opset?: number;
  /** Builds the graph on `b` with inputs from `feeds`; returns the outputs (float32 unless typed). */
  readonly build: (b: OnnxBuilder) => (string | [string, BuilderDType])[];
  readonly feeds: Readonly<Record<string, Feed>>;
  readonly tolerance?: Tolerance;
}

/** A model of one op `opType` on float32 inputs x0, x1, ... of `shapes`. */
function single(opType: string, shapes: readonly (readonly number[])[], attrs: Record<string, unknown> = {}, options: { opset?: number; lo?: number; hi?: number; extra?: (b: OnnxBuilder) => string[]; out?: BuilderDType } = {}): Case {
  const feeds: Record<string, Feed> = {};
  shapes.forEach((shape, i) => (feeds[`x${i}`] = floats(shape, 11 + i, options.lo, options.hi)));
  return {
    name: `${opType} ${shapes.map((s) => `[${s.join(',')}]`).join(' ')} ${JSON.stringify(attrs)}`,
    ...(options.opset !== undefined && { opset: options.opset }),
    feeds,
    build: (b) => {
      const inputs = shapes.map((shape, i) => b.input(`x${i}`, 'float32', shape));
      const out = b.op(opType, [...inputs, ...(options.extra?.(b) ?? [])], attrs as never);
      return [[out, options.out ?? 'float32']];
    },
  };
}

const cases: Case[] = [
  single('MatMul', [[3, 5], [5, 4]]),
  single('MatMul', [[2, 3, 5], [5, 4]]),
  single('MatMul', [[2, 1, 3, 5], [4, 5, 2]]),
  single('Gemm', [[3, 5], [4, 5], [4]], { transB: 1 }),
  single('Gemm', [[5, 3], [5, 4], [3, 4]], { transA: 1, alpha: 0.5, beta: float(2) }),
  single('Add', [[2, 3, 4], [4]]),
  single('Sub', [[2, 1, 4], [3, 1]]),
  single('Mul', [[2, 3], [2, 3]]),
  single('Div', [[2, 3], [3]], {}, { lo: 0.5, hi: 2 }),
  single('Relu', [[2, 5]]),
  single('Sigmoid', [[2, 5]]),
  single('Tanh', [[2, 5]]),
  single('Exp', [[2, 5]]),
  single('Log', [[2, 5]], {}, { lo: 0.1, hi: 3 }),
  single('Sqrt', [[2, 5]], {}, { lo: 0, hi: 3 }),
  single('Neg', [[2, 5]]),
  single('Abs', [[2, 5]]),
  single('Reciprocal', [[2, 5]], {}, { lo: 0.5, hi: 2 }),
  single('Softmax', [[2, 3, 5]]),
  single('Softmax', [[2, 3, 5]], { axis: 1 }),
  single('LogSoftmax', [[4, 6]], { axis: -1 }),
  single('LayerNormalization', [[2, 3, 8], [8], [8]], { epsilon: 1e-5 }),
  single('LayerNormalization', [[2, 3, 4], [3, 4]], { axis: 1 }),
  single('Gelu', [[3, 7]], {}, { opset: 20 }),
  single('Gelu', [[3, 7]], { approximate: 'tanh' }, { opset: 20 }),
  single('Max', [[2, 3], [3], [2, 1]]),
  single('Min', [[2, 3], [2, 3]]),
  single('Sum', [[2, 3], [3]]),
  single('Transpose', [[2, 3, 4]], { perm: [2, 0, 1] }),
  single('Transpose', [[2, 3]]),
  single('Identity', [[2, 3]]),
  single('Dropout', [[2, 3]]),
  single('Flatten', [[2, 3, 4]], { axis: 2 }),
  single('GlobalAveragePool', [[2, 3, 4, 5]]),
  single('Concat', [[2, 3], [2, 2]], { axis: 1 }),
  single('ReduceMean', [[2, 3, 4]], { axes: [1], keepdims: 0 }, { opset: 17 }),
  single('ReduceMean', [[2, 3, 4]], {}, { opset: 18, extra: (b) => [b.ints([-1])] }),
  single('ReduceSum', [[2, 3, 4]], { keepdims: 1 }, { extra: (b) => [b.ints([0, 2])] }),
  single('ReduceSum', [[2, 3, 4]], { keepdims: 0 }),
  single('ReduceMax', [[2, 3, 4]], { axes: [0, 2] }, { opset: 17 }),
  single('ReduceMin', [[2, 3, 4]], { keepdims: 0 }, { opset: 18, extra: (b) => [b.ints([1])] }),
  single('ArgMax', [[3, 5]], { axis: 1, keepdims: 0 }, { out: 'int64' }),
  single('ArgMax', [[3, 5]], { axis: 0 }, { out: 'int64' }),
  single('Clip', [[3, 5]], {}, { extra: (b) => [b.scalar(-0.5), b.scalar(0.75)] }),
  single('Clip', [[3, 5]], {}, { extra: (b) => [b.scalar(0)] }),
  single('Pow', [[3, 5]], {}, { extra: (b) => [b.scalar(2)] }),
  single('Reshape', [[2, 3, 4]], {}, { extra: (b) => [b.ints([0, -1])] }),
  single('Unsqueeze', [[2, 3]], {}, { extra: (b) => [b.ints([0, -1])] }),
  single('Squeeze', [[2, 1, 3, 1]], {}, { extra: (b) => [b.ints([1])] }),
  single('Expand', [[3, 1]], {}, { extra: (b) => [b.ints([2, 3, 4])] }),
  single('Slice', [[4, 6]], {}, { extra: (b) => [b.ints([1, -5]), b.ints([100, -1]), b.ints([0, 1]), b.ints([2, 2])] }),
  single('Slice', [[4, 6]], {}, { extra: (b) => [b.ints([1]), b.ints([3]), b.ints([-1])] }),
  single('Trilu', [[2, 4, 4]], { upper: 0 }),
  single('Trilu', [[3, 5]], {}, { extra: (b) => [b.ints([1], 'k')] }),
  single('Gather', [[5, 3]], { axis: 0 }, { extra: (b) => [b.ints([4, 0, 4])] }),
  single('Erf', [[3, 5]]),
  single('LeakyRelu', [[3, 5]], { alpha: 0.1 }),
  single('HardSigmoid', [[3, 5]], { alpha: 0.25, beta: 0.4 }, { lo: -5, hi: 5 }),
  single('HardSwish', [[3, 5]], {}, { opset: 14, lo: -5, hi: 5 }),
  single('Pow', [[3, 5], [5]], {}, { lo: 0.5, hi: 2 }),
  single('Pow', [[3, 5]], {}, { lo: 0.1, hi: 2, extra: (b) => [b.scalar(1.5)] }),
  single('Equal', [[3, 4], [4]], {}, { out: 'bool' }),
  single('Less', [[3, 4], [3, 4]], {}, { out: 'bool' }),
  single('LessOrEqual', [[3, 4], [1, 4]], {}, { out: 'bool' }),
  single('Greater', [[3, 4]], {}, { out: 'bool', extra: (b) => [b.scalar(0)] }),
  single('GreaterOrEqual', [[3, 4], [3, 1]], {}, { out: 'bool' }),
  single('Pad', [[2, 3, 4]], { mode: 'constant' }, { extra: (b) => [b.ints([0, 1, 2, 0, 0, 1]), b.scalar(1.5)] }),
  single('Pad', [[1, 2, 4, 5]], { mode: 'reflect' }, { extra: (b) => [b.ints([0, 0, 1, 2, 0, 0, 2, 1])] }),
  single('Pad', [[2, 3, 4]], { mode: 'edge' }, { opset: 18, extra: (b) => [b.ints([1, 2, 0, 1]), '', b.ints([1, 2])] }),
  single('Resize', [[1, 2, 3, 4]], { mode: 'nearest' }, { extra: (b) => ['', b.initializer('scales', 'float32', [4], [1, 1, 2, 2])] }),
  single('Resize', [[1, 2, 3, 4]], { mode: 'linear' }, { extra: (b) => ['', '', b.ints([1, 2, 5, 7])] }),
  single('Resize', [[1, 1, 4, 4]], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { extra: (b) => ['', b.initializer('scales', 'float32', [4], [1, 1, 1.5, 0.5])] }),
  single('CumSum', [[3, 5]], {}, { extra: (b) => [b.initializer('axis', 'int64', [], [1])] }),
  single('CumSum', [[3, 5]], { exclusive: 1, reverse: 1 }, { extra: (b) => [b.initializer('axis', 'int64', [], [0])] }),
  single('Gather', [[2, 5, 3]], { axis: 1 }, { extra: (b) => [b.initializer('i', 'int64', [], [-1])] }),
  {
    name: 'GatherElements with device and negative indices',
    feeds: { x: floats([3, 4]), i: { dtype: 'int64', shape: [2, 4], values: [0, 2, -1, 1, 2, 0, 1, -3] } },
    build: (b) => [b.op('GatherElements', [b.input('x', 'float32', [3, 4]), b.input('i', 'int64', [2, 4])], { axis: 0 })],
  },
  {
    name: 'Gather along axis 1 with int64 device indices, some negative',
    feeds: { x: floats([2, 5, 3]), i: { dtype: 'int64', shape: [2, 2], values: [4, -1, 0, 2] } },
    build: (b) => [b.op('Gather', [b.input('x', 'float32', [2, 5, 3]), b.input('i', 'int64', [2, 2])], { axis: 1 })],
  },
  {
    name: 'Split by sizes (opset 13) and into equal outputs (opset 18 num_outputs)',
    opset: 18,
    feeds: { x: floats([4, 7]) },
    build: (b) => {
      const x = b.input('x', 'float32', [4, 7]);
      const [a, c] = b.node('Split', [x, b.ints([3, 4])], { axis: 1 }, { outputs: 2 });
      const parts = b.node('Split', [x], { axis: 0, num_outputs: 2 }, { outputs: 2 });
      return [b.op('Relu', [a!]), c!, b.op('Neg', [parts[0]!]), parts[1]!];
    },
  },
  {
    name: 'Cast to int64 and back, Expand as a view',
    feeds: { x: floats([3, 1], 7, -5, 5) },
    build: (b) => {
      const x = b.input('x', 'float32', [3, 1]);
      const ints = b.op('Cast', [x], { to: 7 });
      const expanded = b.op('Expand', [b.op('Cast', [ints], { to: 1 }), b.ints([2, 3, 4])]);
      return [[ints, 'int64'], b.op('Add', [expanded, b.scalar(1)])];
    },
  },
  {
    name: 'GroupNormalization, opset 18 (scale per group) and 21 (per channel)',
    opset: 18,
    feeds: { x: floats([2, 6, 3, 3]) },
    build: (b) => [b.op('GroupNormalization', [b.input('x', 'float32', [2, 6, 3, 3]), b.initializer('s', 'float32', [3], [1, 0.5, 2]), b.initializer('b', 'float32', [3], [0, 0.1, -0.2])], { num_groups: 3, epsilon: 1e-5 })],
  },
  {
    name: 'GroupNormalization, opset 21 (scale and bias per channel)',
    opset: 21,
    feeds: { x: floats([2, 6, 4]) },
    build: (b) => [b.op('GroupNormalization', [b.input('x', 'float32', [2, 6, 4]), b.initializer('s', 'float32', [6]), b.initializer('b', 'float32', [6])], { num_groups: 2, epsilon: 1e-5 })],
  },
  ...([
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], dilations: [1, 1] },
    { kernel_shape: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] },
    { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER', strides: [2, 2] },
    { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' },
    { kernel_shape: [3, 3], auto_pad: 'VALID' },
  ] as (Record<string, AttrValue> & { kernel_shape: number[] })[]).map((attrs): Case => ({
    name: `Conv ${JSON.stringify(attrs)}`,
    feeds: { x: floats([2, 4, 7, 7]) },
    build: (b) => [b.op('Conv', [b.input('x', 'float32', [2, 4, 7, 7]), b.initializer('w', 'float32', [6, 4, ...attrs.kernel_shape]), b.initializer('b', 'float32', [6])], attrs)],
  })),
  {
    name: 'Conv depthwise (group = channels) without bias, and grouped',
    feeds: { x: floats([1, 6, 5, 5]) },
    build: (b) => {
      const x = b.input('x', 'float32', [1, 6, 5, 5]);
      return [
        b.op('Conv', [x, b.initializer('dw', 'float32', [6, 1, 3, 3])], { group: 6, pads: [1, 1, 1, 1] }),
        b.op('Conv', [x, b.initializer('gw', 'float32', [4, 3, 1, 1]), b.initializer('gb', 'float32', [4])], { group: 2 }),
      ];
    },
  },
  ...(['Relu', 'Sigmoid', 'Clip', 'Gelu'] as const).map((act): Case => ({
    name: `Conv + ${act}, fused into one conv2d`,
    opset: act === 'Gelu' ? 20 : 17,
    feeds: { x: floats([1, 3, 6, 6], 7, -4, 4) },
    build: (b) => {
      const y = b.op('Conv', [b.input('x', 'float32', [1, 3, 6, 6]), b.initializer('w', 'float32', [5, 3, 3, 3]), b.initializer('b', 'float32', [5])], { pads: [1, 1, 1, 1] });
      return [b.op(act, act === 'Clip' ? [y, b.scalar(0), b.scalar(6)] : [y])];
    },
  })),
  {
    name: 'ConvTranspose with stride, padding and output_padding',
    feeds: { x: floats([1, 4, 4, 4]) },
    build: (b) => [b.op('ConvTranspose', [b.input('x', 'float32', [1, 4, 4, 4]), b.initializer('w', 'float32', [4, 3, 3, 3]), b.initializer('b', 'float32', [3])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })],
  },
  single('MaxPool', [[1, 2, 7, 7]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  single('MaxPool', [[1, 2, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, pads: [0, 0, 1, 1] }),
  single('AveragePool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }),
  single('AveragePool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }),
  {
    name: 'TopK: values and int64 indices, largest and smallest',
    feeds: { x: floats([3, 6]) },
    build: (b) => {
      const x = b.input('x', 'float32', [3, 6]);
      const [values, indices] = b.node('TopK', [x, b.ints([2])], { axis: 1 }, { outputs: 2 });
      const [small] = b.node('TopK', [x, b.ints([3])], { axis: 0, largest: 0 }, { outputs: 2 });
      return [values!, [indices!, 'int64'], small!];
    },
  },
  {
    name: 'Not, And, Or, Xor on device bools',
    feeds: { x: floats([3, 4]), y: floats([3, 4], 8) },
    build: (b) => {
      const p = b.op('Greater', [b.input('x', 'float32', [3, 4]), b.scalar(0)]);
      const q = b.op('Less', [b.input('y', 'float32', [3, 4]), b.scalar(0.5)]);
      return [[b.op('Not', [p]), 'bool'], [b.op('And', [p, q]), 'bool'], [b.op('Or', [p, q]), 'bool'], [b.op('Xor', [p, q]), 'bool']];
    },
  },
  {
    name: 'BatchNormalization (inference)',
    feeds: { x: floats([2, 3, 4, 4]) },
    build: (b) => {
      const x = b.input('x', 'float32', [2, 3, 4, 4]);
      const scale = b.initializer('scale', 'float32', [3]);
      const bias = b.initializer('bias', 'float32', [3]);
      const mean = b.initializer('mean', 'float32', [3]);
      const variance = b.initializer('var', 'float32', [3], [0.5, 1, 2]);
      return [b.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: 1e-5 })];
    },
  },
  {
    name: 'Gather with indices on the device (an embedding lookup of int64 ids)',
    feeds: { ids: { dtype: 'int64', shape: [2, 3], values: [0, 4, 9, 9, 1, 2] } },
    build: (b) => {
      const ids = b.input('ids', 'int64', [2, 3]);
      return [b.op('Gather', [b.initializer('table', 'float32', [10, 8]), ids])];
    },
  },
  {
    name: 'Where and Cast on device values',
    feeds: { x: floats([3, 4]), c: { dtype: 'bool', shape: [3, 4], values: values(12, 3).map((v) => (v > 0 ? 1 : 0)) } },
    build: (b) => {
      const x = b.input('x', 'float32', [3, 4]);
      const c = b.input('c', 'bool', [3, 4]);
      const w = b.op('Where', [c, x, b.scalar(-1)]);
      return [w, [b.op('Cast', [w], { to: 6 }), 'int32'], [b.op('Cast', [c], { to: 1 }), 'float32']];
    },
  },
  {
    name: 'a Shape → Gather → Unsqueeze → Concat → Reshape chain, folded on the host',
    feeds: { x: floats([2, 3, 8]) },
    build: (b) => {
      const x = b.input('x', 'float32', [2, 3, 8]);
      const shape = b.op('Shape', [x]);
      const batch = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer('zero', 'int64', [], [0])], { axis: 0 }), b.ints([0])]);
      const seq = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer('one', 'int64', [], [1])], { axis: 0 }), b.ints([0])]);
      const target = b.op('Concat', [batch, seq, b.ints([2, -1])], { axis: 0 });
      return [b.op('Reshape', [x, target]), [shape, 'int64']];
    },
  },
  {
    name: 'a causal mask from Range, Trilu, Equal, Where and ConstantOfShape on constants, added to scores',
    opset: 18,
    feeds: { x: floats([2, 4, 4]) },
    build: (b) => {
      const x = b.input('x', 'float32', [2, 4, 4]);
      const seq = b.op('Gather', [b.op('Shape', [x]), b.initializer('one', 'int64', [], [1])], { axis: 0 });
      const dims = b.op('Concat', [b.op('Unsqueeze', [seq, b.ints([0])]), b.op('Unsqueeze', [seq, b.ints([0])])], { axis: 0 });
      const ones = b.op('ConstantOfShape', [dims], { value: { tensor: { dtype: 'float32', shape: [1], values: [1] } } });
      const lower = b.op('Trilu', [ones], { upper: 0 });
      const blocked = b.op('Equal', [lower, b.scalar(0)]);
      const mask = b.op('Where', [blocked, b.scalar(-1e9), b.scalar(0)]);
      const positions = b.op('Range', [b.initializer('start', 'int64', [], [0]), seq, b.initializer('step', 'int64', [], [1])]);
      return [b.op('Softmax', [b.op('Add', [x, mask])], { axis: -1 }), [positions, 'int64']];
    },
  },
  {
    name: 'Constant nodes and a float16 input cast to float32',
    feeds: { h: { dtype: 'float16', shape: [2, 3], values: [0.5, -1.25, 2, 3.5, -0.125, 1] } },
    build: (b) => {
      const h = b.input('h', 'float16', [2, 3]);
      const c = b.node('Constant', [], { value: { tensor: { dtype: 'float32', shape: [3], values: [1, 2, 3] } } })[0]!;
      return [b.op('Mul', [b.op('Cast', [h], { to: 1 }), c])];
    },
  },
];

describe('ONNX ops against onnxruntime-node', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const b = new OnnxBuilder({ opset: c.opset ?? 17, seed: 5 });
    const outputs = c.build(b);
    for (const output of outputs) {
      const [name, dtype] = typeof output === 'string' ? [output, 'float32' as const] : output;
      b.output(name, dtype);
    }
    await compareWithOrt(b.build(), c.feeds, c.tolerance ?? FLOAT32);
  });
});

test('values the host computes are what onnxruntime computes (integers exact)', async () => {
  const b = new OnnxBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [3, 5]);
  const index = b.op('ArgMax', [x], { axis: 1, keepdims: 0 });
  b.output(index, 'int64');
  const result = await compareWithOrt(b.build(), { x: floats([3, 5], 99) });
  expect(result[index]!.every((v) => Number.isInteger(v) && v >= 0 && v < 5)).toBe(true);
});
