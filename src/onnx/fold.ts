// Host evaluation of the nodes that compute shapes and constants: what PyTorch's exporter writes
// around the model's real work (Shape → Gather → Unsqueeze → Concat → Reshape chains, Range,
// ConstantOfShape, causal masks from Trilu/Equal/Where on constants, ...). A node whose inputs
// are all on the host runs here, at once, and costs no device time, as the same arithmetic
// costs a real runtime none on its accelerator. Semantics follow the ONNX operator spec
// (onnx/docs/Operators.md) for opsets 13 to 21.

import { MtiaError } from '../errors.js';
import { Attributes, decodeInline, type OnnxNode } from './read.js';
import {
  hostArrayFor, hostValue, numelOf, valuesOf, type HostValue, type OnnxDType,
} from './values.js';

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** NumPy's broadcast of `shapes` (ONNX multidirectional broadcasting); throws naming `what` if they do not broadcast. */
export function broadcastShapes(shapes: readonly (readonly number[])[], what: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const d = rank - shape.length + i;
      const size = shape[i]!;
      if (size === out[d] || size === 1) continue;
      if (out[d] !== 1) {
        throw new MtiaError(`${what}: shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')} do not broadcast (dim ${d}: ${out[d]} vs ${size})`);
      }
      out[d] = size;
    }
  }
  return out;
}

/** For each element of `outShape`, the flat index into a value of `shape` broadcast to it. */
function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const count = numelOf(outShape);
  const index = new Int32Array(count);
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const outStrides = stridesOf(outShape);
  for (let i = 0; i < count; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) {
      const coordinate = Math.floor(i / outStrides[d + offset]!) % outShape[d + offset]!;
      if (shape[d] !== 1) at += coordinate * strides[d]!;
    }
    index[i] = at;
  }
  return index;
}

/** Applies `fn` elementwise over `inputs` broadcast together; the result has `dtype`. */
function elementwise(node: OnnxNode, inputs: readonly HostValue[], dtype: OnnxDType, fn: (...values: number[]) => number): HostValue {
  const shape = broadcastShapes(inputs.map((v) => v.shape), `${node.opType} node '${node.name}'`);
  const data = inputs.map((v) => valuesOf(v, `${node.opType} node '${node.name}'`));
  const indices = inputs.map((v) => broadcastIndex(v.shape, shape));
  const count = numelOf(shape);
  const out = new Float64Array(count);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = data[k]![indices[k]![i]!]!;
    out[i] = fn(...args);
  }
  return hostValue(dtype, shape, dtype === 'float32' ? Float32Array.from(out) : out);
}

/** Wraps a possibly negative `axis` of a rank-`rank` value; throws naming the node if out of range. */
export function wrapAxis(node: OnnxNode, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new MtiaError(`${node.opType} node '${node.name}': axis ${axis} is out of range for a value of rank ${rank} (expected ${-rank} to ${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** A 1-d or 0-d host value's values as numbers. */
export function numbersOf(value: HostValue, what: string): number[] {
  return Array.from(valuesOf(value, what));
}

/** A copy of `value` with `shape` (same element count). */
export function withShape(value: HostValue, shape: readonly number[]): HostValue {
  return { kind: 'host', dtype: value.dtype, shape: [...shape], data: value.data };
}

/** ONNX Reshape's target shape: 0 copies the input's dim (unless allowzero), -1 is inferred. */
export function reshapeTarget(node: OnnxNode, inputShape: readonly number[], requested: readonly number[], allowZero: boolean): number[] {
  const out = requested.map((size, i) => (size === 0 && !allowZero ? inputShape[i]! : size));
  const known = out.filter((s) => s !== -1);
  const numel = numelOf(inputShape);
  const inferred = out.filter((s) => s === -1).length;
  const product = numelOf(known);
  if (inferred > 1 || (inferred === 1 ? product === 0 || numel % product !== 0 : product !== numel)) {
    throw new MtiaError(`${node.opType} node '${node.name}': cannot reshape a value of shape [${inputShape.join(', ')}] (${numel} elements) to [${requested.join(', ')}]`);
  }
  return out.map((s) => (s === -1 ? numel / product : s));
}

/** Unsqueeze's output shape for `axes` (of the output's rank). */
export function unsqueezeShape(node: OnnxNode, shape: readonly number[], axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const wrapped = new Set(axes.map((a) => wrapAxis(node, a, rank)));
  const out: number[] = [];
  for (let d = 0, from = 0; d < rank; d++) out.push(wrapped.has(d) ? 1 : shape[from++]!);
  return out;
}

/** Squeeze's output shape for `axes` (all size-1 dims when undefined). */
export function squeezeShape(node: OnnxNode, shape: readonly number[], axes: readonly number[] | undefined): number[] {
  if (axes === undefined) return shape.filter((s) => s !== 1);
  const wrapped = new Set(axes.map((a) => wrapAxis(node, a, shape.length)));
  for (const d of wrapped) {
    if (shape[d] !== 1) throw new MtiaError(`Squeeze node '${node.name}': dim ${d} has size ${shape[d]}, not 1`);
  }
  return shape.filter((_, d) => !wrapped.has(d));
}

/** One axis of an ONNX Slice: start, end (exclusive), step, after clamping (Operators.md, Slice-13). */
export function sliceRange(size: number, start: number, end: number, step: number): { start: number; end: number; step: number; count: number } {
  if (step === 0) throw new MtiaError('Slice: a step of 0 is not allowed');
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  if (step > 0) {
    s = clamp(s, 0, size);
    e = clamp(e, 0, size);
  } else {
    s = clamp(s, 0, size - 1);
    e = clamp(e, -1, size - 1);
  }
  const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
  return { start: s, end: e, step, count };
}

/** Picks elements of `value` by per-dim index lists (a gather over every dim at once). */
export function pick(value: HostValue, perDim: readonly (readonly number[])[], what: string): HostValue {
  const data = valuesOf(value, what);
  const shape = perDim.map((list) => list.length);
  const strides = stridesOf(value.shape);
  const count = numelOf(shape);
  const out = hostArrayFor(value.dtype, count);
  const outStrides = stridesOf(shape);
  for (let i = 0; i < count; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += perDim[d]![Math.floor(i / outStrides[d]!) % shape[d]!]! * strides[d]!;
    out[i] = data[at]!;
  }
  return { kind: 'host', dtype: value.dtype, shape, data: out };
}

/** The axes of a node that takes them as an attribute before `inputSince` and as input `index` from it. */
export function axesOf(node: OnnxNode, opset: number, inputSince: number, inputs: readonly (HostValue | undefined)[], index: number): number[] | undefined {
  if (opset < inputSince) return new Attributes(node).ints('axes');
  const input = inputs[index];
  return input === undefined ? undefined : numbersOf(input, `${node.opType} node '${node.name}' axes`);
}

/** Host implementations by op type: (node, opset, inputs) → outputs. Inputs omitted in the model are undefined. */
export type HostOp = (node: OnnxNode, opset: number, inputs: readonly (HostValue | undefined)[]) => HostValue[];

const TRUNCATING: readonly OnnxDType[] = ['int64', 'int32', 'int16', 'int8', 'uint8'];

/** A binary arithmetic op on host values of one type (integer division truncates, as ONNX's Div on integers does). */
function arithmetic(fn: (a: number, b: number) => number): HostOp {
  return (node, _opset, [a, b]) => {
    const dtype = a!.dtype;
    const truncating = TRUNCATING.includes(dtype);
    return [elementwise(node, [a!, b!], dtype, truncating ? (x, y) => Math.trunc(fn(x, y)) : fn)];
  };
}

/** A comparison on host values → bool. */
function comparison(fn: (a: number, b: number) => boolean): HostOp {
  return (node, _opset, [a, b]) => [elementwise(node, [a!, b!], 'bool', (x, y) => (fn(x, y) ? 1 : 0))];
}

/** A unary op on host values, keeping the type. */
function unary(fn: (a: number) => number): HostOp {
  return (node, _opset, [a]) => [elementwise(node, [a!], a!.dtype, fn)];
}

const castTargets: Readonly<Record<number, OnnxDType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16',
};

/** Cast's target element type; throws naming the node for one the importer cannot hold. */
export function castTarget(node: OnnxNode): OnnxDType {
  const to = new Attributes(node).int('to', 0);
  const dtype = castTargets[to];
  if (dtype === undefined) throw new MtiaError(`Cast node '${node.name}': cast to ONNX data type ${to} is not supported`);
  return dtype;
}

/** Rounds to float16's nearest value (for Cast to float16 on the host). */
function roundHalf(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const exponent = Math.max(Math.floor(Math.log2(Math.abs(value))), -14);
  const quantum = 2 ** (exponent - 10);
  const rounded = Math.round(value / quantum) * quantum;
  return Math.abs(rounded) > 65504 ? Math.sign(value) * Infinity : rounded;
}

/** The host implementations of the shape and constant ops. */
export const hostOps: Readonly<Record<string, HostOp>> = {
  Identity: (_n, _o, [x]) => [x!],
  Shape: (node, _opset, [x]) => {
    const attrs = new Attributes(node);
    const rank = x!.shape.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const dims = x!.shape.slice(clamp(attrs.int('start', 0)), clamp(attrs.int('end', rank)));
    return [hostValue('int64', [dims.length], dims)];
  },
  Size: (_n, _o, [x]) => [hostValue('int64', [], [numelOf(x!.shape)])],
  Cast: (node, _opset, [x]) => {
    const to = castTarget(node);
    const values = valuesOf(x!, `Cast node '${node.name}'`);
    const converted = Array.from(values, (v) => (to === 'float16' ? roundHalf(v) : TRUNCATING.includes(to) ? Math.trunc(v) : v));
    return [hostValue(to, x!.shape, converted)];
  },
  Reshape: (node, _opset, [x, shape]) => {
    const requested = numbersOf(shape!, `Reshape node '${node.name}' shape`);
    return [withShape(x!, reshapeTarget(node, x!.shape, requested, new Attributes(node).int('allowzero', 0) === 1))];
  },
  Flatten: (node, _opset, [x]) => {
    const axis = new Attributes(node).int('axis', 1);
    const a = axis < 0 ? axis + x!.shape.length : axis;
    return [withShape(x!, [numelOf(x!.shape.slice(0, a)), numelOf(x!.shape.slice(a))])];
  },
  Unsqueeze: (node, opset, inputs) => {
    const axes = axesOf(node, opset, 13, inputs, 1) ?? [];
    return [withShape(inputs[0]!, unsqueezeShape(node, inputs[0]!.shape, axes))];
  },
  Squeeze: (node, opset, inputs) => [withShape(inputs[0]!, squeezeShape(node, inputs[0]!.shape, axesOf(node, opset, 13, inputs, 1)))],
  Concat: (node, _opset, inputs) => {
    const parts = inputs.filter((v): v is HostValue => v !== undefined);
    const rank = parts[0]!.shape.length;
    const axis = wrapAxis(node, new Attributes(node).int('axis', 0), rank);
    const shape = [...parts[0]!.shape];
    shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
    const outer = numelOf(shape.slice(0, axis));
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const part of parts) {
        const inner = numelOf(part.shape.slice(axis));
        const data = valuesOf(part, `Concat node '${node.name}'`);
        for (let i = 0; i < inner; i++) out.push(data[o * inner + i]!);
      }
    }
    return [hostValue(parts[0]!.dtype, shape, out)];
  },
  Gather: (node, _opset, [data, indices]) => {
    const axis = wrapAxis(node, new Attributes(node).int('axis', 0), data!.shape.length);
    const size = data!.shape[axis]!;
    const index = numbersOf(indices!, `Gather node '${node.name}' indices`).map((i) => {
      if (i < -size || i >= size) throw new MtiaError(`Gather node '${node.name}': index ${i} is out of bounds for axis ${axis} of size ${size}`);
      return i < 0 ? i + size : i;
    });
    const perDim = data!.shape.map((s, d) => (d === axis ? index : Array.from({ length: s }, (_, i) => i)));
    const picked = pick(data!, perDim, `Gather node '${node.name}'`);
    const shape = [...data!.shape.slice(0, axis), ...indices!.shape, ...data!.shape.slice(axis + 1)];
    return [withShape(picked, shape)];
  },
  Slice: (node, _opset, [data, starts, ends, axesInput, stepsInput]) => {
    const what = `Slice node '${node.name}'`;
    const startList = numbersOf(starts!, what);
    const endList = numbersOf(ends!, what);
    const axes = axesInput ? numbersOf(axesInput, what).map((a) => wrapAxis(node, a, data!.shape.length)) : startList.map((_, i) => i);
    const steps = stepsInput ? numbersOf(stepsInput, what) : startList.map(() => 1);
    const perDim = data!.shape.map((s) => Array.from({ length: s }, (_, i) => i));
    axes.forEach((axis, i) => {
      const r = sliceRange(data!.shape[axis]!, startList[i]!, endList[i]!, steps[i]!);
      perDim[axis] = Array.from({ length: r.count }, (_, k) => r.start + k * r.step);
    });
    return [pick(data!, perDim, what)];
  },
  Transpose: (node, _opset, [x]) => {
    const rank = x!.shape.length;
    const perm = new Attributes(node).ints('perm') ?? x!.shape.map((_, d) => rank - 1 - d);
    const strides = stridesOf(x!.shape);
    const shape = perm.map((p) => x!.shape[p]!);
    const data = valuesOf(x!, `Transpose node '${node.name}'`);
    const out = hostArrayFor(x!.dtype, data.length);
    const outStrides = stridesOf(shape);
    for (let i = 0; i < data.length; i++) {
      let at = 0;
      for (let d = 0; d < rank; d++) at += (Math.floor(i / outStrides[d]!) % shape[d]!) * strides[perm[d]!]!;
      out[i] = data[at]!;
    }
    return [{ kind: 'host', dtype: x!.dtype, shape, data: out }];
  },
  Expand: (node, _opset, [x, shape]) => {
    const target = broadcastShapes([x!.shape, numbersOf(shape!, `Expand node '${node.name}' shape`)], `Expand node '${node.name}'`);
    return [elementwise(node, [x!, { kind: 'host', dtype: x!.dtype, shape: target, data: hostArrayFor(x!.dtype, numelOf(target)) }], x!.dtype, (a) => a)];
  },
  ConstantOfShape: (node, _opset, [shape]) => {
    const dims = numbersOf(shape!, `ConstantOfShape node '${node.name}' shape`);
    const proto = new Attributes(node).tensor('value');
    const fill = proto === undefined ? hostValue('float32', [1], [0]) : decodeInline(proto, `ConstantOfShape node '${node.name}' value`);
    return [hostValue(fill.dtype, dims, new Array<number>(numelOf(dims)).fill(fill.data![0] ?? 0))];
  },
  Range: (node, _opset, [start, limit, delta]) => {
    const what = `Range node '${node.name}'`;
    const [s, l, d] = [start!, limit!, delta!].map((v) => numbersOf(v, what)[0]!) as [number, number, number];
    if (d === 0) throw new MtiaError(`${what}: delta must not be 0`);
    const count = Math.max(Math.ceil((l - s) / d), 0);
    return [hostValue(start!.dtype, [count], Array.from({ length: count }, (_, i) => s + i * d))];
  },
  Trilu: (node, _opset, [x, k]) => {
    const upper = new Attributes(node).int('upper', 1) === 1;
    const offset = k ? numbersOf(k, `Trilu node '${node.name}' k`)[0]! : 0;
    const [rows, cols] = x!.shape.slice(-2) as [number, number];
    const data = valuesOf(x!, `Trilu node '${node.name}'`);
    const out = hostArrayFor(x!.dtype, data.length);
    for (let i = 0; i < data.length; i++) {
      const c = i % cols;
      const r = Math.floor(i / cols) % rows;
      out[i] = (upper ? c - r >= offset : c - r <= offset) ? data[i]! : 0;
    }
    return [{ kind: 'host', dtype: x!.dtype, shape: x!.shape, data: out }];
  },
  Where: (node, _opset, [c, a, b]) => [elementwise(node, [c!, a!, b!], a!.dtype, (cv, av, bv) => (cv ? av : bv))],
  Add: arithmetic((a, b) => a + b),
  Sub: arithmetic((a, b) => a - b),
  Mul: arithmetic((a, b) => a * b),
  Div: arithmetic((a, b) => a / b),
  Pow: (node, _opset, [a, b]) => [elementwise(node, [a!, b!], a!.dtype, (x, y) => x ** y)],
  Max: (node, _opset, inputs) => [elementwise(node, inputs as HostValue[], inputs[0]!.dtype, Math.max)],
  Min: (node, _opset, inputs) => [elementwise(node, inputs as HostValue[], inputs[0]!.dtype, Math.min)],
  Neg: unary((a) => -a),
  Abs: unary(Math.abs),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((a) => 1 / a),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Equal: comparison((a, b) => a === b),
  Less: comparison((a, b) => a < b),
  LessOrEqual: comparison((a, b) => a <= b),
  Greater: comparison((a, b) => a > b),
  GreaterOrEqual: comparison((a, b) => a >= b),
  And: comparison((a, b) => a !== 0 && b !== 0),
  Or: comparison((a, b) => a !== 0 || b !== 0),
  Xor: comparison((a, b) => (a !== 0) !== (b !== 0)),
  Not: (node, _opset, [a]) => [elementwise(node, [a!], 'bool', (x) => (x ? 0 : 1))],
};

